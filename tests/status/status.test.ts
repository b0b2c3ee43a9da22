import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatus, DURATION_WINDOW, HOUR_MS, kommoHealthOf, type Status, type StatusSnapshot } from '../../status/index.ts';
import { serve, type Served } from './harness.ts';

// 2025-03-10 12:30 UTC; the clock is moved by the tests.
const T0 = Date.UTC(2025, 2, 10, 12, 30);
const MIN = 60_000;
let t = T0;
let status: Status;
let served: Served;
let outbox = 4;

async function snapshot(): Promise<StatusSnapshot> {
  const r = await served.get('/api/status', { cookie: served.cookie });
  expect(r.status).toBe(200);
  return JSON.parse(r.text) as StatusSnapshot;
}

beforeAll(async () => {
  status = createStatus({ now: () => t, processMetrics: false });
  served = await serve({ status: () => status.snapshot() });

  status.ami(false, T0 - 10 * MIN);
  status.ami(true, T0 - 5 * MIN);
  status.ami(true, T0 - 1 * MIN); // still connected: "since" does not move
  status.kommo({ reachable: true, phoneField: { ok: false, detail: 'no enum WORK' }, rateLimit: { used: 3, limit: 7 } }, T0 - MIN);
  status.outboxDepth(() => outbox);
  status.callsInFlight(() => 2);
  status.publishedVersion((hook) => (hook === 'process_client_phone' ? 7 : null));

  const call = (ok: boolean, at: number, n = 1) => {
    for (let i = 0; i < n; i++) status.callFinished({ linkedid: `${at}.${i}`, ok, at });
  };
  call(true, T0, 3); // this hour
  call(false, T0 - 30 * MIN); // 12:00, this hour and the last 60 minutes
  call(true, T0 - 2 * HOUR_MS, 2); // 10:30
  call(false, T0 - 23.5 * HOUR_MS); // 13:00 yesterday: the first hour of the series
  call(true, T0 - 25 * HOUR_MS); // older than a day: in the totals only

  // Durations 1..100 ms in shuffled order: nearest-rank p50 = 50, p95 = 95.
  const ds = Array.from({ length: 100 }, (_, i) => i + 1).sort((a, b) => ((a * 37) % 101) - ((b * 37) % 101));
  for (const d of ds) status.hookInvoked({ hook: 'process_client_phone', version: 7, code: null, durationMs: d, at: T0 });
  for (let i = 0; i < 5; i++) status.hookInvoked({ hook: 'process_client_phone', version: null, code: 'NO_SCRIPT', durationMs: 10_000, at: T0 });
  status.hookInvoked({ hook: 'process_client_phone', version: 7, code: 'TIMEOUT', durationMs: 1000, at: T0 });
  status.hookInvoked({ hook: 'process_client_phone', version: 7, code: 'TIMEOUT', durationMs: 1000, at: T0 - 3 * HOUR_MS });
  status.hookInvoked({ hook: 'post_registration', version: 2, code: 'SCRIPT_ERROR', durationMs: 1, at: T0 });
  status.hookInvoked({ hook: 'post_registration', version: 2, code: 'INVALID_INPUT', durationMs: 1, at: T0 });
});
afterAll(async () => {
  await served.close();
});

describe('GET /api/status', () => {
  it('answers 401 without a session', async () => {
    expect((await served.get('/api/status')).status).toBe(401);
  });

  it('reports AMI, Kommo, outbox and calls in flight', async () => {
    const s = await snapshot();
    expect(s.at).toBe(T0);
    expect(s.ami).toEqual({ connected: true, since: T0 - 5 * MIN });
    expect(s.kommo).toEqual({ reachable: true, phoneField: { ok: false, detail: 'no enum WORK' }, rateLimit: { used: 3, limit: 7 }, checkedAt: T0 - MIN });
    expect(s.outbox).toEqual({ depth: 4 });
    expect(s.calls.inFlight).toBe(2);
  });

  it('counts calls registered and failed as numbers: totals, the last hour and the last day', async () => {
    const s = await snapshot();
    expect(s.calls.registered).toBe(6);
    expect(s.calls.failed).toBe(2);
    expect(s.calls.lastHour).toEqual({ registered: 3, failed: 1 });
    expect(s.calls.lastDay).toEqual({ registered: 5, failed: 2 });
  });

  it('buckets calls and hook failures per hour over the last day, the current hour last', async () => {
    const { series } = await snapshot();
    const thisHour = Date.UTC(2025, 2, 10, 12);
    expect(series.hours).toHaveLength(24);
    expect(series.hours[23]).toBe(thisHour);
    expect(series.hours[0]).toBe(thisHour - 23 * HOUR_MS);
    const nonZero = (a: number[]) => Object.fromEntries(a.flatMap((v, i) => (v ? [[i, v]] : [])));
    expect(nonZero(series.calls)).toEqual({ 0: 1, 21: 2, 23: 4 });
    expect(nonZero(series.callsFailed)).toEqual({ 0: 1, 23: 1 });
    // Script failures only: two TIMEOUTs and a SCRIPT_ERROR; NO_SCRIPT and INVALID_INPUT are not the script's.
    expect(nonZero(series.failures)).toEqual({ 20: 1, 23: 2 });
  });

  it('per hook: invocations, failures by code, the default runs, percentiles, the published version', async () => {
    const { hooks } = await snapshot();
    expect(hooks.process_client_phone).toMatchObject({
      invocations: 107,
      failures: { TIMEOUT: 2 },
      defaults: 5,
      errors: {},
      publishedVersion: 7,
      lastVersion: 7,
    });
    // NO_SCRIPT durations are left out; 1..100 and two 1000 ms timeouts: ranks 51 and 97 of 102.
    expect(hooks.process_client_phone?.p50Ms).toBe(51);
    expect(hooks.process_client_phone?.p95Ms).toBe(97);
    expect(hooks.post_registration).toMatchObject({ invocations: 2, failures: { SCRIPT_ERROR: 1 }, errors: { INVALID_INPUT: 1 }, publishedVersion: null });
    // Every hook is listed, invoked or not.
    expect(Object.keys(hooks)).toHaveLength(13);
    expect(hooks.need_registration).toMatchObject({ invocations: 0, p50Ms: null, p95Ms: null });
  });

  it('moves with the clock: two hours on, the last hour is empty and the series has shifted', async () => {
    const saved = t;
    t = T0 + 2 * HOUR_MS;
    try {
      const s = await snapshot();
      expect(s.calls.lastHour).toEqual({ registered: 0, failed: 0 });
      // 13:00 yesterday has left the day; 10:30 today is still in it.
      expect(s.calls.lastDay).toEqual({ registered: 5, failed: 1 });
      expect(s.series.hours[23]).toBe(Date.UTC(2025, 2, 10, 14));
      expect(s.series.calls[21]).toBe(4);
      expect(s.series.calls[19]).toBe(2);
      expect(s.calls.registered).toBe(6);
    } finally {
      t = saved;
    }
  });
});

