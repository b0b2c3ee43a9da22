/**
 * Issue 4: a burst of 1,000 finished calls registered in sim/kommo at its rate limit: requests per registered
 * call, 429 answers, time to drain, calls lost; against a naive sequence (one request per step: no batching,
 * no phone cache, no phone index, one call at a time) on the same calls in the same run. Issue 20: with the local
 * index of the account's phones (engine/phone-index, built before the burst, its refreshes counted), the same
 * burst at Kommo's real pace, and "a manager" making a tenth of the clients' contacts during it.
 * The calls: 1,000 from 400 clients new to the account (so the first call of each creates its contact),
 * 30% missed (a task each), built from two captured calls (answered, abandoned) run through the tracker.
 *
 * Issue 20: the bench runs Kommo's clock TIME_SCALE (4) times faster so that it takes ~3 minutes, not ~12, and
 * EVERY time constant of the path is scaled with it, not just the rate window. Until issue 20 only the rate
 * window was (7 requests per 100 ms) while the 30 s phone cache kept its real lifetime: a client's next call
 * came ~10 s later instead of ~2 minutes and found its contact in the cache, so the bench said 1.01 requests per
 * call where a real-pace run of the same burst measured 1.68 (issue 20), 2.15 on the code of issue 20's bench
 * (310 s; the scaled bench: 2.10-2.47 at 4×, 2.40 at 10×). Why 4 and not 10: what does not scale (below)
 * is ~1-3 ms per request, and the answers of one rate window's requests come back spread over a few ms; at 10×
 * the batch window is 5 ms, no longer than that spread, so writes that share one batch at the real pace split
 * into two or three (a 60-call burst: 1.08-1.55 requests per call at 10×, 0.93-1.18 at 4-5×, 0.85-1.12 at
 * the real pace). `timings(timeScale)` divides each of these by
 * the scale (their defaults are Kommo's and hookline's real values):
 *   engine/kommo (createKommoClient):
 *     rateWindowMs 1,000          the window of Kommo's 7 requests a second (client limiter)
 *     rateMarginMs 10             added to every rate slot's hold (rate-limiter.ts)
 *     phoneCacheTtlMs 30,000      how long a phone search answer is kept (phone-cache.ts)
 *     readCacheTtlMs 30,000       contacts, leads, companies read by id (read-cache.ts)
 *     batch.windowMs 50           how long a write waits for company in a batch (batcher.ts)
 *     retry.baseMs 250, maxMs 10,000   the client's retry back-off (backoff.ts)
 *     timeoutMs 10,000            no answer within it: a timeout (http.ts, transport.ts)
 *     blockBackoffMs 300,000      the pause after Kommo's 403 block (transport.ts)
 *     (the limiter's recovery after a 429, recoverAfterWindows = 10, is counted in windows: it scales with the window)
 *   engine/registrar (createRegistrar):
 *     retryBaseMs 2,000, retryMaxMs 300,000   the back-off before a call is tried again (failure.ts)
 *     ambiguousSettleMs 15,000    the wait before looking for a write whose answer was lost (failure.ts)
 *   engine/phone-index (createPhoneIndex):
 *     refreshMs 60,000            how often what changed in Kommo is read (config registration.phoneIndex.refreshSeconds)
 *   sim/kommo (startKommo limits):
 *     rateWindowMs 1,000, blockCountWindowMs 60,000, blockDurationMs 900,000, repeatedRequestsWindowMs 60,000
 * Not scaled, and why: the OAuth token lifetimes and refreshBeforeMs (the bench uses a long-lived token); the
 * account refresh every 5 minutes (the service runs it, not the registrar the bench drives); client-queue's 10 ms
 * poll in close() (shutdown only); and what is not a constant at all, the time each request takes on 127.0.0.1
 * and in the engine (~1-3 ms), which is TIME_SCALE times larger against a scaled window than against the real one. The real
 * pace is `timeScale: 1`; tests/bench/registration-pace.test.ts runs a smaller burst both ways and holds the
 * scaled figure to the real one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallFull } from '../../contracts/index.ts';
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { createKommoClient } from '../../engine/kommo/index.ts';
import { openOutbox } from '../../engine/outbox/index.ts';
import { createPhoneIndex } from '../../engine/phone-index/index.ts';
import { phoneKey } from '../../engine/kommo/index.ts';
import { parseAmi } from '../../ami-wire/index.ts';
import { createRegistrar, type CallToRegister } from '../../engine/registrar/index.ts';
import { initialState, track } from '../../engine/tracker/index.ts';
import { silentLogger } from '../../log/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { startKommo } from '../../sim/kommo/index.ts';
import type { BenchFigure, BenchSuite } from '../suite.ts';

const N = 1_000;
const CLIENTS = 400;
/** Kommo's clock runs this many times faster in the bench (every constant below divided by it). */
export const TIME_SCALE = 4;
const FIXTURES = new URL('../../tests/fixtures/ami/', import.meta.url).pathname;

