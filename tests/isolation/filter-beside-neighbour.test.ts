/**
 * Issue 14's reproduction, end to end: sim/pbx over TCP → the engine (startHarness, the real sandbox) →
 * sim/kommo over HTTP, and GET /autodistribution served by startHttp. `need_registration` is a filter that
 * registers nothing; `customize_autodistribution` misbehaves (a runaway loop, a memory bomb, a promise that never
 * settles). Calls are played while /autodistribution is asked again and again: no call may reach Kommo, no
 * need_registration invocation may fail (before issue 14 they fell back to "register" when the shared child was
 * blocked or killed), and every /autodistribution request is answered within its deadline (500 ms).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAutodistribution } from '../../engine/autodistribution/index.ts';
import { createAuth, startHttp, type HttpServer } from '../../http/index.ts';
import { startHarness, type Harness } from '../helpers/engine-harness.ts';

const FILTER = "export default function () { return { data: { result: false }, state: 'success' }; }";
const CALL = 'caco-inbound-queue-answered.ami';
/** Calls are played for at least this long, so the neighbour's invocations end (and fail) many times meanwhile. */
const PLAY_FOR_MS = 3_000;
/** The neighbour's invocations still running when the calls end: awaited this long (its timeout plus margin). */
const SETTLE_MS = 1_500;
/** config.autodistribution.deadlineMs's default. */
const DEADLINE_MS = 500;
/**
 * What an HTTP round trip over loopback may add to the route's own deadline on this (shared, loaded) machine:
 * the route answers at its deadline at the latest by its own timer, so what is over is this process's event-loop
 * delay (measured up to 160 ms here while other work ran). The sandbox's part is what the other assertions check.
 */
const HTTP_MARGIN_MS = 200;

const NEIGHBOURS = [
  { attack: 'a runaway loop', source: 'export default function () { while (true) {} }', code: 'TIMEOUT', allowed: ['TIMEOUT'] },
  // Filling 64 MB takes a while on a loaded machine: an invocation that waited for the one before it may end
  // with TIMEOUT first. Both are the neighbour's own failures. Measured at load 8-11 on the 2-core VM (other
  // work), the bomb's first invocation sometimes hit its 1 s timeout before the memory limit, and the next ones
  // ran in its own child at nice 10 behind that work: all TIMEOUT, never MEMORY_LIMIT (2 failures in 3 runs, the
  // same before and after issue 14's last changes). With 3 s the memory limit comes first; the route's own
  // 500 ms deadline, which the test is about, does not change.
  { attack: 'a memory bomb', source: 'export default function () { const a: string[][] = []; for (;;) a.push(new Array(1e5).fill("xxxxxxxx")); }', code: 'MEMORY_LIMIT', allowed: ['MEMORY_LIMIT', 'TIMEOUT'], timeoutMs: 3_000 },
  { attack: 'a promise that never settles', source: 'export default async function () { await new Promise(() => {}); return { data: {}, state: "success" }; }', code: 'TIMEOUT', allowed: ['TIMEOUT'] },
];

let h: Harness | null = null;
let http: HttpServer | null = null;
afterEach(async () => {
  await http?.close();
  await h?.close();
  http = null;
  h = null;
});

describe('a filter that registers nothing keeps working beside a neighbour that misbehaves', () => {
  it.each(NEIGHBOURS)('$attack in customize_autodistribution: zero calls registered, zero filter failures, /autodistribution always within 500 ms', async ({ source, code, allowed, timeoutMs }) => {
    const hooks = timeoutMs ? { hooks: { customize_autodistribution: { timeoutMs } } } : {};
    h = await startHarness({ config: { users: { '102': 5_001_002 }, ...hooks } });
    await h.publish('need_registration', FILTER);
    const ad = createAutodistribution({ kommo: h.engine.kommo, invoker: h.hooks, users: { '102': 5_001_002 }, deadlineMs: DEADLINE_MS });
    http = await startHttp({ auth: createAuth(h.dir, { username: 'admin', password: 'pw' }), port: 0, routes: [ad.route] });
    const url = `${http.url}/autodistribution?from=%2B31260010001&trunk=%2B31201234567`;
    // A service that has been running: the route has answered before (Kommo's users and the contact are cached).
    expect(await (await fetch(`${url}&linkedid=1.1`)).text()).toBe('102,Bram de Vries');
    await h.publish('customize_autodistribution', source);

    // Two callers asking one after the other for as long as the calls play.
    const answers: { status: number; ms: number }[] = [];
    let playing = true;
    const ask = async () => {
      for (let i = 0; playing; i++) {
        const t = performance.now();
        const res = await fetch(`${url}&linkedid=9000${i}.1`);
        await res.text();
        answers.push({ status: res.status, ms: performance.now() - t });
      }
    };
    const askers = [ask(), ask()];
    let calls = 0;
    const t0 = performance.now();
    try {
      while (performance.now() - t0 < PLAY_FOR_MS) {
        await h.play(CALL, { fresh: true });
        calls++;
      }
    } finally {
      playing = false;
      await Promise.all(askers);
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));

    expect(h.kommo.state().calls).toEqual([]);
    expect(h.store.failures('need_registration')).toEqual([]);
    // The filter ran for every call (at least once each), and its neighbour failed on its own, with its own code.
    expect(h.store.captures('need_registration').length).toBeGreaterThanOrEqual(calls);
    const codes = new Set(h.store.failures('customize_autodistribution').map((f) => f.code));
    expect(codes.has(code)).toBe(true);
    expect([...codes].filter((c) => !allowed.includes(c))).toEqual([]);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status !== 200 || a.ms > DEADLINE_MS + HTTP_MARGIN_MS)).toEqual([]);
  }, 60_000);
});
