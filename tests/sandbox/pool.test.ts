import { describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { createHookRunner, createRunner } from '../../sandbox/index.ts';
import { remember, rememberKey } from '../../sandbox/bounded.ts';
import { createSupervisorPool } from '../../sandbox/pool.ts';
import { createSupervisor } from '../../sandbox/supervisor.ts';
import { script } from './helpers.ts';

describe('a runner with two sandbox children', () => {
  it('runs different scripts side by side with the same results as one child', async () => {
    const runner = createRunner({ children: 2 });
    try {
      const a = await script('process_client_phone', "export default (i: HookInput): HookResult => ({ data: { phone: i.phone + 'a' }, state: 'success' });");
      const b = await script('process_client_phone', "export default (i: HookInput): HookResult => ({ data: { phone: i.phone + 'b' }, state: 'success' });");
      const input = hooks.process_client_phone.exampleInput;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runner.invoke('process_client_phone', i % 2 ? a : b, input)));
      expect(results.map((r) => (r.data as { phone: string }).phone.slice(-1))).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? 'a' : 'b')));
    } finally {
      await runner.close();
    }
  });
});

describe('the host-side records of which script went where stay bounded', () => {
  it('remember / rememberKey keep the most recently used keys', () => {
    const m = new Map<string, number>();
    for (const k of ['a', 'b', 'c']) remember(m, k, k.charCodeAt(0), 2);
    expect([...m.keys()]).toEqual(['b', 'c']);
    remember(m, 'b', 1, 2); // used again: now the most recent
    remember(m, 'd', 2, 2);
    expect([...m.keys()]).toEqual(['b', 'd']);
    const set = new Set<string>();
    for (const k of ['a', 'b', 'a', 'c']) rememberKey(set, k, 2);
    expect([...set]).toEqual(['a', 'c']);
  });

  it('a pool and its children forget old scripts and still run every one right when it comes back', async () => {
    const pool = createSupervisorPool(2, { maxPinned: 3, maxSent: 2 });
    const runner = createHookRunner(pool);
    try {
      const scripts = await Promise.all(
        Array.from({ length: 6 }, (_, i) => script('process_client_phone', `export default (i: HookInput): HookResult => ({ data: { phone: i.phone + '${i}' }, state: 'success' });`)),
      );
      const input = hooks.process_client_phone.exampleInput;
      const suffix = async (i: number) => ((await runner.invoke('process_client_phone', scripts[i] ?? null, input)).data as { phone: string }).phone.slice(-1);
      for (let i = 0; i < 6; i++) expect(await suffix(i)).toBe(String(i));
      expect(pool.pinned()).toBe(3);
      // The first scripts were forgotten by the pool (and by their child's sent list): they run right again.
      expect(await suffix(0)).toBe('0');
      expect(await suffix(1)).toBe('1');
      expect(pool.pinned()).toBe(3);
    } finally {
      await runner.close();
    }
  });

  it("a supervisor resends a script it no longer remembers sending, and its sent list stays at the bound", async () => {
    const sup = createSupervisor({ maxSent: 2 });
    const runner = createHookRunner(sup);
    try {
      const input = hooks.process_client_phone.exampleInput;
      for (let i = 0; i < 5; i++) {
        const s = await script('process_client_phone', `export default (i: HookInput): HookResult => ({ data: { phone: i.phone + '${i}' }, state: 'success' });`);
        const r = await runner.invoke('process_client_phone', s, input);
        expect((r.data as { phone: string }).phone.endsWith(String(i))).toBe(true);
        expect(sup.sent()).toBe(Math.min(i + 1, 2));
      }
    } finally {
      await runner.close();
    }
  });
});
