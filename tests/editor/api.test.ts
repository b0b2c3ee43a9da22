import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hooks } from '../../contracts/index.ts';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createPublishedScripts, recordInto, type PublishedScripts } from '../../app/index.ts';
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { silentLogger } from '../../log/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

let editor: Editor;
let runner: Runner;
let store: Store;
let scripts: PublishedScripts;
let cookie = '';

async function api(path: string, o: { method?: string; body?: unknown; cookie?: string; headers?: Record<string, string>; raw?: string } = {}) {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  if (o.cookie ?? cookie) headers.cookie = o.cookie ?? cookie;
  const res = await fetch(`${editor.url}${path}`, { method: o.method ?? (o.body !== undefined || o.raw !== undefined ? 'POST' : 'GET'), headers, body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null, headers: res.headers };
}

const routes: [string, string, unknown][] = [
  ['POST', '/api/logout', {}],
  ['GET', '/api/hooks', null],
  ['GET', '/api/hooks/process_client_phone/draft', null],
  ['PUT', '/api/hooks/process_client_phone/draft', { source: 'x' }],
  ['POST', '/api/hooks/process_client_phone/publish', { message: 'm' }],
  ['GET', '/api/hooks/process_client_phone/versions', null],
  ['POST', '/api/hooks/process_client_phone/rollback', {}],
  ['GET', '/api/hooks/process_client_phone/captures', null],
  ['POST', '/api/hooks/process_client_phone/replay', {}],
  ['GET', '/api/hooks/process_client_phone/failures', null],
  ['GET', '/api/status', null],
];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-editor-'));
  const r = await openStore(dir, { flushMs: 60_000 });
  if (!r.ok) throw new Error(r.error.message);
  store = r.value;
  runner = createRunner();
  scripts = createPublishedScripts(store, runner, silentLogger);
  editor = await startEditor({ store, runner, auth: createAuth(dir, { username: 'admin', password: 'correct horse' }), port: 0, loginAttemptsPerMinute: 3 });
  const login = await api('/api/login', { body: { username: 'admin', password: 'correct horse' } });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
});
afterAll(async () => {
  await editor.close();
  scripts.close();
  await runner.close();
});

