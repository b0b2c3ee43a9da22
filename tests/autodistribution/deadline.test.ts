/**
 * The promise GET /autodistribution makes (issue 15, edge 9): an answer within autodistribution.deadlineMs of the
 * request's arrival, whatever Kommo does. Ten unknown callers at once against sim/kommo with Kommo's real rate
 * (7 requests/s, as the engine's client keeps it): each needs a contact search and a company search, 20 requests
 * that take ~3 s at that rate, so most answers come from the deadline. Measured before the fix: 553 ms at worst
 * against 500.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutodistribution, sendReserveMs } from '../../engine/autodistribution/index.ts';
import { createKommoClient } from '../../engine/kommo/index.ts';
import type { Runner } from '../../sandbox/index.ts';
import { DEFAULT_LONG_LIVED_TOKEN, demoAccount, startKommo, type KommoSim } from '../../sim/kommo/index.ts';
import { createRunner, createScripts, createTestInvoker, startHost, type Host } from './host.ts';

const DEADLINE_MS = 500;
/**
 * What the test allows past the deadline: the client's side of the round trip (a fresh loopback connection per
 * request, fetch reading the answer), measured ~5 ms on an idle machine. Not hookline's slack: hookline decides
 * sendReserveMs (50 ms) before the deadline, counted from the request's arrival, so that a timer or a write late
 * by that much still answers within 500 ms.
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

describe('the deadline holds under load', () => {
  it(`10 unknown callers at once: every answer within ${DEADLINE_MS} ms of its request (+${MARGIN_MS} ms margin), empty`, async () => {
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    // Timed as the dialplan's CURL() waits: from the request, a fresh connection each, to the whole answer.
    const answers = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      const t0 = performance.now();
      const res = await fetch(`${host.editor.url}/autodistribution?from=%2B3160000${String(1000 + i)}&trunk=%2B31201234567&linkedid=1763633700.${i}`);
      const body = await res.text();
      return { status: res.status, body, ms: performance.now() - t0 };
    }));
    lag.disable();
    const worst = Math.max(...answers.map((a) => a.ms));
    // hookline absorbs up to sendReserveMs of a late event loop; a machine that starved this process for longer
    // (load 8 on 2 cores happens here) adds the rest, measured, rather than a guess in the margin.
    const starvedMs = Math.max(0, lag.max / 1e6 - sendReserveMs(DEADLINE_MS));
    expect(answers.map((a) => [a.status, a.body])).toEqual(Array.from({ length: 10 }, () => [200, '']));
    expect(worst, `answers in ms: ${answers.map((a) => a.ms.toFixed(0)).join(', ')}; event loop late by up to ${(lag.max / 1e6).toFixed(0)} ms`)
      .toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS + starvedMs);
  });
});
