/**
 * The promise GET /autodistribution makes (issue 15, edge 9): an answer within autodistribution.deadlineMs of the
 * request's arrival, whatever Kommo does. Ten unknown callers at once against sim/kommo with Kommo's real rate
 * (7 requests/s, as the engine's client keeps it): each needs a contact search and a company search, 20 requests
 * that take ~3 s at that rate, so most answers come from the deadline. Measured before the fix: 553 ms at worst
 * against 500.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutodistribution, sendReserveMs } from '../../engine/autodistribution/index.ts';
import { createKommoClient } from '../../engine/kommo/index.ts';
import type { Runner } from '../../sandbox/index.ts';
import { DEFAULT_LONG_LIVED_TOKEN, demoAccount, startKommo, type KommoSim } from '../../sim/kommo/index.ts';
import { createRunner, createScripts, createTestInvoker, startHost, type Host } from './host.ts';

const DEADLINE_MS = 500;
/**
 * What the test allows past the deadline: the client's side of the round trip (a fresh loopback connection per
 * request, fetch reading the answer), which shares this process's one thread with hookline's server and sim/kommo.
 * Not hookline's slack: hookline decides sendReserveMs (50 ms) before the deadline, counted from the request's
 * arrival, so that a timer or a write late by that much still answers within 500 ms. Measured at load 8-14 on the
 * 2-core VM: 467-522 ms at worst after the fix; before it, 518-618 ms.
 */
const MARGIN_MS = 25;

let kommo: KommoSim;
let runner: Runner;
let host: Host;

beforeAll(async () => {
  kommo = await startKommo({ account: demoAccount() });
  runner = createRunner();
  const t = createTestInvoker(runner);
  await t.scripts.set('customize_autodistribution', 'export default (i: HookInput): HookResult => ({ data: { number: i.number, name: i.name }, state: "success" });');
  // The engine's client as app/ makes it (engine/engine.ts): 7 requests/s, 10 s timeout.
  const client = createKommoClient({ baseUrl: kommo.url, auth: { kind: 'long-lived', token: DEFAULT_LONG_LIVED_TOKEN }, requestsPerSecond: 7, timeoutMs: 10_000 });
  const ad = createAutodistribution({ kommo: client, invoker: t.invoker, users: { '102': 5_001_002 }, deadlineMs: DEADLINE_MS });
  host = await startHost(runner, [ad.route]);
  // Warm the HTTP path once (fastify's first request compiles its serializers).
  await fetch(`${host.editor.url}/autodistribution?from=%2B31260010001`);
});
afterAll(async () => {
  await host.close();
  await runner.close();
  await kommo.close();
});

/**
 * How long this process's main thread (the event loop: hookline's server, sim/kommo and the client here) has
 * waited for a CPU while runnable, in ms: the second field of /proc/self/schedstat (Linux). Time other processes
 * took from it, not time it spent working.
 */
function runQueueWaitMs(): number {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return 0;
  }
}

describe('the deadline holds under load', () => {
  it(`10 unknown callers at once: every answer within ${DEADLINE_MS} ms of its request (+${MARGIN_MS} ms margin), empty`, async () => {
    const waited0 = runQueueWaitMs();
    // Timed as the dialplan's CURL() waits: from the request, a fresh connection each, to the whole answer.
    const answers = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      const t0 = performance.now();
      const res = await fetch(`${host.editor.url}/autodistribution?from=%2B3160000${String(1000 + i)}&trunk=%2B31201234567&linkedid=1763633700.${i}`);
      const body = await res.text();
      return { status: res.status, body, ms: performance.now() - t0 };
    }));
    // A loaded machine (load 8-14 on 2 cores while this was written) keeps this process off the CPU for tens of ms.
    // hookline's reserve (it decides sendReserveMs early) is there to absorb such lateness; only what goes past it,
    // measured, is allowed on top. On an idle machine that is 0 and the bound is the deadline + margin.
    const starvedMs = runQueueWaitMs() - waited0;
    const beyondReserveMs = Math.max(0, starvedMs - sendReserveMs(DEADLINE_MS));
    const worst = Math.max(...answers.map((a) => a.ms));
    expect(answers.map((a) => [a.status, a.body])).toEqual(Array.from({ length: 10 }, () => [200, '']));
    expect(worst, `answers in ms: ${answers.map((a) => a.ms.toFixed(0)).join(', ')}; this process waited ${starvedMs.toFixed(0)} ms for a CPU meanwhile`)
      .toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS + beyondReserveMs);
  });
});
