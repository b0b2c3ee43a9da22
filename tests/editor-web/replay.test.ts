/**
 * Replay's reuse of the published side's outputs, and `hookline replay` reading the store without writing to it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { replay } from '../../editor/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

const V1 = "export default (i: HookInput): HookResult => ({ data: { phone: i.phone + '-v1' }, state: 'success' });";
const V2 = "export default (i: HookInput): HookResult => ({ data: { phone: i.phone + '-v2' }, state: 'success' });";
// Math.random and Date.now are pinned by the capture's seed and time: the published output is the same every replay.
const RANDOM = "export default (i: HookInput): HookResult => ({ data: { phone: i.phone + ':' + Math.random().toFixed(6) + ':' + Date.now() }, state: 'success' });";
const DRAFT = "export default (i: HookInput): HookResult => ({ data: { phone: i.phone }, state: 'success' });";

let dir: string;
let store: Store;
let runner: Runner;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hl-replay-cache-'));
  const s = await openStore(dir);
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
  const input = hooks.process_client_phone.exampleInput;
  for (let i = 0; i < 5; i++) store.capture({ hook: 'process_client_phone', linkedid: `5.${i}`, input: { ...input, phone: `+7916000000${i}` }, now: 1_700_000_000_000 + i, seed: i + 1 });
  await store.flush();
  runner = createRunner({ children: 2 });
});

afterAll(async () => {
  await store?.close();
  await runner?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = async () => {
  const r = await replay({ store, runner, hook: 'process_client_phone', draftSource: DRAFT });
  if (!r.ok) throw new Error(r.error.message);
  return r.report;
};

describe('replay', () => {
  it("reuses the published side's outputs for the same version, and runs a new version afresh", async () => {
    await store.publish('process_client_phone', { source: RANDOM, message: 'random', author: 't', check: async () => null });
    const first = await run();
    expect(first.results.every((r) => !r.published.cached)).toBe(true);
    const again = await run();
    expect(again.results.every((r) => r.published.cached)).toBe(true);
    expect(again.results.map((r) => r.published.data)).toEqual(first.results.map((r) => r.published.data));
    expect(again.summary).toEqual({ total: 5, changed: 5, unchanged: 0, failed: 0 });

    await store.publish('process_client_phone', { source: V1, message: 'v1', author: 't', check: async () => null });
    const v1 = await run();
    expect(v1.results.every((r) => !r.published.cached && (r.published.data as { phone: string }).phone.endsWith('-v1'))).toBe(true);
    await store.publish('process_client_phone', { source: V2, message: 'v2', author: 't', check: async () => null });
    expect((await run()).results.every((r) => (r.published.data as { phone: string }).phone.endsWith('-v2'))).toBe(true);
    await store.rollback('process_client_phone', { author: 't', toVersion: 2 });
    const back = await run();
    expect(back.results.every((r) => (r.published.data as { phone: string }).phone.endsWith('-v1'))).toBe(true);
    expect(back.results.find((r) => r.linkedid === '5.0')?.diff).toContain('-  "phone": "+79160000000-v1"');
  });

  it('reports a draft that throws as failed on every input, with its error code', async () => {
    const r = await replay({ store, runner, hook: 'process_client_phone', draftSource: "if (Math.random() < 2) throw new Error('boom');\nexport default (i: HookInput): HookResult => ({ data: { phone: i.phone }, state: 'success' });" });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.report.summary).toMatchObject({ total: 5, failed: 5 });
    expect(r.report.results.every((x) => x.draft.error?.code === 'SCRIPT_ERROR' && /boom/.test(x.draft.error.message))).toBe(true);
  });

  it('keeps results in capture order while running many at once', async () => {
    const r = await run();
    expect(r.results.map((x) => x.id)).toEqual(store.captures('process_client_phone').map((c) => c.id));
  });
});

describe('hookline replay', () => {
  it('reads the store without writing anything to its folder', async () => {
    await store.flush();
    const snapshot = () => readdirSync(dir).sort().map((f) => {
      const p = join(dir, f);
      const st = statSync(p);
      return { f, mtime: st.mtimeMs, body: st.isFile() ? readFileSync(p, 'utf8') : '' };
    });
    const before = snapshot();
    const script = join(tmpdir(), `hl-replay-draft-${process.pid}.ts`);
    writeFileSync(script, `${DRAFT}\n`);
    const r = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'replay', 'process_client_phone', '--script', script, '--data', dir, '--json'], { encoding: 'utf8', timeout: 60_000 });
    rmSync(script, { force: true });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).summary).toMatchObject({ total: 5, failed: 0 });
    expect(snapshot()).toEqual(before);
  });
});
