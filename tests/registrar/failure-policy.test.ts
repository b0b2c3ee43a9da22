/**
 * need_registration's failure policy (config hooks.need_registration.onFailure) and quarantine, end to end:
 * sim/pbx over TCP, the engine, sim/kommo over HTTP, real isolates. A filter that fails must not fail open when
 * the operator says "skip"; a runaway filter is quarantined, and a publish or a rollback lifts it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createQuarantine } from '../../engine/hooks/index.ts';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/engine-harness.ts';

const CAPTURE = 'caco-inbound-queue-answered.ami';
const RUNAWAY = `export default function (i: HookInput): HookResult { while (true) {} }`;
const PASS = `export default (i: HookInput): HookResult => ({ data: { result: true }, state: 'success' });`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(onFailure: 'register' | 'skip' | undefined, o: Partial<HarnessOptions> = {}): Promise<Harness> {
  h = await startHarness({ config: { hooks: { need_registration: { timeoutMs: 60, ...(onFailure ? { onFailure } : {}) } } }, ...o });
  return h;
}

const codes = (x: Harness) => x.invocations.filter((r) => r.hook === 'need_registration').map((r) => r.error?.code ?? 'ok');
const callLogs = (x: Harness) => x.kommo.state().calls.length;

describe('need_registration fails: the operator chooses what it means', () => {
  it('"skip": a filter that times out registers nothing', async () => {
    const x = await harness('skip');
    await x.publish('need_registration', RUNAWAY);
    await x.play(CAPTURE, { fresh: true });
    expect(codes(x).length).toBeGreaterThan(0);
    expect(new Set(codes(x))).toEqual(new Set(['TIMEOUT']));
    expect(callLogs(x)).toBe(0);
    expect(x.outcomes).toEqual([]);
  });

  it('"register" (the default): a filter that times out goes on with its default data, and the call is registered', async () => {
    const x = await harness(undefined);
    await x.publish('need_registration', RUNAWAY);
    await x.play(CAPTURE, { fresh: true });
    expect(new Set(codes(x))).toEqual(new Set(['TIMEOUT']));
    expect(callLogs(x)).toBeGreaterThan(0);
    expect(x.outcomes.every((o) => o.ok)).toBe(true);
  });
});

describe('a runaway filter is quarantined; a publish and a rollback lift it', () => {
  it('after 2 TIMEOUTs it stops running (QUARANTINED, "skip" keeps the calls out); a fixed version runs; a rollback to it lifts the next quarantine', async () => {
    const x = await harness('skip', { quarantine: createQuarantine({ after: 2, baseMs: 3_600_000, maxMs: 3_600_000 }) });
    await x.publish('need_registration', RUNAWAY);
    await x.play(CAPTURE, { fresh: true });
    const first = codes(x);
    expect(first.slice(0, 2)).toEqual(['TIMEOUT', 'TIMEOUT']);
    expect(first.length).toBeGreaterThan(2);
    expect(new Set(first.slice(2))).toEqual(new Set(['QUARANTINED']));
    expect(x.invocations.filter((r) => r.error?.code === 'QUARANTINED').every((r) => r.durationMs === 0)).toBe(true);
    expect(callLogs(x)).toBe(0);

    // A fixed version: runs at once, and the calls are registered again.
    await x.publish('need_registration', PASS);
    const fixedAt = x.invocations.length;
    await x.play(CAPTURE, { fresh: true });
    expect(new Set(x.invocations.slice(fixedAt).filter((r) => r.hook === 'need_registration').map((r) => r.error?.code ?? 'ok'))).toEqual(new Set(['ok']));
    expect(callLogs(x)).toBeGreaterThan(0);
    const logsBefore = callLogs(x);

    // The runaway again, quarantined again; a rollback to the fixed version lifts it.
    await x.publish('need_registration', RUNAWAY);
    await x.play(CAPTURE, { fresh: true });
    expect(codes(x)).toContain('QUARANTINED');
    const versions = x.store.versions('need_registration');
    const fixed = versions.find((v) => v.source === PASS);
    if (!fixed) throw new Error('the fixed version is not in the history');
    const r = await x.store.rollback('need_registration', { toVersion: fixed.version, author: 'test' });
    if (!r.ok) throw new Error(r.error.message);
    await x.scripts.settled();
    const rolledAt = x.invocations.length;
    await x.play(CAPTURE, { fresh: true });
    expect(new Set(x.invocations.slice(rolledAt).filter((r) => r.hook === 'need_registration').map((r) => r.error?.code ?? 'ok'))).toEqual(new Set(['ok']));
    expect(callLogs(x)).toBeGreaterThan(logsBefore);
  });
});