/** Every time constant of the registration path at `timeScale` (1: Kommo's and hookline's real values). */
export function timings(timeScale: number) {
  const t = (ms: number) => ms / timeScale;
  return {
    kommo: {
      rateWindowMs: t(1_000), rateMarginMs: t(10), phoneCacheTtlMs: t(30_000), readCacheTtlMs: t(30_000),
      batch: { windowMs: t(50) }, retry: { baseMs: t(250), maxMs: t(10_000) }, timeoutMs: t(10_000), blockBackoffMs: t(5 * 60_000),
    },
    registrar: { retryBaseMs: t(2_000), retryMaxMs: t(300_000), ambiguousSettleMs: t(15_000) },
    phoneIndex: { refreshMs: t(60_000) },
    sim: { rateWindowMs: t(1_000), blockCountWindowMs: t(60_000), blockDurationMs: t(15 * 60_000), repeatedRequestsWindowMs: t(60_000) },
  };
}

function callFullOf(file: string): CallFull {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  let state = initialState({ trunks: [/^SIP\/voipgrid-siproute-docker(-|$)/] });
  let last: CallFull | null = null;
  for (const m of parseAmi(text).messages) {
    const r = track(state, m);
    state = r.state;
    for (const e of r.emitted) if (e.stage === 'call_ended') last = e.call as CallFull;
  }
  if (!last) throw new Error(`no call in ${file}`);
  return last;
}

/** `n` finished calls from `clients` new clients in turn (call i from client i % clients), 30% missed. */
export function burstCalls(n = N, clients = CLIENTS): CallToRegister[] {
  const answered = callFullOf('caco-inbound-queue-answered.ami');
  const missed = callFullOf('caco-inbound-queue-caller-abandon.ami');
  return Array.from({ length: n }, (_, i) => {
    const isMissed = i % 10 < 3;
    const cf = structuredClone(isMissed ? missed : answered);
    const linkedid = `bench-${i}`;
    cf.channel.id = linkedid;
    return { linkedid, phone: `+3120${String(1_000_000 + (i % clients))}`, direction: 'inbound', call_full: cf, answeredBy: isMissed ? null : '201', lastUser: '201' };
  });
}

export interface BurstResult {
  ms: number; requests: number; status429: number; lost: number; registered: number; failed: number; duplicates: number; requestsPerCall: number; byRoute: Record<string, number>;
  /** Phones held by more than one contact at the end (a client hookline created a second contact for). */
  duplicateContacts: number;
  /** Contacts "a manager" made during the burst (the `managerShare` variant). */
  managerContacts: number;
}

/**
 * The burst registered in a fresh sim/kommo with every time constant at `timeScale`; naive: one request per step,
 * no phone index. `managerShare`: that share of the clients (the last ones, whose first calls come late) get a
 * contact made by "a manager" in sim/kommo 2 s (scaled) into the burst, which the phone index does not hold.
 */
