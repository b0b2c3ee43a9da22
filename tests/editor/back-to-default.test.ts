/**
 * Back to the built-in default (issue 17, item 6): POST /api/hooks/<hook>/rollback when the only version is live
 * (or with {"toDefault": true}) leaves no version published, records it in the history (an entry with
 * `toDefault`), drops the draft that was the live version, and the engine runs the default from the next call;
 * a rollback from there brings the last version back. The store's own rollback with no earlier version still
 * refuses (tests/scripts-store/versions.test.ts): the API decides.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublishedScripts, type PublishedScripts } from '../../app/index.ts';
import { hooks } from '../../contracts/index.ts';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { silentLogger } from '../../log/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

const HOOK = 'process_lead_update_params';
const SRC = (tag: string) => `// ${tag}\nexport default (i: HookInput): HookResult => { const { call_full, ...d } = i; return { data: d, state: 'success' }; };\n`;
let dir: string;
let store: Store;
let runner: Runner;
let scripts: PublishedScripts;
let editor: Editor;
let cookie = '';

async function api(path: string, method = 'GET', body?: unknown) {
  const res = await fetch(`${editor.url}${path}`, { method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const row = async () => ((await api('/api/hooks')).body.hooks as { hook: string; published: number | null; draftChanged: boolean }[]).find((h) => h.hook === HOOK);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hl-back-to-default-'));
  const s = await openStore(dir, { flushMs: 60_000 });
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
  runner = createRunner();
  scripts = createPublishedScripts(store, runner, silentLogger);
  editor = await startEditor({ store, runner, auth: createAuth(dir, { password: 'pw' }), port: 0, page: false });
  const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'pw' }) });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
});
afterAll(async () => {
  await editor?.close();
  scripts?.close();
  await store?.close();
  await runner?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rollback of the only version', () => {
  it('returns the hook to its built-in default, in the history, and the engine runs the default', async () => {
    await api(`/api/hooks/${HOOK}/draft`, 'PUT', { source: SRC('one') });
    expect((await api(`/api/hooks/${HOOK}/publish`, 'POST', { message: 'one' })).status).toBe(200);
    await scripts.settled();
    expect(scripts.published(HOOK)?.version).toBe(1);

    const r = await api(`/api/hooks/${HOOK}/rollback`, 'POST', {});
    expect(r.status).toBe(200);
    expect(r.body.version).toMatchObject({ version: 2, toDefault: true, source: '', author: 'admin', message: 'back to the built-in default (v1 no longer runs)' });
    expect(store.published(HOOK)).toBeNull();
    const versions = await api(`/api/hooks/${HOOK}/versions`);
    expect(versions.body.published).toBeNull();
    expect(versions.body.versions.map((v: { version: number; toDefault?: boolean }) => [v.version, v.toDefault ?? false])).toEqual([[1, false], [2, true]]);
    // The draft was the live version: it goes, so the hook opens with its template and nothing is "changed".
    expect(store.draft(HOOK)).toBeNull();
    expect((await api(`/api/hooks/${HOOK}/draft`)).body).toMatchObject({ source: hooks[HOOK].template, fromTemplate: true });
    expect(await row()).toMatchObject({ published: null, draftChanged: false });
    await scripts.settled();
    expect(scripts.published(HOOK)).toBeNull();

    // Already the default: asking again is refused; a rollback from there brings v1 back.
    const again = await api(`/api/hooks/${HOOK}/rollback`, 'POST', { toDefault: true });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('the built-in default already runs');
    const back = await api(`/api/hooks/${HOOK}/rollback`, 'POST', {});
    expect(back.body.version).toMatchObject({ version: 3, rollbackOf: 1, source: SRC('one') });
    await scripts.settled();
    expect(scripts.published(HOOK)?.version).toBe(3);
    expect(store.draft(HOOK)?.source).toBe(SRC('one'));
  });

  it('toDefault goes back to the default whatever the history holds; an entry that did is no version to roll back to', async () => {
    const r = await api(`/api/hooks/${HOOK}/rollback`, 'POST', { toDefault: true });
    expect(r.body.version).toMatchObject({ version: 4, toDefault: true });
    expect((await api(`/api/hooks/${HOOK}/rollback`, 'POST', { toVersion: 2 })).status).toBe(409);
    expect((await api(`/api/hooks/${HOOK}/rollback`, 'POST', { toVersion: 1, toDefault: true })).status).toBe(400);
    expect(store.published(HOOK)).toBeNull();
  });

  it('a draft with unpublished work is kept when the hook goes back to the default', async () => {
    const other = 'process_contact_update_params';
    await api(`/api/hooks/${other}/draft`, 'PUT', { source: SRC('live') });
    await api(`/api/hooks/${other}/publish`, 'POST', { message: 'live' });
    await api(`/api/hooks/${other}/draft`, 'PUT', { source: SRC('work in progress') });
    const r = await api(`/api/hooks/${other}/rollback`, 'POST', {});
    expect(r.body.version).toMatchObject({ toDefault: true });
    expect(store.draft(other)?.source).toBe(SRC('work in progress'));
  });

  it('survives a reopen of the store', async () => {
    await store.flush();
    const again = await openStore(dir, { readOnly: true });
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.published(HOOK)).toBeNull();
    expect(again.value.versions(HOOK).at(-1)).toMatchObject({ version: 4, toDefault: true });
    await again.value.close();
  });
});
