import { describe, expect, it } from 'vitest';
import { call, useKommo } from './helpers.ts';

describe('sim/kommo faults', () => {
  const k = useKommo();

  it('answers the next N requests with the 5xx asked for, then normally', async () => {
    k.sim.fail({ kind: 'error', status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await k.api('GET', '/api/v4/account')).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('answers 500 with Kommo\'s JSON error body', async () => {
    k.sim.fail({ kind: 'error' });
    const r = await k.api('GET', '/api/v4/account');
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ title: 'ErrInternalServer', status: 500, detail: 'Our team are probably already working on the elimination of the problem' });
  });

  it('applies a fault only to the route it names', async () => {
    k.sim.fail({ kind: 'error', status: 502, method: 'POST', path: '/api/v4/calls', times: 'always' });
    const other = await k.api('GET', '/api/v4/account');
    const calls = await k.api('POST', '/api/v4/calls', [{ direction: 'inbound', duration: 1, source: 's', phone: '123' }]);
    expect([other.status, calls.status]).toEqual([200, 502]);
    expect(k.sim.state().calls).toEqual([]);
  });

  it('matches a path prefix with a trailing *', async () => {
    k.sim.fail({ kind: 'rate-limit', path: '/api/v4/leads*' });
    const r = await k.api('GET', '/api/v4/leads/pipelines');
    expect(r.status).toBe(429);
  });

  it('delays a request and then answers it normally', async () => {
    k.sim.fail({ kind: 'delay', ms: 50 });
    const r = await k.api('GET', '/api/v4/account');
    expect(r.status).toBe(200);
    expect(k.sim.requests()[0]).toMatchObject({ fault: 'delay', status: 200 });
  });

  it('holds the socket without an answer on a timeout fault', async () => {
    k.sim.fail({ kind: 'timeout' });
    const r = fetch(`${k.sim.url}/api/v4/account`, { headers: { authorization: 'Bearer sim-long-lived-token' }, signal: AbortSignal.timeout(300) });
    await expect(r).rejects.toThrow(/timeout|aborted/i);
    expect(k.sim.requests()[0]).toMatchObject({ fault: 'timeout', status: null });
  });

  it('resets the connection on a reset fault', async () => {
    k.sim.fail({ kind: 'reset' });
    await expect(k.api('GET', '/api/v4/account')).rejects.toThrow(/fetch failed/);
    expect((await k.api('GET', '/api/v4/account')).status).toBe(200);
  });

  it('lists and clears faults', async () => {
    const id = k.sim.fail({ kind: 'error', times: 'always' });
    expect(k.sim.faults()).toEqual([{ id, rule: { kind: 'error', times: 'always' }, remaining: 'always', hits: 0 }]);
    k.sim.clearFaults();
    expect((await k.api('GET', '/api/v4/account')).status).toBe(200);
  });

  it('refuses a write as Kommo refuses data it will not take: 400 validation-errors on the field asked for, with the item\'s request_id', async () => {
    k.sim.fail({ kind: 'invalid', field: 'duration', code: 'InvalidType', detail: 'This value should be of type int.', method: 'POST', path: '/api/v4/calls' });
    const item = { direction: 'inbound', duration: 1, source: 's', phone: '+31260010001', request_id: 'r-7' };
    const r = await k.api('POST', '/api/v4/calls', [item]);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      'validation-errors': [{ request_id: 'r-7', errors: [{ code: 'InvalidType', path: 'duration', detail: 'This value should be of type int.' }] }],
      title: 'Bad Request', type: 'https://httpstatus.es/400', status: 400, detail: 'Request validation failed',
    });
    expect(k.sim.state().calls).toEqual([]);
    expect((await k.api('POST', '/api/v4/calls', [item])).status).toBe(200);
  });

  it('refuses a fault rule that makes no sense', () => {
    expect(() => k.sim.fail({ kind: 'invalid' } as never)).toThrow('sim/kommo fail(): an invalid fault needs the field Kommo refuses, e.g. "responsible_user_id"; got undefined');
    expect(() => k.sim.fail({ kind: 'error', status: 404 })).toThrow('sim/kommo fail(): status of an error fault must be 500..599; got 404');
  });

  it('takes faults over the control route', async () => {
    const add = await call(`${k.sim.url}/__sim/faults`, 'POST', { kind: 'error', status: 504, path: '/api/v4/account' }, { token: null });
    expect(add.status).toBe(201);
    expect((await k.api('GET', '/api/v4/account')).status).toBe(504);
  });

  it('answers 400 with the reason to a bad fault on the control route', async () => {
    const r = await call(`${k.sim.url}/__sim/faults`, 'POST', { kind: 'explode' }, { token: null });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('kind must be one of error, delay, timeout, rate-limit, reset, invalid; got "explode"');
  });

  it('expires the current access token over the control route', async () => {
    const { accessToken } = k.sim.tokens();
    const r = await call(`${k.sim.url}/__sim/expire-token`, 'POST', {}, { token: null });
    expect(r.body).toEqual({ expired: [accessToken] });
    expect((await k.api('GET', '/api/v4/account', undefined, { token: accessToken })).status).toBe(401);
  });
});
