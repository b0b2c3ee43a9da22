/**
 * Issue 4: a burst of 1,000 finished calls registered in sim/kommo at its rate limit: requests per registered
 * call, 429 answers, time to drain, calls lost; against a naive sequence (one request per step: no batching,
 * no phone cache, one call at a time) on the same calls in the same run. Kommo's limit is 7 requests per
 * second; both sides run it on a 100 ms window (7 requests per 100 ms) so the bench takes a minute, not
 * ten: drain times are also given scaled back to the real 1 s window.
 * The calls: 1,000 from 400 clients new to the account (so the first call of each creates its contact),
 * 30% missed (a task each), built from two captured calls (answered, abandoned) run through the tracker.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallFull } from '../../contracts/index.ts';
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { createKommoClient } from '../../engine/kommo/index.ts';
import { openOutbox } from '../../engine/outbox/index.ts';
import { parseAmi } from '../../ami-wire/index.ts';
import { createRegistrar, type CallToRegister } from '../../engine/registrar/index.ts';
import { initialState, track } from '../../engine/tracker/index.ts';
import { silentLogger } from '../../log/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { startKommo } from '../../sim/kommo/index.ts';
import type { BenchFigure, BenchSuite } from '../suite.ts';

const N = 1_000;
const CLIENTS = 400;
const WINDOW_MS = 100;
const FIXTURES = new URL('../../tests/fixtures/ami/', import.meta.url).pathname;

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

function calls(): CallToRegister[] {
  const answered = callFullOf('caco-inbound-queue-answered.ami');
  const missed = callFullOf('caco-inbound-queue-caller-abandon.ami');
  return Array.from({ length: N }, (_, i) => {
    const isMissed = i % 10 < 3;
    const cf = structuredClone(isMissed ? missed : answered);
    const linkedid = `bench-${i}`;
    cf.channel.id = linkedid;
    return { linkedid, phone: `+3120${String(1_000_000 + (i % CLIENTS))}`, direction: 'inbound', call_full: cf, answeredBy: isMissed ? null : '201', lastUser: '201' };
  });
}

async function burst(naive: boolean, work: CallToRegister[]) {
  const dir = mkdtempSync(join(tmpdir(), 'hl-bench-reg-'));
  const sim = await startKommo({ account: 'empty', limits: { rateWindowMs: WINDOW_MS } });
  const runner = createRunner();
  const kommo = createKommoClient({
    baseUrl: sim.url, auth: { kind: 'long-lived', token: 'sim-long-lived-token' }, rateWindowMs: WINDOW_MS,
    ...(naive ? { batch: { windowMs: 0, maxItems: 1 }, phoneCacheTtlMs: 0 } : {}),
  });
  const outbox = await openOutbox<CallToRegister>(dir);
  const hooks = createHookInvoker({ runner, scripts: { published: () => null }, log: silentLogger });
  let done = 0;
  let failed = 0;
  const registrar = createRegistrar({
    kommo, hooks, outbox, log: silentLogger, users: { '201': 5_001_001 },
    settings: { mode: 'contact', createLead: false, tags: ['hookline'], updateResponsible: false, tasks: { enabled: true, deadlineMinutes: 60, responsibleMode: 0, taskTypeId: 1 }, timezone: 'UTC' },
    ...(naive ? { concurrency: 1 } : {}),
    onOutcome: (o) => (o.ok ? (done += 1) : (failed += 1)),
  });
  try {
    const started = await registrar.start();
    if (!started.ok) throw new Error(started.error.message);
    const before = sim.counters();
    const t0 = performance.now();
    for (const c of work) await registrar.submit(c);
    await registrar.idle();
    const ms = performance.now() - t0;
    const after = sim.counters();
    const requests = after.requests - before.requests;
    const state = sim.state();
    const logged = new Set(state.calls.map((c) => c.uniq));
    const lost = work.filter((c) => !logged.has(c.linkedid)).length;
    const status429 = after.status429 - before.status429;
    return { ms, requests, status429, lost, registered: done, failed, duplicates: state.calls.length - logged.size };
  } finally {
    await registrar.close();
    await outbox.close();
    await runner.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const suite: BenchSuite = {
  name: 'registration',
  about: `a burst of ${N} calls (${CLIENTS} new clients, 30% missed) registered in sim/kommo at 7 requests per ${WINDOW_MS} ms (issue 4), vs a naive sequence (one request per step, no batching, no cache)`,
  async run(): Promise<BenchFigure[]> {
    const work = calls();
    const ours = await burst(false, work);
    const naive = await burst(true, work);
    const scale = 1000 / WINDOW_MS;
    return [
      {
        key: 'registration.requestsPerCall', label: `requests per registered call (${N} calls)`, value: ours.requests / Math.max(1, ours.registered), unit: 'req/call',
        baseline: { label: 'naive sequence', value: naive.requests / Math.max(1, naive.registered) },
        target: { text: 'at most 1.5 requests per call', met: ours.requests / Math.max(1, ours.registered) <= 1.5 },
      },
      { key: 'registration.status429', label: '429 answers during the burst', value: ours.status429, unit: 'answers', baseline: { label: 'naive sequence', value: naive.status429 }, target: { text: 'zero 429', met: ours.status429 === 0 } },
      { key: 'registration.lost', label: 'calls lost (no call log) or logged twice', value: ours.lost + ours.duplicates + ours.failed, unit: 'calls', target: { text: 'zero lost', met: ours.lost + ours.duplicates + ours.failed === 0 } },
      {
        key: 'registration.drainMs', label: `time to drain ${N} calls at 7 req/${WINDOW_MS} ms`, value: Math.round(ours.ms), unit: 'ms',
        baseline: { label: 'naive sequence', value: Math.round(naive.ms) },
      },
      { key: 'registration.drainRealS', label: 'the same, scaled to Kommo\'s real 7 requests/s', value: Math.round((ours.ms * scale) / 1000), unit: 's', baseline: { label: 'naive sequence', value: Math.round((naive.ms * scale) / 1000) } },
      { key: 'registration.requests', label: 'HTTP requests to Kommo for the burst', value: ours.requests, unit: 'requests', baseline: { label: 'naive sequence', value: naive.requests } },
    ];
  },
};