describe('the feeds', () => {
  it('percentiles cover the most recent invocations only', () => {
    const s = createStatus({ now: () => T0, processMetrics: false });
    for (let i = 0; i < DURATION_WINDOW; i++) s.hookInvoked({ hook: 'post_registration', version: 1, code: null, durationMs: 900, at: T0 });
    for (let i = 0; i < DURATION_WINDOW - 10; i++) s.hookInvoked({ hook: 'post_registration', version: 1, code: null, durationMs: 2, at: T0 });
    const h = s.snapshot().hooks.post_registration;
    expect(h?.p50Ms).toBe(2);
    expect(h?.p95Ms).toBe(2);
    s.hookInvoked({ hook: 'post_registration', version: 1, code: null, durationMs: 2, at: T0 });
    expect(s.snapshot().hooks.post_registration?.invocations).toBe(2 * DURATION_WINDOW - 9);
  });

  it('never throw, and a provider that throws reads as zero', () => {
    const s = createStatus({ now: () => T0, processMetrics: false });
    s.outboxDepth(() => {
      throw new Error('outbox closed');
    });
    s.callsInFlight(() => Number.NaN);
    s.publishedVersion(() => {
      throw new Error('store closed');
    });
    expect(() => s.hookInvoked(null as never)).not.toThrow();
    expect(() => s.callFinished(undefined as never)).not.toThrow();
    expect(() => s.kommo(null as never)).not.toThrow();
    const snap = s.snapshot();
    expect(snap.outbox.depth).toBe(0);
    expect(snap.calls.inFlight).toBe(0);
    expect(snap.hooks.post_registration?.publishedVersion).toBeNull();
    expect(snap.ami).toEqual({ connected: false, since: null });
    expect(snap.kommo.checkedAt).toBeNull();
  });
});

it('ignores a hook name that is not one of the 13', () => {
  const s = createStatus({ now: () => T0, processMetrics: false });
  s.hookInvoked({ hook: 'no_such_hook', version: 1, code: null, durationMs: 1, at: T0 });
  expect(Object.keys(s.snapshot().hooks)).toHaveLength(13);
  expect(s.snapshot().hooks.no_such_hook).toBeUndefined();
});

it("reads Kommo's rate-limit budget from its provider when one is set", () => {
  const s = createStatus({ now: () => T0, processMetrics: false });
  s.kommo({ reachable: true, phoneField: { ok: true }, rateLimit: { used: 1, limit: 7 } });
  expect(s.snapshot().kommo.rateLimit).toEqual({ used: 1, limit: 7 });
  let used = 5;
  s.rateLimit(() => ({ used, limit: 7 }));
  expect(s.snapshot().kommo.rateLimit).toEqual({ used: 5, limit: 7 });
  used = 6;
  expect(s.snapshot().kommo.rateLimit).toEqual({ used: 6, limit: 7 });
});

it("turns the engine's PHONE field check into Kommo's health", () => {
  expect(kommoHealthOf({ ok: true })).toEqual({ reachable: true, phoneField: { ok: true } });
  const missing = kommoHealthOf({ ok: false, reason: 'no-phone-field', error: { code: 'KOMMO_NO_PHONE_FIELD', message: 'none of the 3 contact fields has the code PHONE' } });
  expect(missing).toEqual({ reachable: true, phoneField: { ok: false, detail: 'none of the 3 contact fields has the code PHONE' } });
  expect(kommoHealthOf({ ok: false, reason: 'request-failed', error: { code: 'KOMMO_TIMEOUT', message: 'timed out' } }).reachable).toBe(false);
  expect(kommoHealthOf({ ok: false, reason: 'request-failed', error: { code: 'KOMMO_UNAUTHORIZED', message: 'token refused' } }).reachable).toBe(true);
});