export async function registrationBurst(work: CallToRegister[], o: { timeScale: number; naive?: boolean; managerShare?: number }): Promise<BurstResult> {
  const naive = o.naive === true;
  const tm = timings(o.timeScale);
  const dir = mkdtempSync(join(tmpdir(), 'hl-bench-reg-'));
  const sim = await startKommo({ account: 'empty', limits: tm.sim });
  const runner = createRunner();
  const kommo = createKommoClient({
    baseUrl: sim.url, auth: { kind: 'long-lived', token: 'sim-long-lived-token' }, ...tm.kommo,
    ...(naive ? { batch: { windowMs: 0, maxItems: 1 }, phoneCacheTtlMs: 0, readCacheTtlMs: 0 } : {}),
  });
  const outbox = await openOutbox<CallToRegister>(dir);
  const hooks = createHookInvoker({ runner, scripts: { published: () => null }, log: silentLogger });
  const phoneIndex = naive ? null : createPhoneIndex({ kommo, dir, account: sim.url, refreshMs: tm.phoneIndex.refreshMs, log: silentLogger });
  let done = 0;
  let failed = 0;
  const registrar = createRegistrar({
    kommo, hooks, outbox, log: silentLogger, users: { '201': 5_001_001 }, ...tm.registrar,
    settings: { mode: 'contact', createLead: false, tags: ['hookline'], updateResponsible: false, tasks: { enabled: true, deadlineMinutes: 60, responsibleMode: 0, taskTypeId: 1 }, timezone: 'UTC' },
    ...(naive ? { concurrency: 1 } : {}),
    ...(phoneIndex ? { phoneIndex } : {}),
    onOutcome: (r) => (r.ok ? (done += 1) : (failed += 1)),
  });
  try {
    const started = await registrar.start();
    if (!started.ok) throw new Error(started.error.message);
    // The index is built before the burst (the account is empty: one read of each list); its refreshes during
    // the burst are counted.
    await phoneIndex?.start();
    const before = sim.counters();
    const t0 = performance.now();
    const phones = [...new Set(work.map((c) => c.phone))];
    const managed = phones.slice(phones.length - Math.round(phones.length * (o.managerShare ?? 0)));
    const manager = managed.length === 0 ? null : setTimeout(() => {
      sim.seedContacts(managed.map((p) => ({ name: `Manager's ${p}`, phones: [p], responsible_user_id: 5_001_002 })));
    }, 2_000 / o.timeScale);
    for (const c of work) await registrar.submit(c);
    await registrar.idle();
    const ms = performance.now() - t0;
    if (manager) clearTimeout(manager);
    const after = sim.counters();
    const requests = after.requests - before.requests;
    const state = sim.state();
    const logged = new Set(state.calls.map((c) => c.uniq));
    const lost = work.filter((c) => !logged.has(c.linkedid)).length;
    const status429 = after.status429 - before.status429;
    const perPhone = new Map<string, number>();
    for (const ct of state.contacts) for (const f of ct.custom_fields_values ?? []) for (const v of f.values) perPhone.set(phoneKey(String(v.value)), (perPhone.get(phoneKey(String(v.value))) ?? 0) + 1);
    const duplicateContacts = [...perPhone.values()].filter((n) => n > 1).length;
    const managerContacts = state.contacts.filter((ct) => ct.name.startsWith('Manager')).length;
    return { ms, requests, status429, lost, registered: done, failed, duplicates: state.calls.length - logged.size, requestsPerCall: requests / Math.max(1, done), byRoute: kommo.stats().byRoute, duplicateContacts, managerContacts };
  } finally {
    await registrar.close();
    await phoneIndex?.close();
    await outbox.close();
    await runner.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const WINDOW_MS = 1_000 / TIME_SCALE;

export const suite: BenchSuite = {
  name: 'registration',
  about: `a burst of ${N} calls (${CLIENTS} new clients, 30% missed) registered in sim/kommo with Kommo's clock ${TIME_SCALE}× faster: 7 requests per ${WINDOW_MS} ms and every other time constant (cache lifetimes, batch windows, retry delays, the phone index's refresh) divided by ${TIME_SCALE} (issues 4, 20), vs a naive sequence (one request per step, no batching, no cache, no phone index); the same burst at Kommo's real pace, and with a tenth of the clients made by "a manager" during it`,
  async run(): Promise<BenchFigure[]> {
    const work = burstCalls();
    const ours = await registrationBurst(work, { timeScale: TIME_SCALE });
    const naive = await registrationBurst(work, { timeScale: TIME_SCALE, naive: true });
    const real = await registrationBurst(work, { timeScale: 1 });
    const managed = await registrationBurst(work, { timeScale: TIME_SCALE, managerShare: 0.1 });
    const scale = TIME_SCALE;
    const bad = (r: BurstResult) => r.lost + r.duplicates + r.failed;
    return [
      {
        key: 'registration.requestsPerCall', label: `requests per registered call (${N} calls, scaled ×${scale})`, value: ours.requestsPerCall, unit: 'req/call',
        baseline: { label: 'naive sequence', value: naive.requestsPerCall },
        target: { text: 'at most 0.5 requests per call (issue 20)', met: ours.requestsPerCall <= 0.5 },
      },
      {
        key: 'registration.requestsPerCallRealPace', label: `requests per registered call at Kommo's real pace (7/s, ${Math.round(real.ms / 1000)} s)`, value: real.requestsPerCall, unit: 'req/call',
        target: { text: 'at most 0.5, zero 429, none lost or duplicated (issue 20)', met: real.requestsPerCall <= 0.5 && real.status429 === 0 && bad(real) === 0 },
      },
      { key: 'registration.status429', label: '429 answers during the burst', value: ours.status429 + real.status429, unit: 'answers', baseline: { label: 'naive sequence', value: naive.status429 }, target: { text: 'zero 429', met: ours.status429 + real.status429 === 0 } },
      { key: 'registration.lost', label: 'calls lost (no call log) or logged twice, scaled and real pace', value: bad(ours) + bad(real), unit: 'calls', target: { text: 'zero lost', met: bad(ours) + bad(real) === 0 } },
      {
        key: 'registration.managerDuplicates', label: `clients with two contacts when "a manager" made ${managed.managerContacts} of them during the burst`, value: managed.duplicateContacts, unit: 'clients',
        target: { text: 'none duplicated, no call lost', met: managed.duplicateContacts === 0 && bad(managed) === 0 && managed.managerContacts === CLIENTS / 10 },
      },
      {
        key: 'registration.drainMs', label: `time to drain ${N} calls at 7 req/${WINDOW_MS} ms`, value: Math.round(ours.ms), unit: 'ms',
        baseline: { label: 'naive sequence', value: Math.round(naive.ms) },
      },
      { key: 'registration.drainRealS', label: 'the same, at Kommo\'s real 7 requests/s', value: Math.round(real.ms / 1000), unit: 's', baseline: { label: 'naive sequence, scaled', value: Math.round((naive.ms * scale) / 1000) } },
      { key: 'registration.requests', label: 'HTTP requests to Kommo for the burst', value: ours.requests, unit: 'requests', baseline: { label: 'naive sequence', value: naive.requests } },
    ];
  },
};
