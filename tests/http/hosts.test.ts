/**
 * DNS rebinding (issue 15, edge 11): a page on attacker.example whose name is made to resolve to 127.0.0.1 talks
 * to hookline from the victim's browser as a same-origin page, with `Host: attacker.example`. The routes that
 * need no session (login, /metrics on loopback, /autodistribution on its address allow-list) were reachable so,
 * and the Origin check compared with that same Host. Only the host names hookline is configured for, loopback
 * names and IP literals are answered; other Hosts get 421 in the service's error shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth, startHttp, type HttpServer, type HttpOptions, type RouteModule } from '../../http/index.ts';
import { createStatus, metricsRoutes } from '../../status/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'hl-hosts-'));
const servers: HttpServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A route that carries its own credential (as a signed recording link does): answered whatever the Host. */
const signed: RouteModule = {
  name: 'signed',
  isPublic: (url) => url.startsWith('/signed/'),
  anyHost: (url) => url.startsWith('/signed/'),
  register(app) {
    app.get('/signed/:token', async () => ({ ok: true }));
  },
};

async function start(o: Partial<HttpOptions> = {}): Promise<HttpServer> {
  const s = await startHttp({ auth: createAuth(dir, { username: 'admin', password: 'pw' }), port: 0, routes: [metricsRoutes(createStatus()), signed], ...o });
  servers.push(s);
  return s;
}

/** A request with a Host of our choosing (fetch does not let a caller set Host). */
function send(s: HttpServer, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.once('error', reject);
    req.end(body);
  });
}

const login = (s: HttpServer, host: string, extra: Record<string, string> = {}) =>
  send(s, '/api/login', { host, 'content-type': 'application/json', ...extra }, 'POST', JSON.stringify({ username: 'admin', password: 'pw' }));

describe('a Host hookline is not configured for is refused (DNS rebinding)', () => {
  let s: HttpServer;
  beforeAll(async () => {
    s = await start();
  });

  it.each([
    ['login', () => login(s, 'attacker.example:8080')],
    ['/metrics from loopback', () => send(s, '/metrics', { host: 'attacker.example:8080' })],
    ['an unknown route', () => send(s, '/nothing-here', { host: 'attacker.example' })],
    ['a session route', () => send(s, '/api/hooks', { host: 'rebind.attacker.example.' })],
  ])('%s: 421 HOST_NOT_ALLOWED in the service error shape', async (_name, call) => {
    const r = await call();
    expect(r.status).toBe(421);
    const host = _name === 'a session route' ? 'rebind.attacker.example' : 'attacker.example';
    expect(r.json).toEqual({
      error: {
        code: 'HOST_NOT_ALLOWED',
        message: `requests for the host ${host} are refused: hookline answers only to the names in editor.hosts, its own editor.host and recordings.publicBaseUrl, loopback names and IP addresses`,
        hint: `If hookline is reached under the name ${host}, add it to editor.hosts in the config and restart; behind a reverse proxy, name the proxy in editor.trustProxy so its X-Forwarded-Host is read. A browser page that sent this request may be a DNS-rebinding attack.`,
      },
    });
  });

  it.each(['127.0.0.1', 'localhost', 'LocalHost.', '[::1]', '10.1.2.3', '[fe80::1]'])('Host %s is answered', async (name) => {
    expect((await login(s, `${name}:${s.port}`)).status).toBe(200);
    expect((await send(s, '/metrics', { host: name })).status).toBe(200);
  });

  it('a route carrying its own credential (a signed link, a bearer token) is answered whatever the Host', async () => {
    expect(await send(s, '/signed/abc', { host: 'kommo-proxy.example' })).toEqual({ status: 200, json: { ok: true } });
  });
});

describe('the names hookline answers to are configured', () => {
  it('editor.hosts and the listen host are answered, case and a trailing dot aside; others are not', async () => {
    const s = await start({ hosts: ['Hookline.Example.com'] });
    expect((await login(s, 'hookline.example.com')).status).toBe(200);
    expect((await login(s, 'HOOKLINE.example.com.:443')).status).toBe(200);
    expect((await login(s, 'other.example.com')).status).toBe(421);
  });

  it('behind a trusted proxy the X-Forwarded-Host is checked, and the Origin is compared with it', async () => {
    const s = await start({ hosts: ['hookline.example.com'], trustProxy: ['127.0.0.1'] });
    expect((await login(s, '127.0.0.1:8080', { 'x-forwarded-host': 'hookline.example.com', origin: 'https://hookline.example.com' })).status).toBe(200);
    expect((await login(s, '127.0.0.1:8080', { 'x-forwarded-host': 'attacker.example' })).status).toBe(421);
  });

  it('without a trusted proxy X-Forwarded-Host is ignored: the Host is what is checked', async () => {
    const s = await start({ hosts: ['hookline.example.com'] });
    expect((await login(s, 'attacker.example', { 'x-forwarded-host': 'hookline.example.com' })).status).toBe(421);
  });
});
