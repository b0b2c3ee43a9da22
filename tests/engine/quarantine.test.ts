/**
 * Quarantine (engine/hooks quarantine.ts) through the real hook invoker and real isolates: a published version
 * that times out `after` times in a row is suspended; while suspended it does not run (QUARANTINED, the default
 * data, no time spent); when the suspension ends it is on probation; a new version or lift() ends it. The clock is
 * the invoker's own (`now`), so nothing sleeps for the suspension.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { hooks, type HookName } from '../../contracts/index.ts';
import { createHookInvoker, createQuarantine, type InvocationRecord } from '../../engine/hooks/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import { compile, createRunner, type HookScript } from '../../sandbox/index.ts';

const runner = createRunner();
afterAll(() => runner.close());

const RUNAWAY = `export default function (i: HookInput): HookResult { while (true) {} }`;
const FINE = `export default (i: HookInput): HookResult => ({ data: { phone: i.phone + '-ok' }, state: 'success' });`;

async function script(source: string, version: number): Promise<HookScript> {
  const c = await compile(source, { hook: 'process_client_phone', version });
  if (!c.ok) throw new Error(c.error.message);
  return { version, compiled: c.compiled };
}

function setup() {
  let clock = 1_000_000;
  const live = new Map<HookName, HookScript>();
  const { log, lines } = createMemoryLogger();
  const quarantine = createQuarantine({ after: 2, baseMs: 60_000, maxMs: 200_000 }, log);
  const records: InvocationRecord[] = [];
  const invoker = createHookInvoker({
    runner, log, quarantine, now: () => clock,
    scripts: { published: (h) => live.get(h) ?? null },
    limits: { process_client_phone: { timeoutMs: 50 } },
    onInvocation: (r) => records.push(r),
  });
  const input = hooks.process_client_phone.exampleInput;
  const call = () => invoker.invoke('process_client_phone', input, { linkedid: '7.1' });
  return { live, quarantine, records, call, input, lines, advance: (ms: number) => (clock += ms), at: () => clock };
}

describe('quarantine of a runaway published version', () => {
  it('is entered after 2 TIMEOUTs in a row, skips the script while it lasts, and says so once in the log', async () => {
    const t = setup();
    t.live.set('process_client_phone', await script(RUNAWAY, 4));
    expect((await t.call()).error?.code).toBe('TIMEOUT');
    expect((await t.call()).error?.code).toBe('TIMEOUT');
    const skipped = await t.call();
    expect(skipped.error?.code).toBe('QUARANTINED');
    expect(skipped.error?.message).toContain('process_client_phone (script v4) on call 7.1 is quarantined until');
    expect(skipped.durationMs).toBe(0);
    expect(skipped.data).toEqual({ phone: t.input.phone }); // the hook's default data
    expect(skipped.version).toBe(4);
    expect(t.quarantine.list(t.at())).toEqual([expect.objectContaining({ hook: 'process_client_phone', version: 4, reason: 'TIMEOUT', failures: 2, until: t.at() + 60_000 })]);
    const warned = t.lines().filter((l) => l.code === 'QUARANTINED' && l.level === 40);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ hook: 'process_client_phone', version: 4, reason: 'TIMEOUT', until: new Date(t.at() + 60_000).toISOString() });
    // Recorded like any failure (captures, failure log, status), with its code.
    expect(t.records.map((r) => r.error?.code)).toEqual(['TIMEOUT', 'TIMEOUT', 'QUARANTINED']);
  });

  it('runs again when the suspension ends; a TIMEOUT then suspends it again at once, for twice as long', async () => {
    const t = setup();
    t.live.set('process_client_phone', await script(RUNAWAY, 5));
    await t.call();
    await t.call();
    expect((await t.call()).error?.code).toBe('QUARANTINED');
    t.advance(60_000);
    expect((await t.call()).error?.code).toBe('TIMEOUT'); // the probe ran
    expect(t.quarantine.list(t.at())).toEqual([expect.objectContaining({ version: 5, until: t.at() + 120_000, times: 2 })]);
    expect((await t.call()).error?.code).toBe('QUARANTINED');
  });

  it('a new version runs at once; lift() ends the suspension; a success clears a streak', async () => {
    const t = setup();
    t.live.set('process_client_phone', await script(RUNAWAY, 6));
    await t.call();
    await t.call();
    expect((await t.call()).error?.code).toBe('QUARANTINED');
    t.live.set('process_client_phone', await script(FINE, 7));
    expect(await t.call()).toMatchObject({ error: null, version: 7, data: { phone: `${t.input.phone}-ok` } });

    t.live.set('process_client_phone', await script(RUNAWAY, 8));
    await t.call();
    await t.call();
    expect((await t.call()).error?.code).toBe('QUARANTINED');
    t.quarantine.lift('process_client_phone', 'rolled back');
    expect((await t.call()).error?.code).toBe('TIMEOUT');
    expect(t.quarantine.list(t.at())).toEqual([]);
  });

  it('counts only TIMEOUT and MEMORY_LIMIT, and never quarantines the default (no published version)', async () => {
    const t = setup();
    t.live.set('process_client_phone', await script(`export default function (): HookResult { throw new Error('no'); }`, 9));
    for (let i = 0; i < 4; i++) expect((await t.call()).error?.code).toBe('SCRIPT_ERROR');
    t.live.delete('process_client_phone');
    for (let i = 0; i < 3; i++) expect((await t.call()).error?.code).toBe('NO_SCRIPT');
    expect(t.quarantine.list(t.at())).toEqual([]);
  });
});
