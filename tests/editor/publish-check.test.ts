/**
 * Publishing is checked (issue 17): a draft that does not type-check against its hook's contract is refused
 * with the list of errors, unless the operator publishes anyway, which the history records; a rollback takes
 * the draft with it when the draft was the live version, and leaves a draft with unpublished work alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

let dir: string;
let editor: Editor;
let runner: Runner;
let store: Store;
let cookie = '';

async function api(path: string, method = 'GET', body?: unknown) {
  const res = await fetch(`${editor.url}${path}`, { method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const GOOD = (tag: string) => `// ${tag}\nexport default (i: HookInput): HookResult => ({ data: { phone: i.phone }, state: 'success' });\n`;
const TYPE_ERRORS = `export default function (input: HookInput): HookResult {\n  const x: number = 'a';\n  return { data: { phone: input.nope }, state: 'success' };\n}\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hl-publish-check-'));
  const r = await openStore(dir, { flushMs: 60_000 });
  if (!r.ok) throw new Error(r.error.message);
  store = r.value;
  runner = createRunner({ isolation: 'in-process' });
  editor = await startEditor({ store, runner, auth: createAuth(dir, { username: 'admin', password: 'pw' }), port: 0, page: false });
  const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'pw' }) });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
});
afterAll(async () => {
  await editor.close();
  await runner.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/hooks/:hook/publish type-checks the draft', () => {
  it('refuses type errors with 422 PUBLISH_TYPE_ERRORS and the list; nothing is published', async () => {
    await api('/api/hooks/process_client_phone/draft', 'PUT', { source: TYPE_ERRORS });
    const r = await api('/api/hooks/process_client_phone/publish', 'POST', { message: 'try' });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('PUBLISH_TYPE_ERRORS');
    expect(r.body.error.message).toContain('2 type error(s)');
    expect(r.body.problems).toEqual([
      expect.objectContaining({ line: 2, message: expect.stringContaining("Type 'string' is not assignable to type 'number'") }),
      expect.objectContaining({ line: 3, message: expect.stringContaining("'nope'") }),
    ]);
    expect(store.published('process_client_phone')).toBeNull();
  });

  it('publishes anyway when asked, and the history says so', async () => {
    const r = await api('/api/hooks/process_client_phone/publish', 'POST', { message: 'testing the failure log', anyway: true });
    expect(r.status).toBe(200);
    expect(r.body.version.message).toBe('testing the failure log (published with 2 type errors)');
    expect(store.published('process_client_phone')?.version).toBe(1);
  });

  it('publishes a draft that type-checks as before', async () => {
    await api('/api/hooks/process_client_phone/draft', 'PUT', { source: GOOD('v2') });
    const r = await api('/api/hooks/process_client_phone/publish', 'POST', { message: 'fixed' });
    expect(r.status).toBe(200);
    expect(r.body.version.message).toBe('fixed');
  });
});

describe('POST /api/hooks/:hook/rollback and the draft', () => {
  it('the draft follows a rollback when it was the live version', async () => {
    await api('/api/hooks/process_lead_update_params/draft', 'PUT', { source: `// a\nexport default (i: HookInput): HookResult => { const { call_full, ...d } = i; return { data: d, state: 'success' }; };\n` });
    await api('/api/hooks/process_lead_update_params/publish', 'POST', { message: 'a' });
    await api('/api/hooks/process_lead_update_params/draft', 'PUT', { source: `// b\nexport default (i: HookInput): HookResult => { const { call_full, ...d } = i; return { data: d, state: 'success' }; };\n` });
    await api('/api/hooks/process_lead_update_params/publish', 'POST', { message: 'b' });
    const r = await api('/api/hooks/process_lead_update_params/rollback', 'POST', {});
    expect(r.status).toBe(200);
    expect(store.draft('process_lead_update_params')?.source).toContain('// a');
    expect(store.listHooks().find((h) => h.hook === 'process_lead_update_params')?.draftChanged).toBe(false);
  });

  it('a draft with unpublished work is left as it is', async () => {
    await api('/api/hooks/process_client_phone/draft', 'PUT', { source: GOOD('work in progress') });
    const r = await api('/api/hooks/process_client_phone/rollback', 'POST', {});
    expect(r.status).toBe(200);
    expect(store.draft('process_client_phone')?.source).toContain('work in progress');
  });
});
