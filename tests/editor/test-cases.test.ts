/**
 * Test cases (issue 17, item 3) over the API: saved from a capture (expected output typed as JSON, or what the
 * draft returns now), checked against the hook's contract, run on every replay and on publish (pass/fail with a
 * diff), a publish with a failing case refused with the list (422 PUBLISH_TESTS_FAILED) unless "anyway" with a
 * message kept in the history; kept in scripts.json across a reopen; exported and imported with the hook.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
let editor: Editor;
let runner: Runner;
let store: Store;
let cookie = '';

async function api(path: string, method = 'GET', body?: unknown) {
  const res = await fetch(`${editor.url}${path}`, { method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any>, headers: res.headers };
}

const DIGITS = `// digits\nexport default (i: HookInput): HookResult => ({ data: { phone: String(i.phone).replace(/\\D/g, '') }, state: 'success' });\n`;
const PLUS = `// plus\nexport default (i: HookInput): HookResult => ({ data: { phone: '+' + String(i.phone).replace(/\\D/g, '') }, state: 'success' });\n`;
const THROWS = `// throws\nexport default (i: HookInput): HookResult => { throw new Error('no ' + i.phone); };\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hl-test-cases-'));
  const r = await openStore(dir, { flushMs: 60_000 });
  if (!r.ok) throw new Error(r.error.message);
  store = r.value;
  store.capture({ hook: HOOK, linkedid: '9.1', input: { ...hooks[HOOK].exampleInput, phone: '8 (916) 123-45-67' }, now: 1_700_000_000_000, seed: 7 });
  store.capture({ hook: HOOK, linkedid: '9.2', input: { ...hooks[HOOK].exampleInput, phone: '+7 495 000-11-22' }, now: 1_700_000_100_000, seed: 8 });
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

const capture = (linkedid: string) => store.captures(HOOK).find((c) => c.linkedid === linkedid)!;

describe('saving test cases', () => {
  it('from a capture, the expected output being what the draft returns now', async () => {
    const r = await api(`/api/hooks/${HOOK}/tests`, 'POST', { name: 'eight to digits', captureId: capture('9.1').id, source: DIGITS });
    expect(r.status).toBe(201);
    expect(r.body.test).toMatchObject({ name: 'eight to digits', expected: { phone: '89161234567' }, now: 1_700_000_000_000, seed: 7, from: { kind: 'capture', linkedid: '9.1' }, author: 'admin' });
    expect(r.body.test.input.phone).toBe('8 (916) 123-45-67');
  });

  it('with the expected output written as JSON', async () => {
    const r = await api(`/api/hooks/${HOOK}/tests`, 'POST', { name: 'moscow number', input: capture('9.2').input, expected: { phone: '74950001122' } });
    expect(r.status).toBe(201);
    expect((await api(`/api/hooks/${HOOK}/tests`)).body.tests.map((t: { name: string }) => t.name)).toEqual(['eight to digits', 'moscow number']);
  });

  it('refuses an expected output or an input the contract does not allow, and a case without either', async () => {
    const bad = await api(`/api/hooks/${HOOK}/tests`, 'POST', { name: 'x', input: capture('9.2').input, expected: { phone: 42 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('expected output does not fit');
    const badInput = await api(`/api/hooks/${HOOK}/tests`, 'POST', { name: 'x', input: { nope: 1 }, expected: { phone: '1' } });
    expect(badInput.status).toBe(400);
    expect(badInput.body.error.message).toContain('input does not fit');
    const none = await api(`/api/hooks/${HOOK}/tests`, 'POST', { name: 'x', input: capture('9.2').input });
    expect(none.status).toBe(400);
    const fails = await api(`/api/hooks/${HOOK}/tests`, 'POST', { name: 'x', captureId: capture('9.2').id, source: THROWS });
    expect(fails.status).toBe(422);
    expect(fails.body.error.message).toContain('SCRIPT_ERROR');
    expect(store.testCases(HOOK)).toHaveLength(2);
  });
});

describe('running them', () => {
  it('POST tests/run: each case pass or fail, a failing one with its diff', async () => {
    const r = await api(`/api/hooks/${HOOK}/tests/run`, 'POST', { source: PLUS });
    expect(r.status).toBe(200);
    expect(r.body.summary).toEqual({ total: 2, passed: 0, failed: 2 });
    expect(r.body.results[0].diff).toContain('-  "phone": "89161234567"');
    expect(r.body.results[0].diff).toContain('+  "phone": "+89161234567"');
    const ok = await api(`/api/hooks/${HOOK}/tests/run`, 'POST', { source: DIGITS });
    expect(ok.body.summary).toEqual({ total: 2, passed: 2, failed: 0 });
    expect(ok.body.results.every((x: { diff: string }) => x.diff === '')).toBe(true);
  });

  it('every replay runs them', async () => {
    const r = await api(`/api/hooks/${HOOK}/replay`, 'POST', { source: THROWS });
    expect(r.body.summary.failed).toBe(2);
    expect(r.body.tests.summary).toEqual({ total: 2, passed: 0, failed: 2 });
    expect(r.body.tests.results[0].error.code).toBe('SCRIPT_ERROR');
  });
});

describe('publish', () => {
  it('a failing case refuses it, with the list; nothing is published', async () => {
    await api(`/api/hooks/${HOOK}/draft`, 'PUT', { source: PLUS });
    const r = await api(`/api/hooks/${HOOK}/publish`, 'POST', { message: 'plus sign' });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('PUBLISH_TESTS_FAILED');
    expect(r.body.error.message).toContain('2 of 2 test case(s) fail');
    expect(r.body.failing.map((f: { name: string }) => f.name)).toEqual(['eight to digits', 'moscow number']);
    expect(r.body.failing[1].diff).toContain('+  "phone": "+74950001122"');
    expect(store.published(HOOK)).toBeNull();
  });

  it('"anyway" publishes it, the history keeping the reason and the count', async () => {
    const r = await api(`/api/hooks/${HOOK}/publish`, 'POST', { message: 'Kommo wants the plus now', anyway: true });
    expect(r.status).toBe(200);
    expect(r.body.version.message).toBe('Kommo wants the plus now (published with 2 failing test cases)');
    expect(store.published(HOOK)?.source).toBe(PLUS);
  });

  it('a draft that passes them publishes as before', async () => {
    await api(`/api/hooks/${HOOK}/draft`, 'PUT', { source: DIGITS });
    const r = await api(`/api/hooks/${HOOK}/publish`, 'POST', { message: 'digits again' });
    expect(r.status).toBe(200);
    expect(r.body.version.message).toBe('digits again');
  });
});

describe('editing, deleting, and keeping them', () => {
  it('PUT changes the expected output (checked), DELETE removes a case', async () => {
    const [first] = store.testCases(HOOK);
    const put = await api(`/api/hooks/${HOOK}/tests/${first!.id}`, 'PUT', { expected: { phone: '+1' }, name: 'renamed' });
    expect(put.body.test).toMatchObject({ name: 'renamed', expected: { phone: '+1' } });
    expect((await api(`/api/hooks/${HOOK}/tests/${first!.id}`, 'PUT', { expected: [] })).status).toBe(400);
    const extra = await api(`/api/hooks/${HOOK}/tests`, 'POST', { name: 'temp', input: capture('9.2').input, expected: { phone: '1' } });
    expect((await api(`/api/hooks/${HOOK}/tests/${extra.body.test.id}`, 'DELETE', {})).status).toBe(200);
    expect((await api(`/api/hooks/${HOOK}/tests/${extra.body.test.id}`, 'DELETE', {})).status).toBe(404);
    await api(`/api/hooks/${HOOK}/tests/${first!.id}`, 'PUT', { expected: { phone: '89161234567' }, name: 'eight to digits' });
    const onDisk = JSON.parse(readFileSync(join(dir, 'scripts.json'), 'utf8'));
    expect(onDisk.hooks[HOOK].tests.map((t: { name: string }) => t.name)).toEqual(['eight to digits', 'moscow number']);
  });

  it('export, then import into another hookline: the draft and the cases, which then run there', async () => {
    const ex = await api(`/api/hooks/${HOOK}/export`);
    expect(ex.headers.get('content-disposition')).toContain(`${HOOK}.hookline.json`);
    expect(ex.body).toMatchObject({ format: 'hookline.hook/1', hook: HOOK, source: DIGITS, published: { version: 2, source: DIGITS } });
    expect(ex.body.tests).toHaveLength(2);

    const dir2 = mkdtempSync(join(tmpdir(), 'hl-test-cases-2-'));
    const s2 = await openStore(dir2, { flushMs: 60_000 });
    if (!s2.ok) throw new Error(s2.error.message);
    const ed2 = await startEditor({ store: s2.value, runner, auth: createAuth(dir2, { username: 'admin', password: 'pw' }), port: 0, page: false });
    try {
      const login = await fetch(`${ed2.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'pw' }) });
      const c2 = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const post = (path: string, body: unknown) => fetch(`${ed2.url}${path}`, { method: 'POST', headers: { cookie: c2, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() as Record<string, any> }));
      expect((await post('/api/hooks/need_registration/import', ex.body)).status).toBe(400); // another hook's export
      expect((await post(`/api/hooks/${HOOK}/import`, { ...ex.body, format: 'x' })).status).toBe(400);
      const bad = await post(`/api/hooks/${HOOK}/import`, { ...ex.body, tests: [{ ...ex.body.tests[0], expected: { phone: 1 } }] });
      expect(bad.status).toBe(400);
      expect(s2.value.testCases(HOOK)).toEqual([]);
      const r = await post(`/api/hooks/${HOOK}/import`, ex.body);
      expect(r.body).toEqual({ hook: HOOK, draft: true, tests: 2 });
      expect(s2.value.draft(HOOK)?.source).toBe(DIGITS);
      expect(s2.value.published(HOOK)).toBeNull(); // importing never publishes
      expect(s2.value.testCases(HOOK)).toEqual(ex.body.tests);
      // Imported again: the same ids are replaced, not doubled.
      await post(`/api/hooks/${HOOK}/import`, ex.body);
      expect(s2.value.testCases(HOOK)).toHaveLength(2);
      const run = await post(`/api/hooks/${HOOK}/tests/run`, {});
      expect(run.body.summary).toEqual({ total: 2, passed: 2, failed: 0 });
    } finally {
      await ed2.close();
      await s2.value.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  it('survive a reopen of the store', async () => {
    await store.close();
    const again = await openStore(dir, { flushMs: 60_000 });
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.testCases(HOOK).map((t) => t.name)).toEqual(['eight to digits', 'moscow number']);
    store = again.value; // closed by afterAll
  });
});
