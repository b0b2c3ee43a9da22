import { describe, expect, it } from 'vitest';
import { T0, call, useKommo } from './helpers.ts';

describe('sim/kommo introspection', () => {
  const k = useKommo();

  it('records each request with method, path, route, status, time and body', async () => {
    k.clock.advance(250);
    await k.api('POST', '/api/v4/contacts', [{ name: 'A' }]);
    expect(k.sim.requests()).toEqual([{
      seq: 1, time: T0 + 250, method: 'POST', path: '/api/v4/contacts', query: {}, route: 'POST /api/v4/contacts', status: 200, fault: null,
      body: [{ name: 'A' }],
      response: { _links: { self: { href: `${k.sim.url}/api/v4/contacts` } }, _embedded: { contacts: [{ id: 1_000_004, is_deleted: false, is_unsorted: false, request_id: '0', _links: { self: { href: `${k.sim.url}/api/v4/contacts/1000004` } } }] } },
    }]);
  });

  it('labels parameterised routes by their pattern and counts them', async () => {
    await k.api('GET', '/api/v4/contacts/1000001');
    await k.api('GET', '/api/v4/contacts/1000002');
    await k.api('GET', '/api/v4/account', undefined, { token: null });
    expect(k.sim.counters()).toEqual({
      requests: 3, byRoute: { 'GET /api/v4/contacts/:id': 2, 'GET /api/v4/account': 1 }, byStatus: { 200: 2, 401: 1 }, status429: 0, status403: 0, faults: 0,
    });
  });

  it('serves the state on GET /__sim/state', async () => {
    await k.api('POST', '/api/v4/tasks', [{ text: 'Call back', complete_till: 1_736_200_000, entity_type: 'contacts', entity_id: 1_000_001 }]);
    const r = await call(`${k.sim.url}/__sim/state`, 'GET', undefined, { token: null });
    expect(r.status).toBe(200);
    // `customers`: Kommo puts a call on a contact's only customer when it has no active lead (adding-calls page, issue 21).
    expect(Object.keys(r.body).sort()).toEqual(['account', 'calls', 'companies', 'contacts', 'customFields', 'customers', 'events', 'leads', 'notes', 'pipelines', 'tasks', 'unsorted', 'users']);
    expect(r.body.contacts).toHaveLength(3);
    expect(r.body.tasks[0]).toMatchObject({ text: 'Call back', entity_id: 1_000_001, responsible_user_id: 5_001_001 });
  });

  it('serves requests and counters on /__sim routes, filtered by route, without logging itself', async () => {
    await k.api('GET', '/api/v4/account');
    await k.api('GET', '/api/v4/users');
    const r = await call(`${k.sim.url}/__sim/requests?route=${encodeURIComponent('GET /api/v4/users')}`, 'GET', undefined, { token: null });
    expect(r.body.map((x: { path: string }) => x.path)).toEqual(['/api/v4/users']);
    const c = await call(`${k.sim.url}/__sim/counters`, 'GET', undefined, { token: null });
    expect(c.body.requests).toBe(2);
  });

  it('resets state, log and faults; optionally to another named account', async () => {
    await k.api('POST', '/api/v4/contacts', [{ name: 'A' }]);
    k.sim.fail({ kind: 'error', times: 'always' });
    const r = await call(`${k.sim.url}/__sim/reset`, 'POST', { account: 'empty' }, { token: null });
    expect(r.status).toBe(204);
    expect(k.sim.state().contacts).toEqual([]);
    expect(k.sim.requests()).toEqual([]);
    expect((await k.api('GET', '/api/v4/contacts')).status).toBe(204);
  });

  it('seeds contacts through the programmatic API and the control route', async () => {
    const [c] = k.sim.seedContacts([{ name: 'Seeded', phones: ['+31301234567'] }]);
    expect(c?.id).toBe(1_000_004);
    await call(`${k.sim.url}/__sim/contacts`, 'POST', [{ name: 'Routed', phones: ['+31301234568'] }], { token: null });
    const r = await k.api('GET', '/api/v4/contacts?query=3012345');
    expect(r.body._embedded.contacts.map((x: { name: string }) => x.name)).toEqual(['Seeded', 'Routed']);
  });

  it('removes a user (an administrator deleting an employee): gone from /api/v4/users, and a write naming it is refused', async () => {
    expect(k.sim.removeUser(5_001_004)).toBe(true);
    expect(k.sim.removeUser(5_001_004)).toBe(false);
    expect((await call(`${k.sim.url}/__sim/users/5001003`, 'DELETE', undefined, { token: null })).status).toBe(204);
    expect((await call(`${k.sim.url}/__sim/users/5001003`, 'DELETE', undefined, { token: null })).status).toBe(404);
    const users = await k.api('GET', '/api/v4/users');
    expect(users.body._embedded.users.map((u: { id: number }) => u.id)).toEqual([5_001_001, 5_001_002]);
    const r = await k.api('POST', '/api/v4/tasks', [{ text: 'Call back', complete_till: 1_736_200_000, entity_type: 'contacts', entity_id: 1_000_001, responsible_user_id: 5_001_004 }]);
    expect(r.status).toBe(400);
  });

  it('answers an unknown API path with Kommo\'s 404 body', async () => {
    const r = await k.api('GET', '/api/v4/nothing');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ title: 'Not Found', type: 'https://httpstatus.es/404', status: 404, detail: `Cannot GET ${k.sim.url}/api/v4/nothing` });
    expect(k.sim.requests()[0]?.route).toBe('GET *');
  });

  it('answers a known path with the wrong method with 405', async () => {
    const r = await k.api('DELETE', '/api/v4/contacts');
    expect(r.status).toBe(405);
    expect(r.body.detail).toBe('Method Not Allowed');
  });
});

