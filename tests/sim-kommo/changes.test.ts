/**
 * Issue 20: the reads a copy of the account's phones needs, answered as Kommo does: contacts and companies
 * changed since a moment (`filter[updated_at]`, a timestamp or `[from]`/`[to]`), paged 250 at most with
 * `_links.next`, `with`; a deleted or merged entity gone from the lists and shown in the events list; and "a
 * manager" editing, deleting and merging in between (KommoSim and /__sim).
 */
import { describe, expect, it } from 'vitest';
import { call, useKommo } from './helpers.ts';

const ids = (r: { body: any }) => (r.body?._embedded?.contacts ?? r.body?._embedded?.companies ?? []).map((c: { id: number }) => c.id);

describe('sim/kommo: what changed since, deletions and merges', () => {
  const k = useKommo({ account: 'empty' });

  it('filter[updated_at] as a timestamp (from then on) and as [from]/[to], inclusive, with paging and with=leads', async () => {
    const [a, b] = k.sim.seedContacts([{ name: 'A', phones: ['+31201000001'] }, { name: 'B', phones: ['+31201000002'] }]);
    const t0 = Math.floor(k.clock.now / 1000);
    k.clock.advance(10_000);
    const [c] = k.sim.seedContacts([{ name: 'C', phones: ['+31201000003'] }]);
    expect(ids(await k.api('GET', `/api/v4/contacts?filter[updated_at]=${t0 + 10}`))).toEqual([c!.id]);
    expect(ids(await k.api('GET', `/api/v4/contacts?filter[updated_at][from]=${t0}&filter[updated_at][to]=${t0}`))).toEqual([a!.id, b!.id]);
    expect((await k.api('GET', `/api/v4/contacts?filter[updated_at][from]=${t0 + 11}`)).status).toBe(204);
    const page1 = await k.api('GET', `/api/v4/contacts?filter[updated_at][from]=${t0}&limit=2&with=leads`);
    expect(ids(page1)).toEqual([a!.id, b!.id]);
    expect(page1.body._embedded.contacts[0]._embedded.leads).toEqual([]);
    expect(page1.body._links.next.href).toContain('filter[updated_at][from]=');
    const page2 = await call(page1.body._links.next.href, 'GET');
    expect(ids(page2)).toEqual([c!.id]);
    expect(page2.body._links.next).toBeUndefined();
    expect((await k.api('GET', '/api/v4/contacts?limit=251')).status).toBe(422);
  });

  it('an edit moves updated_at; a deletion hides the contact from lists, by id and from call matching, and is an event', async () => {
    const [a] = k.sim.seedContacts([{ name: 'A', phones: ['+31201000001'] }]);
    const t0 = Math.floor(k.clock.now / 1000);
    k.clock.advance(5_000);
    expect(k.sim.editEntity('contacts', a!.id, { name: 'A2', phones: ['+31209999999'] })).toBe(true);
    const changed = await k.api('GET', `/api/v4/contacts?filter[updated_at][from]=${t0 + 1}`);
    expect(changed.body._embedded.contacts[0]).toMatchObject({ id: a!.id, name: 'A2', updated_at: t0 + 5 });
    expect(changed.body._embedded.contacts[0].custom_fields_values[0].values.map((v: { value: string }) => v.value)).toEqual(['+31209999999']);
    k.clock.advance(5_000);
    expect(k.sim.deleteEntity('contacts', a!.id)).toBe(true);
    expect(k.sim.deleteEntity('contacts', a!.id)).toBe(false);
    expect((await k.api('GET', `/api/v4/contacts?filter[updated_at][from]=${t0}`)).status).toBe(204);
    expect((await k.api('GET', `/api/v4/contacts/${a!.id}`)).status).toBe(204);
    const task = await k.api('POST', '/api/v4/tasks', [{ text: 'x', complete_till: t0 + 3600, entity_type: 'contacts', entity_id: a!.id }]);
    expect(task.status).toBe(400);
    const events = await k.api('GET', `/api/v4/events?filter[type]=contact_deleted,company_deleted&filter[created_at][from]=${t0}`);
    expect(events.status).toBe(200);
    expect(events.body._embedded.events).toEqual([expect.objectContaining({ type: 'contact_deleted', entity_id: a!.id, entity_type: 'contact', created_at: t0 + 10 })]);
    expect((await k.api('GET', `/api/v4/events?filter[type]=contact_deleted&filter[created_at][from]=${t0 + 11}`)).status).toBe(204);
    expect((await k.api('GET', '/api/v4/events?limit=101')).status).toBe(422);
  });

  it('a merge keeps one entity with the phones of all, deletes the others, and lists entity_merged and the deletions', async () => {
    const [a, b] = k.sim.seedContacts([{ name: 'A', phones: ['+31201000001'] }, { name: 'B', phones: ['+31201000002'] }]);
    const t0 = Math.floor(k.clock.now / 1000);
    expect(k.sim.mergeEntities('contacts', a!.id, [b!.id])).toBe(true);
    const kept = await k.api('GET', `/api/v4/contacts/${a!.id}`);
    expect(kept.body.custom_fields_values[0].values.map((v: { value: string }) => v.value)).toEqual(['+31201000001', '+31201000002']);
    expect((await k.api('GET', `/api/v4/contacts/${b!.id}`)).status).toBe(204);
    expect(ids(await k.api('GET', '/api/v4/contacts?query=1201000002'))).toEqual([a!.id]);
    const events = await k.api('GET', `/api/v4/events?filter[type][]=contact_deleted&filter[type][]=entity_merged&filter[created_at]=${t0}`);
    expect(events.body._embedded.events.map((e: { type: string; entity_id: number }) => [e.type, e.entity_id])).toEqual([['contact_deleted', b!.id], ['entity_merged', a!.id]]);
    expect(events.body._embedded.events[1].value_after).toEqual([{ merged: { ids: [b!.id] } }]);
  });

  it('companies: the same filter, deletions as company_deleted; the manager actions under /__sim', async () => {
    const [co] = k.sim.seedCompanies([{ name: 'Acme', phones: ['+31205550000'] }]);
    const [c1, c2] = k.sim.seedContacts([{ name: 'A', phones: ['+31201000001'] }, { name: 'B', phones: ['+31201000002'] }]);
    const t0 = Math.floor(k.clock.now / 1000);
    expect(ids(await k.api('GET', `/api/v4/companies?filter[updated_at][from]=${t0}`))).toEqual([co!.id]);
    expect((await call(`${k.sim.url}/__sim/companies/${co!.id}`, 'PATCH', { name: 'Acme 2' })).status).toBe(204);
    expect(k.sim.state().companies[0]?.name).toBe('Acme 2');
    expect((await call(`${k.sim.url}/__sim/contacts/${c1!.id}/merge`, 'POST', { ids: [c2!.id] })).status).toBe(204);
    expect((await call(`${k.sim.url}/__sim/companies/${co!.id}`, 'DELETE')).status).toBe(204);
    expect((await call(`${k.sim.url}/__sim/companies/${co!.id}`, 'DELETE')).status).toBe(404);
    const events = await k.api('GET', '/api/v4/events?filter[entity]=company');
    expect(events.body._embedded.events.map((e: { type: string }) => e.type)).toEqual(['company_deleted']);
  });
});
