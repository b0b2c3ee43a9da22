/**
 * GET /api/hooks/<hook>/failures answers each failure with the input of the same call (issue 17, item 4): the
 * capture of this hook with the failure's linkedid (the last one made before the failure, else the first after),
 * or null; and the replay API runs a draft on that capture by its id.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

const HOOK = 'process_client_phone';
let dir: string;
let store: Store;
let runner: Runner;
let editor: Editor;
let cookie = '';

async function api(path: string, body?: unknown) {
  const res = await fetch(`${editor.url}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any>, headers: res.headers };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hl-failures-api-'));
  const s = await openStore(dir, { flushMs: 60_000 });
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
  runner = createRunner();
  editor = await startEditor({ store, runner, auth: createAuth(dir, { password: 'pw' }), port: 0, page: false });
  const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'pw' }) });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
});
afterAll(async () => {
  await editor?.close();
  await store?.close();
  await runner?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
const input = (phone: string) => ({ ...hooks[HOOK].exampleInput, phone });

describe('GET /api/hooks/<hook>/failures', () => {
  it('gives each failure the capture of the same call, or null', async () => {
    store.capture({ hook: HOOK, linkedid: 'a', input: input('1'), now: 0, seed: 1, time: at(0) });
    store.capture({ hook: HOOK, linkedid: 'a', input: input('2'), now: 0, seed: 1, time: at(10) }); // the same call again, before the failure
    store.capture({ hook: HOOK, linkedid: 'a', input: input('3'), now: 0, seed: 1, time: at(30) }); // after it
    store.capture({ hook: HOOK, linkedid: 'b', input: input('4'), now: 0, seed: 1, time: at(50) }); // only after its failure
    store.capture({ hook: 'need_registration', linkedid: 'c', input: hooks.need_registration.exampleInput, now: 0, seed: 1, time: at(0) }); // another hook
    store.recordFailure(HOOK, { code: 'SCRIPT_THREW', message: 'x', version: 1, linkedid: 'a', time: at(20) });
    store.recordFailure(HOOK, { code: 'TIMEOUT', message: 'y', version: 2, linkedid: 'b', time: at(40) });
    store.recordFailure(HOOK, { code: 'TIMEOUT', message: 'z', version: 'draft', linkedid: 'c', time: at(41) });
    store.recordFailure(HOOK, { code: 'TIMEOUT', message: 'w', version: null, linkedid: null, time: at(42) });
    const r = await api(`/api/hooks/${HOOK}/failures`);
    expect(r.status).toBe(200);
    const fs = r.body.failures as { linkedid: string | null; message: string; capture: { id: string; time: string; input: { phone: string } } | null }[];
    expect(fs.map((f) => [f.message, f.linkedid, f.capture?.input.phone ?? null])).toEqual([['w', null, null], ['z', 'c', null], ['y', 'b', '4'], ['x', 'a', '2']]);
    expect(fs[3]).toMatchObject({ time: at(20), code: 'SCRIPT_THREW', version: 1, capture: { time: at(10) } });
    // The replay runs a draft on that capture by its id.
    const replay = await api(`/api/hooks/${HOOK}/replay`, { ids: [fs[3]?.capture?.id], source: `export default (input: HookInput): HookResult => ({ data: { phone: input.phone + '!' }, state: 'success' });` });
    expect(replay.status).toBe(200);
    expect(replay.body.results).toHaveLength(1);
    expect(replay.body.results[0].draft.data).toEqual({ phone: '2!' });
  });

  it('an unknown hook is a 404', async () => {
    expect((await api('/api/hooks/nope/failures')).status).toBe(404);
  });
});
