import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth, startHttp, type HttpServer } from '../../http/index.ts';

// Every answer of the service's server, even the ones fastify makes itself, is {error: {code, message, hint}}.
const dir = mkdtempSync(join(tmpdir(), 'hl-http-shape-'));
let http: HttpServer;
let cookie = '';

beforeAll(async () => {
  const auth = createAuth(dir, { username: 'admin', password: 'pw' });
  http = await startHttp({
    auth, port: 0,
    routes: [{ name: 'probe', register(app) { app.get('/api/things/:thing', async (req) => ({ thing: (req.params as { thing: string }).thing })); } }],
  });
  const login = await fetch(`${http.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'pw' }) });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
});
afterAll(async () => {
  await http.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string) {
  const res = await fetch(`${http.url}${path}`, { headers: { cookie } });
  return { status: res.status, text: await res.text() };
}

describe('the service answers in its own error shape', () => {
  it('an unknown route is 404 NOT_FOUND', async () => {
    for (const path of ['/nothing-here', '/api/nothing-here']) {
      const r = await get(path);
      expect(r.status).toBe(404);
      expect(JSON.parse(r.text)).toEqual({ error: { code: 'NOT_FOUND', message: `there is no route GET ${path}`, hint: 'See the README for the routes hookline serves; the editor is at /.' } });
    }
  });

  it('an unknown route named by a very long URL is 404 without the URL echoed whole', async () => {
    const long = `/nothing/${'a'.repeat(5_000)}`;
    const r = await get(long);
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).error.code).toBe('NOT_FOUND');
    expect(r.text.length).toBeLessThan(400);
  });

  it('a path parameter over the router\'s limit is 414 URL_TOO_LONG, without the URL echoed', async () => {
    const r = await get(`/api/things/${'x'.repeat(3_000)}`);
    expect(r.status).toBe(414);
    expect(JSON.parse(r.text)).toEqual({ error: { code: 'URL_TOO_LONG', message: 'a part of the URL path is longer than 100 characters', hint: 'Check the link or the route: no hookline route takes a path part that long.' } });
  });

  it('a URL that cannot be decoded is 400 BAD_REQUEST', async () => {
    const r = await get('/api/things/%E0%A4%A');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.code).toBe('BAD_REQUEST');
    expect(r.text).not.toContain('%E0%A4%A');
  });
});
