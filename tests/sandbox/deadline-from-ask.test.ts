/**
 * Issue 14 item 4: an invocation's deadline counts from when it was asked for, not from when a child got to it.
 * Waiting behind the same script's earlier invocations, or for a child to boot, is taken from its time: it ends
 * at its timeout plus the stated margin (MARGIN_MS) at the latest.
 */
import { afterEach, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { MARGIN_MS } from '../../sandbox/supervisor.ts';
import { script } from './helpers.ts';

let runner: Runner;
afterEach(async () => {
  await runner.close();
});

const invokeTimed = async (s: Awaited<ReturnType<typeof script>>, timeoutMs: number) => {
  const t = performance.now();
  const r = await runner.invoke('need_registration', s, hooks.need_registration.exampleInput, { limits: { timeoutMs } });
  return { code: r.error?.code, ms: performance.now() - t };
};

it('five invocations of a looping script asked at once all end with TIMEOUT within their timeout + margin, not one after another', async () => {
  runner = createRunner();
  const loop = await script('need_registration', 'export default function () { while (true) {} }');
  const ends = await Promise.all(Array.from({ length: 5 }, () => invokeTimed(loop, 300)));
  expect(ends.map((e) => e.code)).toEqual(['TIMEOUT', 'TIMEOUT', 'TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
  expect(ends.filter((e) => e.ms > 300 + MARGIN_MS)).toEqual([]);
});

it("the first invocation of a runner (its child still booting) has the boot taken from its time", async () => {
  runner = createRunner();
  const never = await script('need_registration', 'export default async function () { await new Promise(() => {}); return { data: { result: false }, state: "success" }; }');
  const e = await invokeTimed(never, 300);
  expect(e.code).toBe('TIMEOUT');
  expect(e.ms).toBeLessThanOrEqual(300 + MARGIN_MS);
});
