import { describe, expect, it } from 'vitest';
import { MAX_REQUESTS_PER_SECOND } from '../../sim/kommo/index.ts';
import { useKommo, type KommoHarness } from './helpers.ts';

async function burst(k: KommoHarness, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) out.push((await k.api('GET', '/api/v4/account')).status);
  return out;
}

describe('sim/kommo rate limit', () => {
  const k = useKommo({ limits: { requestsPerSecond: MAX_REQUESTS_PER_SECOND, blockAfter429Count: 3, blockCountWindowMs: 10_000, blockDurationMs: 60_000 } });

  it('answers the 8th request within one second with 429 and Kommo\'s JSON body', async () => {
    const statuses = await burst(k, 8);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 429]);
    const r = await k.api('GET', '/api/v4/account');
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(r.body).toEqual({ title: 'Too Many Requests', type: 'https://httpstatus.es/429', status: 429, detail: 'You have sent too many requests in a given amount of time. Please try again later.', retry_after: 300 });
  });

  it('answers again once the second has passed', async () => {
    await burst(k, 8);
    k.clock.advance(1_000);
    expect(await burst(k, 1)).toEqual([200]);
  });

  it('counts requests over a sliding second, not per calendar second', async () => {
    await burst(k, 4);
    k.clock.advance(600);
    await burst(k, 3);
    k.clock.advance(600);
    // The first four left the window; the three later ones are still in it.
    expect(await burst(k, 5)).toEqual([200, 200, 200, 200, 429]);
  });

  it('blocks every request with 403 after repeated overruns, unauthenticated ones too', async () => {
    await burst(k, 7 + 3);
    const r = await k.api('GET', '/api/v4/contacts', undefined, { token: null });
    expect(r.status).toBe(403);
    expect(r.type).toMatch(/^text\/html/);
    expect(r.text).toContain('403 Forbidden');
    expect(k.sim.blockedUntil()).toBe(k.clock.now + 60_000);
  });

  it('keeps the 403 block after the per-second window has passed', async () => {
    await burst(k, 10);
    k.clock.advance(5_000);
    expect(await burst(k, 1)).toEqual([403]);
  });

  it('lifts the block when its time is up', async () => {
    await burst(k, 10);
    k.clock.advance(60_000);
    expect(await burst(k, 1)).toEqual([200]);
    expect(k.sim.blockedUntil()).toBeNull();
  });

  it('counts 429 and 403 answers', async () => {
    await burst(k, 12);
    expect(k.sim.counters()).toMatchObject({ requests: 12, status429: 3, status403: 2 });
  });
});

describe('sim/kommo rate limit with the HTML body seen in the field', () => {
  const k = useKommo({ limits: { requestsPerSecond: 1 }, tooManyRequestsBody: 'html' });

  it('answers 429 with an HTML page and no Retry-After', async () => {
    await k.api('GET', '/api/v4/account');
    const r = await fetch(`${k.sim.url}/api/v4/account`, { headers: { authorization: 'Bearer sim-long-lived-token' } });
    expect(r.status).toBe(429);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('retry-after')).toBeNull();
    expect(await r.text()).toContain('<title>429 Too Many Requests</title>');
  });
});

// Issue 21, point 11: the block follows "suspicious activity", such as the same data requested many times in a
// short period, not only repeated 429s (https://developers.kommo.com/docs/limitations). Kommo names no number.
describe('sim/kommo: the 403 block after the same read many times', () => {
  const k = useKommo({ limits: { blockAfterRepeatedRequests: 5, repeatedRequestsWindowMs: 10_000, blockDurationMs: 60_000 } });

  it('blocks after more than blockAfterRepeatedRequests identical reads within the window, well under the rate limit', async () => {
    for (let i = 0; i < 5; i += 1) expect((await k.api('GET', '/api/v4/contacts?query=%2B31260010001')).status).toBe(200);
    // Other reads are not the same data.
    expect((await k.api('GET', '/api/v4/contacts?query=%2B31150010001')).status).toBe(200);
    const r = await k.api('GET', '/api/v4/contacts?query=%2B31260010001');
    expect([r.status, k.sim.blockedUntil()]).toEqual([403, k.clock.now + 60_000]);
    expect((await k.api('GET', '/api/v4/account')).status).toBe(403);
  });

  it('counts only reads within the window', async () => {
    for (let i = 0; i < 5; i += 1) await k.api('GET', '/api/v4/account');
    k.clock.advance(10_001);
    expect((await k.api('GET', '/api/v4/account')).status).toBe(200);
  });
});
