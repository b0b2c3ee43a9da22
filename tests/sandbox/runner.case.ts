/**
 * One conformance suite for the two RawRunner implementations (STYLE habit 14): the in-process isolate runner
 * and the supervised child that wraps it, each with asynchronous calls (the engine's) and synchronous ones
 * (replay's, `calls: 'sync'`). The engine uses the child; the suite shows that the process boundary and the
 * call mode change no outcome, log or pinning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { createHookRunner, type RawRunner, type Runner } from '../../sandbox/index.ts';
import { expectRunnerStillWorks, run } from './helpers.ts';

const ok = (body: string) => `export default function (input: any): any { ${body} }`;

export function runRunnerSuite(name: string, newRaw: () => RawRunner): void {
  describe(`runner conformance: ${name}`, () => {
    let runner: Runner;
    beforeAll(() => {
      runner = createHookRunner(newRaw());
    });
    afterAll(async () => {
      await runner.close();
    });

    it('a good script: its data, no error', async () => {
      const r = await run(runner, 'process_client_phone', ok("return { data: { phone: input.phone + '1' }, state: 'success' };"));
      expect(r).toMatchObject({ ok: true, error: null, data: { phone: `${hooks.process_client_phone.exampleInput.phone}1` }, logs: [] });
    });

    it('a throw: SCRIPT_ERROR at the TypeScript line', async () => {
      const r = await run(runner, 'need_registration', "export default function (): any {\n  throw new Error('x');\n}");
      expect(r.error?.code).toBe('SCRIPT_ERROR');
      expect(r.error?.where).toMatchObject({ line: 2, column: 9 });
      await expectRunnerStillWorks(runner);
    });

    it('infinite loop: TIMEOUT, with the logs written before it', async () => {
      const r = await run(runner, 'need_registration', ok("console.log('before'); for (;;) {}"), { limits: { timeoutMs: 150 } });
      expect(r.error?.code).toBe('TIMEOUT');
      expect(r.logs).toEqual([{ level: 'log', text: 'before' }]);
      await expectRunnerStillWorks(runner);
    });

    it('a promise that never settles: TIMEOUT', async () => {
      const r = await run(runner, 'need_registration', 'export default async function () { await new Promise(() => {}); }', { limits: { timeoutMs: 150 } });
      expect(r.error?.code).toBe('TIMEOUT');
      await expectRunnerStillWorks(runner);
    });

    it('heap growth: MEMORY_LIMIT', async () => {
      const r = await run(runner, 'need_registration', ok('const a: string[][] = []; for (;;) a.push(new Array(1e5).fill("xxxxxxxx"));'), { limits: { timeoutMs: 10_000, memoryMb: 16 } });
      expect(r.error?.code).toBe('MEMORY_LIMIT');
      await expectRunnerStillWorks(runner);
    });

    it('a getter in the output: OUTPUT_NOT_JSON', async () => {
      const r = await run(runner, 'process_client_phone', ok("return { data: { get phone() { return '1'; } }, state: 'success' };"));
      expect(r.error?.code).toBe('OUTPUT_NOT_JSON');
    });

    it('an output over the size limit: OUTPUT_TOO_LARGE, measured before parsing', async () => {
      const r = await run(runner, 'process_client_phone', ok("return { data: { phone: 'é'.repeat(600) }, state: 'success' };"), { limits: { maxOutputBytes: 1_000 } });
      expect(r.error?.code).toBe('OUTPUT_TOO_LARGE');
      expect(r.error?.message).toMatch(/returned 1239 bytes of JSON, over the limit of 1000 bytes/);
    });

    it('a global set in one call is not seen by the next', async () => {
      const src = ok("const g = globalThis as any; g.n = (g.n ?? 0) + 1; return { data: { phone: String(g.n) }, state: 'success' };");
      const [a, b] = [await run(runner, 'process_client_phone', src), await run(runner, 'process_client_phone', src)];
      expect([a.data, b.data]).toEqual([{ phone: '1' }, { phone: '1' }]);
    });

    it('many other versions run while one awaits past its deadline: that one still ends with TIMEOUT', async () => {
      const waiting = run(runner, 'need_registration', 'export default async function () { await new Promise(() => {}); }', { limits: { timeoutMs: 3_000 } });
      // More versions than the runner keeps warm, so the waiting one's isolate is the least recently used.
      for (let i = 0; i < 40; i++) {
        const r = await run(runner, 'need_registration', `export default () => ({ data: { result: ${i % 2 === 0} }, state: 'success' }); // v${i}`);
        expect(r.data).toEqual({ result: i % 2 === 0 });
      }
      expect((await waiting).error?.code).toBe('TIMEOUT');
      await expectRunnerStillWorks(runner);
    });

    it('Date and Math.random pinned by the caller', async () => {
      const r = await run(runner, 'process_client_phone', ok("return { data: { phone: new Date().toISOString() + ' ' + Math.random() }, state: 'success' };"), { now: 0, seed: 7 });
      const again = await run(runner, 'process_client_phone', ok("return { data: { phone: new Date().toISOString() + ' ' + Math.random() }, state: 'success' };"), { now: 0, seed: 7 });
      expect((r.data as { phone: string }).phone).toMatch(/^1970-01-01T00:00:00\.000Z 0\.\d+$/);
      expect(again.data).toEqual(r.data);
    });
  });
}
