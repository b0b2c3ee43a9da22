/**
 * Issue 14: one script's fault never touches another hook. A well-behaved hook is invoked many times, many at
 * once, while a neighbour loops, allocates until it is stopped, makes V8 abort its process, or awaits forever:
 * every one of its invocations gets its own correct answer within its timeout plus the stated margin
 * (MARGIN_MS), and only the neighbour's own invocations fail, with the code that says why. Real isolates, real
 * child processes, the runner the engine uses (createRunner's default: sandbox/isolating.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hooks, type HookName } from '../../../contracts/index.ts';
import { createHookRunner, createIsolatingRunner, type IsolatingRunner, type Runner } from '../../../sandbox/index.ts';
import { MARGIN_MS } from '../../../sandbox/supervisor.ts';
import { script } from '../helpers.ts';

const GOOD = "export default function (input: HookInput): HookResult { return { data: { phone: input.phone + '!' }, state: 'success' }; }";
const GOOD_TIMEOUT_MS = 1_000;
const NEIGHBOUR: HookName = 'customize_autodistribution';

let raw: IsolatingRunner;
let runner: Runner;
afterEach(async () => {
  await runner.close();
});

let crashes: number[] = [];
function start() {
  crashes = [];
  raw = createIsolatingRunner({ onCrash: () => crashes.push(performance.now()) });
  runner = createHookRunner(raw);
}

/**
 * Invokes the good hook `rounds` times `perRound` at once, a few ms apart, and returns each one's result and the
 * time from asking to answer.
 */
async function hammerGood(rounds: number, perRound: number) {
  const good = await script('process_client_phone', GOOD);
  const input = hooks.process_client_phone.exampleInput;
  const results: { ok: boolean; phone: unknown; code: string | undefined; ms: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    const round = Array.from({ length: perRound }, async () => {
      const t = performance.now();
      const r = await runner.invoke('process_client_phone', good, structuredClone(input), { limits: { timeoutMs: GOOD_TIMEOUT_MS } });
      results.push({ ok: r.ok, phone: (r.data as { phone?: unknown }).phone, code: r.error?.code, ms: performance.now() - t });
    });
    await Promise.all(round);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { results, hash: good.compiled.hash };
}

function expectAllGood(results: Awaited<ReturnType<typeof hammerGood>>['results']) {
  const want = `${hooks.process_client_phone.exampleInput.phone}!`;
  expect(results.filter((r) => !r.ok || r.phone !== want)).toEqual([]);
  expect(results.filter((r) => r.ms > GOOD_TIMEOUT_MS + MARGIN_MS)).toEqual([]);
}

/** Starts `n` invocations of the neighbour one after another, each asked for `gapMs` after the one before. */
async function neighbour(source: string, limits: { timeoutMs?: number; memoryMb?: number }, n: number, gapMs: number) {
  const s = await script(NEIGHBOUR, source);
  const ends: Promise<{ code: string | undefined; ms: number }>[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    ends.push(runner.invoke(NEIGHBOUR, s, structuredClone(hooks[NEIGHBOUR].exampleInput), { limits }).then((r) => ({ code: r.error?.code, ms: performance.now() - t })));
    if (i < n - 1) await new Promise((r) => setTimeout(r, gapMs));
  }
  return { ends, hash: s.compiled.hash };
}

describe('a neighbour that misbehaves delays and fails only its own invocations', () => {
  it('a runaway loop (while(true){}): the good hook answers right every time, in time; the loop gets TIMEOUT and a child of its own', async () => {
    start();
    await runner.invoke('process_client_phone', await script('process_client_phone', GOOD), hooks.process_client_phone.exampleInput);
    const sharedPid = raw.pids().shared;
    const bad = await neighbour('export default function () { while (true) {} }', { timeoutMs: 1_000 }, 4, 300);
    const { results, hash } = await hammerGood(40, 8);
    const badEnds = await Promise.all(bad.ends);
    expectAllGood(results);
    expect(badEnds.map((e) => e.code)).toEqual(['TIMEOUT', 'TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
    // Its own deadline holds too: asked-for to TIMEOUT within its limit plus the margin.
    expect(badEnds.filter((e) => e.ms > 1_000 + MARGIN_MS)).toEqual([]);
    expect(raw.placement(bad.hash)).toBe('own');
    expect(raw.placement(hash)).toBe('shared');
    // Nobody killed the shared child for the loop.
    expect(raw.pids().shared).toBe(sharedPid);
  });

  it('a promise that never settles: the good hook answers right every time, in time; the neighbour gets TIMEOUT', async () => {
    start();
    const bad = await neighbour('export default async function () { await new Promise(() => {}); return { data: {}, state: "success" }; }', { timeoutMs: 500 }, 6, 150);
    const { results } = await hammerGood(40, 8);
    const badEnds = await Promise.all(bad.ends);
    expectAllGood(results);
    expect(new Set(badEnds.map((e) => e.code))).toEqual(new Set(['TIMEOUT']));
    expect(badEnds.filter((e) => e.ms > 500 + MARGIN_MS)).toEqual([]);
  });

  it('a memory bomb stopped by its limit: the good hook answers right every time, in time; the neighbour gets MEMORY_LIMIT', async () => {
    start();
    const bad = await neighbour('export default function () { const a: string[][] = []; for (;;) a.push(new Array(1e5).fill("xxxxxxxx")); }', { timeoutMs: 10_000, memoryMb: 16 }, 4, 200);
    const { results } = await hammerGood(40, 8);
    const badEnds = await Promise.all(bad.ends);
    expectAllGood(results);
    expect(new Set(badEnds.map((e) => e.code))).toEqual(new Set(['MEMORY_LIMIT']));
    expect(raw.placement(bad.hash)).toBe('own');
  });

  it('a memory bomb that makes V8 abort its process (isolated-vm #527): the good hook answers right every time, in time; the neighbour gets SANDBOX_CRASH', async () => {
    start();
    // A 100 MB buffer copied into a plain array at a 256 MB limit: V8 aborts the process in 2-5 s (crash.test.ts).
    const bomb =
      'export default function () { const ab = new ArrayBuffer(100 * 1024 * 1024); const view = new Array(ab.byteLength); const bytes = new Uint8Array(ab); let i = view.length; while (i--) view[i] = bytes[i]; return { data: {}, state: "success" }; }';
    const bad = await neighbour(bomb, { timeoutMs: 15_000, memoryMb: 256 }, 2, 100);
    // Rounds until well after the shared child aborted, so that good invocations were in flight when it did.
    const t0 = performance.now();
    const { results } = await hammerGood(30, 6);
    while (crashes.length === 0 && performance.now() - t0 < 20_000) results.push(...(await hammerGood(10, 6)).results);
    results.push(...(await hammerGood(20, 6)).results);
    const badEnds = await Promise.all(bad.ends);
    expect(crashes.length).toBeGreaterThan(0);
    expectAllGood(results);
    expect(new Set(badEnds.map((e) => e.code))).toEqual(new Set(['SANDBOX_CRASH']));
    expect(raw.placement(bad.hash)).toBe('own');
  }, 60_000);
});
