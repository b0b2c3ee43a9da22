import { describe, expect, it } from 'vitest';
import { expectRunnerStillWorks, run, useRunner } from '../helpers.ts';

/** The script returns what it could find as a string in `phone`; the test checks it found nothing of the host. */
const probe = (body: string) => `export default function (input: any): any { let found = 'nothing'; try { ${body} } catch (e) { found = 'threw: ' + String(e); } return { data: { phone: String(found) }, state: 'success' }; }`;

describe('a script cannot reach the host', () => {
  const runner = useRunner();

  it.each([
    ['this.constructor.constructor', "found = String((function(this: any) { return this; }).constructor.constructor('return typeof process')());"],
    ['({}).constructor.constructor', "found = String(({}).constructor.constructor('return typeof process + typeof require + typeof global.process')());"],
    ['Function("return this")', "const g = Function('return this')(); found = String(typeof g.process) + String(typeof g.require) + String(typeof g.Buffer);"],
    ['Error.prepareStackTrace', "(Error as any).prepareStackTrace = (_e: any, s: any[]) => s.map((f: any) => String(f.getFileName()) + ':' + typeof (f.getThis() ?? {}).process).join(); found = String(new Error().stack); if (/node:|\\/work\\/|:object|:function/.test(found)) found = 'host frame: ' + found;"],
    ['globalThis keys', "found = Object.getOwnPropertyNames(globalThis).filter((k) => /process|require|Buffer|ivm|Reference|ExternalCopy|_ivm/.test(k)).join() || 'none';"],
  ])('%s finds no process, require or host object', async (_name, body) => {
    const r = await run(runner(), 'process_client_phone', probe(body));
    expect(r.ok).toBe(true);
    const found = (r.data as { phone: string }).phone;
    expect(found).not.toMatch(/object|function/);
    await expectRunnerStillWorks(runner());
  });

  it('async constructor chain finds no process', async () => {
    const r = await run(runner(), 'process_client_phone', "export default async function (): Promise<any> { const f = (async () => {}).constructor('return typeof process + typeof require'); return { data: { phone: String(await f()) }, state: 'success' }; }");
    expect(r.data).toEqual({ phone: 'undefinedundefined' });
  });

  it('prototype pollution in one call is not seen by the next call, nor by the host', async () => {
    const polluted = await run(runner(), 'process_client_phone', "export default function (input: any): any { (Object.prototype as any).polluted = 'yes'; (Array.prototype as any).evil = 1; return { data: { phone: input.phone }, state: 'success' }; }");
    expect(polluted.ok).toBe(true);
    expect(({} as { polluted?: string }).polluted).toBeUndefined();
    const next = await run(runner(), 'process_client_phone', "export default function (): any { return { data: { phone: String(({} as any).polluted) + String(([] as any).evil) }, state: 'success' }; }");
    expect(next.data).toEqual({ phone: 'undefinedundefined' });
  });

  it('a global set in one invocation is not seen in the next invocation of the same script', async () => {
    const src = "let calls = 0; export default function (): any { calls++; (globalThis as any).g = ((globalThis as any).g ?? 0) + 1; return { data: { phone: calls + ':' + (globalThis as any).g }, state: 'success' }; }";
    const { script } = await import('../helpers.ts');
    const s = await script('process_client_phone', src);
    const input = { call_full: (await import('../../../contracts/index.ts')).hooks.process_client_phone.exampleInput.call_full, call_stage: 'call_ended', phone: '1' };
    const a = await runner().invoke('process_client_phone', s, input);
    const b = await runner().invoke('process_client_phone', s, input);
    expect([a.data, b.data]).toEqual([{ phone: '1:1' }, { phone: '1:1' }]);
  });

  it('changing the input object does not change what the engine holds', async () => {
    const { hooks } = await import('../../../contracts/index.ts');
    const input = structuredClone(hooks.process_client_phone.exampleInput);
    await run(runner(), 'process_client_phone', "export default function (input: any): any { input.call_full.result = 999; input.phone = 'changed'; return { data: { phone: 'x' }, state: 'success' }; }", { input });
    expect(input.phone).toBe('+79161234567');
    expect(input.call_full.result).toBe(200);
  });
});