describe('sim/kommo users, account and tasks', () => {
  const k = useKommo();

  it('lists users with _total_items and _page_count', async () => {
    const r = await k.api('GET', '/api/v4/users');
    expect(r.body).toMatchObject({ _total_items: 4, _page: 1, _page_count: 1 });
    expect(r.body._embedded.users.map((u: { name: string }) => u.name)).toEqual(['Alice Smit', 'Bram de Vries', 'Carla Jansen', 'Daan Bakker']);
    expect(r.body._embedded.users[0].rights).toMatchObject({ is_admin: true, is_active: true });
  });

  it('gets one user, and 204 for an unknown one', async () => {
    const one = await k.api('GET', '/api/v4/users/5001002');
    const none = await k.api('GET', '/api/v4/users/1');
    expect([one.body.name, none.status]).toEqual(['Bram de Vries', 204]);
  });

  it('describes the account', async () => {
    const r = await k.api('GET', '/api/v4/account');
    expect(r.body).toMatchObject({ id: 31_000_001, subdomain: 'hooklinedemo', current_user_id: 5_001_001 });
  });

  it('adds tasks and lists them by entity', async () => {
    const add = await k.api('POST', '/api/v4/tasks', [
      { text: 'Missed call', complete_till: 1_736_200_000, entity_type: 'leads', entity_id: 2_000_001, responsible_user_id: 5_001_002, task_type_id: 1, request_id: '1715000100.2' },
      { text: 'Other', complete_till: 1_736_200_000 },
    ]);
    expect(add.body._embedded.tasks[0]).toEqual({ id: 4_000_001, request_id: '1715000100.2', _links: { self: { href: `${k.sim.url}/api/v4/tasks/4000001` } } });
    const list = await k.api('GET', '/api/v4/tasks?filter[entity_type]=leads&filter[entity_id][]=2000001');
    expect(list.body._embedded.tasks.map((t: { id: number }) => t.id)).toEqual([4_000_001]);
  });

  it('requires text and complete_till on a task', async () => {
    const r = await k.api('POST', '/api/v4/tasks', [{ text: 'x' }]);
    expect(r.body['validation-errors'][0].errors).toEqual([{ code: 'NotBlank', path: 'complete_till', detail: 'This value should not be blank.' }]);
  });
});

describe('sim/kommo request log cap', () => {
  const k = useKommo({ maxRequestsLogged: 2 });

  it('keeps the newest records and counts every request', async () => {
    for (let i = 0; i < 3; i += 1) await k.api('GET', '/api/v4/account');
    expect(k.sim.requests().map((r) => r.seq)).toEqual([2, 3]);
    expect(k.sim.counters()).toMatchObject({ requests: 3, byStatus: { 200: 3 } });
  });
});
