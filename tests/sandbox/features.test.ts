import { describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { run, useRunner } from './helpers.ts';

describe('what a script can rely on', () => {
  const runner = useRunner();

  it('console.log/info/warn/error are captured with their level', async () => {
    const r = await run(runner(), 'need_registration', "export default function (): any { console.log('a', 1, { b: 2 }); console.info('i'); console.warn('w'); console.error('e'); return { data: { result: true }, state: 'success' }; }");
    expect(r.logs).toEqual([
      { level: 'log', text: 'a 1 {"b":2}' },
      { level: 'info', text: 'i' },
      { level: 'warn', text: 'w' },
      { level: 'error', text: 'e' },
    ]);
  });

  it('logs are bounded, and the drop is stated', async () => {
    const r = await run(runner(), 'need_registration', "export default function (): any { for (let i = 0; i < 1000; i++) console.log('line ' + i); return { data: { result: true }, state: 'success' }; }");
    expect(r.logs.length).toBe(101);
    expect(r.logs.at(-1)).toEqual({ level: 'warn', text: '[hookline] 900 more log lines were dropped (limit reached)' });
  });

  it('logs written before a failure are still returned', async () => {
    const r = await run(runner(), 'need_registration', "export default function (): any { console.log('before'); throw new Error('x'); }");
    expect(r.error?.code).toBe('SCRIPT_ERROR');
    expect(r.logs).toEqual([{ level: 'log', text: 'before' }]);
  });

  it('Date and Math.random are pinned by the caller for replay', async () => {
    const src = "export default function (): any { return { data: { phone: [Date.now(), new Date().toISOString(), Math.random(), Math.random()].join('|') }, state: 'success' }; }";
    const now = Date.UTC(2026, 10, 20, 10, 15, 0);
    const a = await run(runner(), 'process_client_phone', src, { now, seed: 42 });
    const b = await run(runner(), 'process_client_phone', src, { now, seed: 42 });
    const c = await run(runner(), 'process_client_phone', src, { now, seed: 43 });
    const parts = (a.data as { phone: string }).phone.split('|');
    expect(parts.slice(0, 2)).toEqual([String(now), '2026-11-20T10:15:00.000Z']);
    expect(a.data).toEqual(b.data);
    expect(c.data).not.toEqual(a.data);
  });

  it('new Date(value) still works when the time is pinned', async () => {
    const r = await run(runner(), 'process_client_phone', "export default function (): any { return { data: { phone: new Date(0).toISOString() }, state: 'success' }; }", { now: 5 });
    expect(r.data).toEqual({ phone: '1970-01-01T00:00:00.000Z' });
  });

  it('without a published script the default is used and NO_SCRIPT is not a failure', async () => {
    const r = await runner().invoke('process_client_phone', null, hooks.process_client_phone.exampleInput, { linkedid: '1.1' });
    expect(r).toMatchObject({ ok: true, data: { phone: '+79161234567' }, error: { code: 'NO_SCRIPT' } });
  });

  it('an input that breaks the input contract: INVALID_INPUT, nothing runs', async () => {
    const r = await run(runner(), 'process_client_phone', "export default function (): any { throw new Error('must not run'); }", {
      input: { ...hooks.process_client_phone.exampleInput, call_stage: 'nope' },
    });
    expect(r.error?.code).toBe('INVALID_INPUT');
    expect(r.error?.message).toMatch(/\/call_stage/);
  });

  it('an async script that resolves in time is used', async () => {
    const r = await run(runner(), 'process_client_phone', "export default async function (input: HookInput): Promise<HookResult> { await null; return { data: { phone: input.phone.slice(1) }, state: 'success' }; }");
    expect(r).toMatchObject({ ok: true, data: { phone: '79161234567' } });
  });
});
