/**
 * The editor's API security over real HTTP: the session check on paths the router decodes, the replay
 * WebSocket (malformed messages, logout), body validation, and the autodistribution allow-list behind a
 * trusted proxy (the route sees req.ip, the client's address, like every route module).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createAutodistribution } from '../../engine/autodistribution/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

let editor: Editor;
let runner: Runner;
let store: Store;

async function login(): Promise<string> {
  const res = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'pw' }) });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

async function openWs(cookie: string): Promise<WebSocket> {
  const ws = new WebSocket(`${editor.url.replace('http', 'ws')}/api/ws`, { headers: { cookie } });
  await new Promise((res, rej) => {
    ws.once('open', res);
    ws.once('error', rej);
  });
  return ws;
}

const nextMessage = (ws: WebSocket) =>
  new Promise<{ type: string; error?: { code: string } } | { closed: number }>((res) => {
    ws.once('message', (m) => res(JSON.parse(String(m)) as { type: string }));
    ws.once('close', (code) => res({ closed: code }));
  });

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-editor-sec-'));
  const r = await openStore(dir, { flushMs: 60_000 });
  if (!r.ok) throw new Error(r.error.message);
  store = r.value;
  runner = createRunner();
  editor = await startEditor({ store, runner, auth: createAuth(dir, { username: 'admin', password: 'pw' }), port: 0, page: false });
});
afterAll(async () => {
  await editor.close();
  await runner.close();
  await store.close();
});

describe('the session check', () => {
  it('covers a path the router decodes: /%61pi/hooks is /api/hooks and needs the session', async () => {
    for (const path of ['/%61pi/hooks', '/%61%70%69/status', '/api/%68ooks']) {
      const res = await fetch(`${editor.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
    const res = await fetch(`${editor.url}/api/hooks/process_client_phone/dr%61ft`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(res.status).toBe(415);
    expect(store.draft('process_client_phone')).toBeNull();
  });
});

describe('the replay WebSocket', () => {
  it('answers a malformed message with BAD_REQUEST and keeps serving', async () => {
    const ws = await openWs(await login());
    try {
      for (const raw of ['null', '5', '"replay"', JSON.stringify({ type: 'replay', hook: 'process_client_phone', ids: 'abc' }), JSON.stringify({ type: 'replay', hook: 'process_client_phone', limit: 'all' })]) {
        const m = nextMessage(ws);
        ws.send(raw);
        expect(await m, raw).toMatchObject({ type: 'error', error: { code: 'BAD_REQUEST' } });
      }
      const m = nextMessage(ws);
      ws.send(JSON.stringify({ type: 'replay', hook: 'process_client_phone', limit: 1 }));
      expect(await m).toMatchObject({ type: 'summary' });
    } finally {
      ws.close();
    }
  });

  it('stops serving a connection whose session has logged out', async () => {
    const cookie = await login();
    const ws = await openWs(cookie);
    const out = await fetch(`${editor.url}/api/logout`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' });
    expect(out.status).toBe(200);
    const m = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'replay', hook: 'process_client_phone', limit: 1 }));
    expect(await m).toEqual({ closed: 1008 });
  });
});

describe('body validation', () => {
  it('refuses a field the route does not know with a 400 instead of dropping it', async () => {
    const cookie = await login();
    const res = await fetch(`${editor.url}/api/hooks/process_client_phone/rollback`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ toversion: 1 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toMatch(/the request body is not valid: .*additional properties/i);
  });

  it('refuses a value of the wrong type instead of converting it', async () => {
    const cookie = await login();
    const post = (path: string, body: unknown) =>
      fetch(`${editor.url}/api/hooks/process_client_phone/${path}`, { method: path === 'draft' ? 'PUT' : 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
    const cases: [string, unknown, RegExp][] = [
      ['draft', { source: 1 }, /source.*must be string/],
      ['draft', { source: true }, /source.*must be string/],
      ['publish', { message: ['ship it'] }, /message.*must be string/],
      ['rollback', { toVersion: '1' }, /toVersion.*must be integer/],
      ['replay', { limit: '5' }, /limit.*must be integer/],
    ];
    for (const [path, body, why] of cases) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(why);
    }
    // nothing was saved from the refused bodies
    const draft = (await (await fetch(`${editor.url}/api/hooks/process_client_phone/draft`, { headers: { cookie } })).json()) as { updatedAt: unknown };
    expect(draft.updatedAt).toBeNull();
  });
});

describe('autodistribution behind a trusted proxy', () => {
  it('checks allowFrom against the client the proxy names, not the proxy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-editor-sec-ad-'));
    const r = await openStore(dir, { flushMs: 60_000 });
    if (!r.ok) throw new Error(r.error.message);
    let asked = 0;
    const ad = createAutodistribution({
      kommo: {
        findContactsByPhone: async () => { asked++; return { ok: true, value: [] } as never; },
        findCompaniesByPhone: async () => { asked++; return { ok: true, value: [] } as never; },
        users: async () => ({ ok: true, value: [] }) as never,
      },
      invoker: { invoke: async () => { asked++; return { data: { number: '', name: '' } } as never; } } as never,
      // allowFrom: loopback (the default); the proxy runs on this host.
    });
    const e = await startEditor({
      store: r.value, runner, auth: createAuth(dir, { username: 'admin', password: 'pw' }), port: 0, page: false,
      trustProxy: ['127.0.0.1', '::1'], routes: [ad.route],
    });
    try {
      const outside = await fetch(`${e.url}/autodistribution?from=%2B31260010001&trunk=1`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(outside.status).toBe(403);
      expect(((await outside.json()) as { error: { code: string } }).error.code).toBe('AUTODISTRIBUTION_FORBIDDEN');
      expect(asked).toBe(0);
      // Asterisk on this host, straight to hookline (no proxy header): allowed as before.
      const local = await fetch(`${e.url}/autodistribution?from=%2B31260010001&trunk=1`);
      expect(local.status).toBe(200);
    } finally {
      await e.close();
      await r.value.close();
    }
  });
});

describe('the session cookie', () => {
  it('is Secure when the editor is reached over HTTPS through a trusted proxy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-editor-sec-tls-'));
    const r = await openStore(dir, { flushMs: 60_000 });
    if (!r.ok) throw new Error(r.error.message);
    const e = await startEditor({ store: r.value, runner, auth: createAuth(dir, { username: 'admin', password: 'pw' }), port: 0, page: false, trustProxy: ['127.0.0.1', '::1'] });
    try {
      const post = (path: string, headers: Record<string, string>, body: unknown) =>
        fetch(`${e.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const tls = await post('/api/login', { 'x-forwarded-proto': 'https' }, { username: 'admin', password: 'pw' });
      expect(tls.headers.get('set-cookie')).toMatch(/hookline_session=[\w-]+; Path=\/; HttpOnly; Secure; SameSite=Strict/);
      const cookie = (tls.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const out = await post('/api/logout', { 'x-forwarded-proto': 'https', cookie }, {});
      expect(out.headers.get('set-cookie')).toMatch(/hookline_session=;.*Secure/);
      // Plain HTTP (the default, 127.0.0.1): no Secure, or the browser would not send the cookie back.
      const plain = await post('/api/login', {}, { username: 'admin', password: 'pw' });
      expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
    } finally {
      await e.close();
      await r.value.close();
    }
  });
});
