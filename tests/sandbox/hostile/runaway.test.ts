import { describe, expect, it } from 'vitest';
import { expectRunnerStillWorks, run, useRunner } from '../helpers.ts';

const limits = { timeoutMs: 200 };

describe('runaway scripts end with an error value, and the runner goes on', () => {
  const runner = useRunner();

  it('infinite loop: TIMEOUT', async () => {
    const r = await run(runner(), 'need_registration', 'export default function () { while (true) {} }', { limits, linkedid: '1700000000.1' });
    expect(r.error?.code).toBe('TIMEOUT');
    expect(r.error?.message).toBe('need_registration (script v1) on call 1700000000.1 did not finish within 200 ms');
    expect(r).toMatchObject({ ok: false, data: { result: true } });
    await expectRunnerStillWorks(runner());
  });

  it('a promise that never settles: TIMEOUT', async () => {
    const r = await run(runner(), 'need_registration', 'export default async function () { await new Promise(() => {}); return { data: { result: false }, state: "success" }; }', { limits });
    expect(r.error?.code).toBe('TIMEOUT');
    expect(r.data).toEqual({ result: true });
    await expectRunnerStillWorks(runner());
  });

  it('microtask flood: TIMEOUT', async () => {
    const r = await run(runner(), 'need_registration', 'export default async function () { for (;;) await null; }', { limits });
    expect(r.error?.code).toBe('TIMEOUT');
    await expectRunnerStillWorks(runner());
  });

  it('a detached promise chain that spins after the result: TIMEOUT or ok, never a hang', async () => {
    const r = await run(runner(), 'need_registration', 'export default function () { Promise.resolve().then(() => { for (;;) {} }); return new Promise(() => {}); }', { limits });
    expect(r.error?.code).toBe('TIMEOUT');
    await expectRunnerStillWorks(runner());
  });

  it('heap growth: MEMORY_LIMIT', async () => {
    const r = await run(runner(), 'need_registration', 'export default function () { const a: string[][] = []; for (;;) a.push(new Array(1e5).fill("xxxxxxxx")); }', {
      limits: { timeoutMs: 10_000, memoryMb: 16 },
    });
    expect(r.error?.code).toBe('MEMORY_LIMIT');
    expect(r.error?.message).toMatch(/used more than its memory limit of 16 MB/);
    await expectRunnerStillWorks(runner());
  });

  it('deep recursion: SCRIPT_ERROR (RangeError), mapped to the script line', async () => {
    const r = await run(runner(), 'need_registration', 'function f(n: number): number {\n  return f(n + 1) + 1;\n}\nexport default function () { return f(0); }');
    expect(r.error?.code).toBe('SCRIPT_ERROR');
    expect(r.error?.message).toMatch(/RangeError: Maximum call stack size exceeded/);
    expect(r.error?.where).toMatchObject({ file: 'hooks/need_registration.ts', line: 2 });
    await expectRunnerStillWorks(runner());
  });

  it('top-level code that never ends: TIMEOUT', async () => {
    const r = await run(runner(), 'need_registration', 'while (true) {}\nexport default function () { return { data: { result: true }, state: "success" }; }', { limits });
    expect(r.error?.code).toBe('TIMEOUT');
    await expectRunnerStillWorks(runner());
  });
});