describe('editor API over HTTP', () => {
  it.each(routes)('%s %s answers 401 without a session', async (method, path, body) => {
    const r = await api(path, { method, body: body ?? undefined, cookie: 'hookline_session=nope' });
    expect(r.status).toBe(401);
    expect(r.body?.error.code).toBe('UNAUTHORIZED');
  });

  it('logs in with an HttpOnly, SameSite=Strict session cookie', async () => {
    const r = await api('/api/login', { body: { username: 'admin', password: 'correct horse' }, cookie: '' });
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toMatch(/hookline_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict/);
  });

  it('rate limits wrong passwords', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await api('/api/login', { body: { username: 'admin', password: `wrong ${i}` }, cookie: '' })).status);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    // The answer says when to try again, in seconds, as a header and in the hint.
    const r = await api('/api/login', { body: { username: 'admin', password: 'correct horse' }, cookie: '' });
    expect(r.status).toBe(429);
    const after = Number(r.headers.get('retry-after'));
    expect(after).toBeGreaterThanOrEqual(1);
    expect(after).toBeLessThanOrEqual(60);
    expect(r.body?.error.hint).toBe(`Wait ${after} s and try again.`);
  });

  it('refuses a state-changing request that is not JSON (a cross-site form), even with the cookie', async () => {
    const r = await api('/api/hooks/process_client_phone/draft', { method: 'PUT', raw: 'source=evil', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.status).toBe(415);
    expect(store.draft('process_client_phone')).toBeNull();
  });

  it('refuses a state-changing request from a foreign Origin', async () => {
    const r = await api('/api/hooks/process_client_phone/draft', { method: 'PUT', body: { source: 'x' }, headers: { origin: 'http://evil.example' } });
    expect(r.status).toBe(403);
    expect(r.body?.error.code).toBe('FOREIGN_ORIGIN');
  });

  it('validates bodies with a clear 400', async () => {
    const r = await api('/api/hooks/process_client_phone/draft', { method: 'PUT', body: { src: 'typo' } });
    expect(r.status).toBe(400);
    expect(r.body?.error.message).toMatch(/the request body is not valid: .*source/);
  });

  it('answers 404 for an unknown hook', async () => {
    const r = await api('/api/hooks/no_such_hook/draft');
    expect(r.status).toBe(404);
  });

  it('refuses to publish a draft that does not compile, with its COMPILE_ERROR', async () => {
    await api('/api/hooks/need_registration/draft', { method: 'PUT', body: { source: 'export default function ( {' } });
    const r = await api('/api/hooks/need_registration/publish', { method: 'POST', body: { message: 'broken' } });
    expect(r.status).toBe(400);
    expect(r.body?.error.code).toBe('COMPILE_ERROR');
    expect(store.published('need_registration')).toBeNull();
  });

  it('publishes, replays against captures with a diff and a summary, rolls back, and the engine uses the rolled-back version', async () => {
    const invoker = createHookInvoker({ runner, scripts, log: silentLogger, onInvocation: recordInto(store) });
    const v1 = "export default (i: HookInput): HookResult => ({ data: { phone: i.phone + '-v1' }, state: 'success' });";
    const v2 = "export default (i: HookInput): HookResult => ({ data: { phone: i.phone.startsWith('+7') ? i.phone + '-v2' : i.phone + '-v1' }, state: 'success' });";
    await api('/api/hooks/process_client_phone/draft', { method: 'PUT', body: { source: v1 } });
    expect((await api('/api/hooks/process_client_phone/publish', { method: 'POST', body: { message: 'first' } })).body?.version.version).toBe(1);
    await scripts.settled();
    const input = hooks.process_client_phone.exampleInput;
    await invoker.invoke('process_client_phone', input, { linkedid: '9.1' });
    await invoker.invoke('process_client_phone', { ...input, phone: '+31260010001' }, { linkedid: '9.2' });

    await api('/api/hooks/process_client_phone/draft', { method: 'PUT', body: { source: v2 } });
    const rep = await api('/api/hooks/process_client_phone/replay', { method: 'POST', body: { limit: 10 } });
    expect(rep.status).toBe(200);
    expect(rep.body?.summary).toEqual({ total: 2, changed: 1, unchanged: 1, failed: 0 });
    const changed = rep.body?.results.find((x: { verdict: string }) => x.verdict === 'changed');
    expect(changed.linkedid).toBe('9.1');
    expect(changed.diff).toContain('-  "phone": "+79161234567-v1"');
    expect(changed.diff).toContain('+  "phone": "+79161234567-v2"');

    expect((await api('/api/hooks/process_client_phone/publish', { method: 'POST', body: { message: 'second' } })).body?.version.version).toBe(2);
    await scripts.settled();
    expect((await invoker.invoke('process_client_phone', input, { linkedid: '9.3' })).data.phone).toBe('+79161234567-v2');

    const rb = await api('/api/hooks/process_client_phone/rollback', { method: 'POST', body: {} });
    expect(rb.body?.version).toMatchObject({ version: 3, rollbackOf: 1 });
    await scripts.settled();
    expect((await invoker.invoke('process_client_phone', input, { linkedid: '9.4' })).data.phone).toBe('+79161234567-v1');
    const versions = await api('/api/hooks/process_client_phone/versions');
    expect(versions.body?.versions.map((v: { message: string }) => v.message)).toEqual(['first', 'second', 'rollback to v1']);
  });

  it('streams replay results over a WebSocket as they complete, then the summary', async () => {
    const ws = new WebSocket(`${editor.url.replace('http', 'ws')}/api/ws`, { headers: { cookie } });
    await new Promise((res, rej) => {
      ws.once('open', res);
      ws.once('error', rej);
    });
    const messages: { type: string; summary?: unknown }[] = [];
    const done = new Promise<void>((res) =>
      ws.on('message', (m) => {
        const msg = JSON.parse(String(m)) as { type: string };
        messages.push(msg);
        if (msg.type !== 'result') res();
      }),
    );
    ws.send(JSON.stringify({ type: 'replay', hook: 'process_client_phone', limit: 2 }));
    await done;
    ws.close();
    expect(messages.map((m) => m.type)).toEqual(['result', 'result', 'summary']);
    expect(messages[2]?.summary).toMatchObject({ total: 2 });
  });

  it('refuses a WebSocket without a session, or from a foreign origin', async () => {
    const status = (headers: Record<string, string>) =>
      new Promise<number>((res) => {
        const ws = new WebSocket(`${editor.url.replace('http', 'ws')}/api/ws`, { headers });
        ws.on('unexpected-response', (_req, r) => res(r.statusCode ?? 0));
        ws.on('open', () => res(101));
        ws.on('error', () => {});
      });
    expect(await status({})).toBe(401);
    expect(await status({ cookie, origin: 'http://evil.example' })).toBe(403);
  });

  it('lists the 13 hooks with their state', async () => {
    const r = await api('/api/hooks');
    expect(r.body?.hooks).toHaveLength(13);
    expect(r.body?.hooks[0]).toMatchObject({ hook: 'need_registration', number: 1, failures24h: 0 });
  });
});
