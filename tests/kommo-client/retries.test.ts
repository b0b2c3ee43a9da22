import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../log/index.ts';
import { clientFor, makeClock, sent, startSim } from './helpers.ts';

const ACCOUNT = 'GET /api/v4/account';

describe('engine/kommo: retries', () => {
  it('retries a 503 and succeeds', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'error', status: 503, times: 2 });
    const r = await clientFor(sim).account();
    expect([r.ok, sim.requests({ route: ACCOUNT }).map((x) => x.status)]).toEqual([true, [503, 503, 200]]);
  });

  it('retries a 500 with Kommo\'s JSON body and succeeds', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'error', status: 500 });
    expect((await clientFor(sim).account()).ok).toBe(true);
  });

  it('retries after a request that got no answer within timeoutMs', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'timeout' });
    const r = await clientFor(sim, { timeoutMs: 200 }).account();
    expect([r.ok, sent(sim, ACCOUNT)]).toEqual([true, 2]);
  });

  it('retries after a delay longer than timeoutMs', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'delay', ms: 400 });
    const r = await clientFor(sim, { timeoutMs: 150 }).account();
    expect([r.ok, sent(sim, ACCOUNT)]).toEqual([true, 2]);
  });

  it('retries after a connection reset', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'reset' });
    expect((await clientFor(sim).account()).ok).toBe(true);
  });

  it('retries a 429 with the documented JSON body', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'rate-limit', times: 2 });
    const r = await clientFor(sim).account();
    expect([r.ok, sim.requests({ route: ACCOUNT }).map((x) => x.status)]).toEqual([true, [429, 429, 200]]);
  });

  it('retries a 429 that comes as an nginx HTML page', async () => {
    const sim = await startSim({ tooManyRequestsBody: 'html' });
    sim.fail({ kind: 'rate-limit' });
    const r = await clientFor(sim).account();
    expect([r.ok, sim.requests({ route: ACCOUNT }).map((x) => x.status)]).toEqual([true, [429, 200]]);
  });

  it('gives up after the retries with KOMMO_UNAVAILABLE, counting every attempt', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'error', status: 502, times: 'always' });
    const r = await clientFor(sim, { retry: { retries: 2, baseMs: 1, maxMs: 2 } }).account({ linkedid: '1715000100.2' });
    expect(r.ok ? null : [r.error.code, r.error.attempts, r.error.message]).toEqual([
      'KOMMO_UNAVAILABLE', 3, 'Kommo is unavailable for GET /api/v4/account on call 1715000100.2 after 3 attempts: 502 Bad Gateway (an HTML page)',
    ]);
  });

  it('gives up on a 429 that does not end with KOMMO_RATE_LIMITED', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'rate-limit', times: 'always' });
    const r = await clientFor(sim, { retry: { retries: 1, baseMs: 1, maxMs: 2 } }).account();
    expect(r.ok ? null : [r.error.code, r.error.status, r.error.attempts]).toEqual(['KOMMO_RATE_LIMITED', 429, 2]);
  });

  it('gives up on timeouts with KOMMO_TIMEOUT naming the limit', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'timeout', times: 'always' });
    const r = await clientFor(sim, { timeoutMs: 100, retry: { retries: 1, baseMs: 1, maxMs: 2 } }).account();
    expect(r.ok ? null : [r.error.code, r.error.message]).toEqual(['KOMMO_TIMEOUT', 'Kommo did not answer GET /api/v4/account within 100 ms (2 attempts)']);
  });

  it('logs each retry with its code and the call', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'error', status: 503 });
    const { log, lines } = createMemoryLogger('debug');
    await clientFor(sim, { logger: log }).account({ linkedid: '1715000100.2' });
    expect(lines().filter((l) => l.msg === 'kommo: retrying').map((l) => [l.code, l.linkedid, l.status, l.module])).toEqual([['KOMMO_UNAVAILABLE', '1715000100.2', 503, 'kommo']]);
  });

  it('does not retry a 404 and says to check the base URL', async () => {
    const sim = await startSim();
    const r = await clientFor(sim, { baseUrl: `${sim.url}/wrong` }).account();
    expect(r.ok ? null : [r.error.code, r.error.attempts, r.error.hint.startsWith('Check kommo.baseUrl')]).toEqual(['KOMMO_NOT_FOUND', 1, true]);
  });
});

describe('engine/kommo: the 403 block', () => {
  async function blockedSetup() {
    const clock = makeClock();
    const sim = await startSim({ limits: { requestsPerSecond: 1, blockAfter429Count: 1, blockDurationMs: 60_000 } });
    const kommo = clientFor(sim, { now: clock.now, blockBackoffMs: 60_000 });
    // The client thinks it may send 7 per window; the account allows 1, and one 429 blocks it.
    const results = await Promise.all([kommo.account(), kommo.account(), kommo.account()]);
    return { sim, kommo, clock, results };
  }

  it('reports the block as KOMMO_BLOCKED with how long it waits', async () => {
    const { results } = await blockedSetup();
    const blocked = results.filter((r) => !r.ok).map((r) => (r.ok ? null : [r.error.code, r.error.retryAfterMs !== undefined && r.error.retryAfterMs > 0]));
    expect(blocked.length > 0 && blocked.every((b) => b?.[0] === 'KOMMO_BLOCKED' && b[1] === true)).toBe(true);
  });

  it('sends nothing to Kommo while the pause lasts', async () => {
    const { sim, kommo } = await blockedSetup();
    const before = sim.counters().requests;
    const r = await kommo.account();
    expect([r.ok ? null : r.error.code, r.ok ? null : r.error.attempts, sim.counters().requests]).toEqual(['KOMMO_BLOCKED', 0, before]);
  });

  it('probes Kommo again once the pause is over', async () => {
    const { sim, kommo, clock } = await blockedSetup();
    clock.advance(60_001);
    sim.setLimits({ blockDurationMs: 0 });
    const before = sim.counters().requests;
    await kommo.account();
    expect(sim.counters().requests).toBeGreaterThan(before);
  });
});
