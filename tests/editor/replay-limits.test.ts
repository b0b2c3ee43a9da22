/**
 * The editor replays a draft with the hook's limits from the config (hooks.<hook>), as the engine runs it:
 * a script the engine runs fine must not fail in the replay that is meant to check it before publishing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

// ~100 MB of numbers: past the default 64 MB, within the 256 MB the config allows (Date is pinned in a replay,
// so a script slow by the clock would never end: memory is the limit that can be shown).
const BIG = `export default function (i: HookInput): HookResult {
  const table = Array.from({ length: 12_000_000 }, (_, k) => k + 0.5);
  return { data: { phone: table.length > 0 ? i.phone : '' }, state: 'success' };
}`;

let store: Store;
let runner: Runner;
const editors: Editor[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-replay-limits-'));
  const s = await openStore(dir);
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
  store.capture({ hook: 'process_client_phone', linkedid: '9.1', input: hooks.process_client_phone.exampleInput, now: 1, seed: 1 });
  await store.flush();
  runner = createRunner();
  const auth = createAuth(dir, { username: 'admin', password: 'correct horse' });
  editors.push(await startEditor({ store, runner, auth, port: 0, hookLimits: { process_client_phone: { memoryMb: 256, timeoutMs: 10_000 } } }));
  editors.push(await startEditor({ store, runner, auth, port: 0 }));
});
afterAll(async () => {
  for (const e of editors) await e.close();
  await runner.close();
});

async function replayOn(editor: Editor) {
  const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'correct horse' }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const headers = { 'content-type': 'application/json', cookie };
  const put = await fetch(`${editor.url}/api/hooks/process_client_phone/draft`, { method: 'PUT', headers, body: JSON.stringify({ source: BIG }) });
  expect(put.status).toBe(200);
  const r = await fetch(`${editor.url}/api/hooks/process_client_phone/replay`, { method: 'POST', headers, body: '{}' });
  expect(r.status).toBe(200);
  return (await r.json()) as { summary: { failed: number }; results: { draft: { error: { code: string } | null } }[] };
}

describe('replay in the editor', () => {
  it('runs the draft with the limits the config gives the hook', async () => {
    const withLimits = await replayOn(editors[0] as Editor);
    expect(withLimits.results[0]?.draft.error).toBeNull();
    expect(withLimits.summary.failed).toBe(0);
    const onDefaults = await replayOn(editors[1] as Editor);
    expect(onDefaults.results[0]?.draft.error?.code).toBe('MEMORY_LIMIT');
  }, 60_000);
});
