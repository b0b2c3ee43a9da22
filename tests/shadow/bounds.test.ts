/**
 * The bounds of shadow runs (shadow/), with real isolates: a looping shadow fails on its own (TIMEOUT) and, its
 * time share used up, stops being run (counted as skipped); at most maxInFlight run at once; the shadow works on
 * copies of the live input and output; results are kept up to maxRecords; a stopped shadow runs no more.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { silentLogger } from '../../log/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { createShadows, type LiveInvocation } from '../../shadow/index.ts';

const HOOK = 'process_client_phone';
const runner = createRunner({ isolation: 'in-process' });
afterAll(() => runner.close());
const execute = (hook: Parameters<typeof runner.invoke>[0], script: Parameters<typeof runner.invoke>[1], input: unknown, opts: Parameters<typeof runner.invoke>[3]) => runner.invoke(hook, script, input, opts);
const live = (phone: string): LiveInvocation => ({ hook: HOOK, linkedid: `1.${phone}`, version: null, input: { ...hooks[HOOK].exampleInput, phone }, now: 1_700_000_000_000, seed: 1, data: { phone }, error: null });
const settle = async (s: { inFlight(): number }) => {
  while (s.inFlight() > 0) await new Promise((r) => setTimeout(r, 10));
};
const DIGITS = `export default (i: HookInput): HookResult => ({ data: { phone: String(i.phone).replace(/\\D/g, '') }, state: 'success' });`;

describe('shadow bounds', () => {
  it('a looping shadow times out on its own, and past its time share it is skipped', async () => {
    const s = createShadows({ execute, log: silentLogger, limits: { [HOOK]: { timeoutMs: 60 } }, share: 0.01, windowMs: 10_000 });
    await s.start(HOOK, 'export default (i: HookInput): HookResult => { while (true) {} };', 'test');
    for (let i = 0; i < 3; i++) {
      s.observe(live(`+7${i}`));
      await settle(s);
    }
    const info = s.get(HOOK);
    // 100 ms of budget, each run at least 60 ms (its timeout, more on a loaded machine): at most two run, the
    // third call at the latest is not shadowed.
    const sh = info?.shadow;
    expect(sh?.runs).toBeGreaterThanOrEqual(1);
    expect(sh?.failed).toBe(sh?.runs);
    expect(sh?.skipped).toEqual({ cpu: 3 - (sh?.runs ?? 0), busy: 0 });
    expect(sh?.skipped.cpu).toBeGreaterThanOrEqual(1);
    expect(info?.results[0]?.shadow.error?.code).toBe('TIMEOUT');
    expect(info?.results[0]?.verdict).toBe('failed');
  });

  it('at most maxInFlight at once; copies of the live objects; maxRecords kept; a stop ends it', async () => {
    const s = createShadows({ execute, log: silentLogger, maxInFlight: 2, maxRecords: 3 });
    const started = await s.start(HOOK, DIGITS, 'test');
    expect(started.ok).toBe(true);
    const calls = ['+7 1', '+7 2', '+7 3'].map(live);
    for (const c of calls) s.observe(c);
    // The caller goes on with its objects and may change them: the shadow saw them as they were.
    (calls[0]?.input as { phone: string }).phone = 'changed';
    (calls[0]?.data as { phone: string }).phone = 'changed';
    await settle(s);
    let info = s.get(HOOK);
    expect(info?.shadow).toMatchObject({ runs: 2, differs: 2, skipped: { busy: 1, cpu: 0 } });
    const one = info?.results.find((r) => r.linkedid === '1.+7 1');
    expect(one).toMatchObject({ input: { phone: '+7 1' }, live: { data: { phone: '+7 1' } }, shadow: { data: { phone: '71' } } });
    for (const p of ['+1', '+2', '+3', '+4']) {
      s.observe(live(p));
      await settle(s);
    }
    info = s.get(HOOK);
    expect(info?.shadow.runs).toBe(6);
    expect(info?.results.map((r) => r.seq)).toEqual([6, 5, 4]);
    expect(s.stop(HOOK, 'done')).toMatchObject({ active: false, stopReason: 'done' });
    s.observe(live('+5'));
    await settle(s);
    expect(s.get(HOOK)?.shadow.runs).toBe(6);
    expect(s.list()).toHaveLength(1);
  });

  it('a draft that does not compile is refused', async () => {
    const s = createShadows({ execute, log: silentLogger });
    const r = await s.start(HOOK, 'export default (', 'test');
    expect(r.ok).toBe(false);
    expect(s.get(HOOK)).toBeNull();
  });
});
