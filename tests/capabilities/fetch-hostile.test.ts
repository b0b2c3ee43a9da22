/**
 * Issue 19 acceptance: hostile fetches, each named for its attack. Each asserts the refusal (its code, and that
 * no request reached a server it should not) and that the next good invocation works. Real isolates in the
 * sandbox child (the engine's runner), real loopback HTTP servers; names resolve through a resolver of the
 * test's own where a name must point at loopback or the metadata address (no DNS, no internet).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapabilities, systemResolver, type CapabilityHost } from '../../capabilities/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { catching, invokeWith, outOf, postScript, startReceiver, type Receiver } from './helpers.ts';

let runner: Runner;
let good: Receiver;
let other: Receiver;
let caps: CapabilityHost;

beforeAll(async () => {
  runner = createRunner();
  other = await startReceiver();
  good = await startReceiver({
    '/redirect-out': (_q, res) => {
      res.writeHead(302, { location: `${other.base}/stolen` });
      res.end();
    },
    '/redirect-localhost': (_q, res) => {
      res.writeHead(307, { location: `http://localhost:${other.port}/stolen` });
      res.end();
    },
    '/redirect-in': (_q, res) => {
      res.writeHead(302, { location: '/landed' });
      res.end();
    },
    '/huge': (_q, res) => {
      // 1 GB, written as the client reads: ends when the client hangs up.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 97);
      let sent = 0;
      const pump = () => {
        while (sent < 1024 ** 3) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => {
        sent = 1024 ** 3;
      });
      pump();
    },
    '/huge-declared': (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(1024 ** 3) });
      res.write('a');
    },
    '/slow': (_q, res) => {
      // One byte a second, for an hour.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const t = setInterval(() => res.write('x'), 1000);
      res.on('close', () => clearInterval(t));
    },
  });
  caps = createCapabilities({
    hooks: {
      post_registration: {
        fetch: {
          allow: [`${good.base}/*`, `http://hooks.example.test:${other.port}/*`, `http://localhost:${other.port}/*`, `http://to-loopback.test:${other.port}/*`, 'http://metadata.test/*'],
          timeoutMs: 600, maxResponseBytes: 256 * 1024, maxRequests: 10,
        },
      },
    },
    // hooks.example.test is a public address (never connected to in these tests); two names point where they must not.
    resolve: async (host) => {
      if (host === 'hooks.example.test') return [{ address: '93.184.215.14', family: 4 }];
      if (host === 'to-loopback.test') return [{ address: '93.184.215.14', family: 4 }, { address: '127.0.0.1', family: 4 }];
      if (host === 'metadata.test') return [{ address: '169.254.169.254', family: 4 }];
      return systemResolver(host);
    },
  });
});

afterAll(async () => {
  await runner.close();
  await good.close();
  await other.close();
});

/** The good invocation after each attack: a granted fetch to the loopback receiver answers its JSON. */
async function expectGoodFetchWorks() {
  const { r } = await invokeWith(runner, caps, 'post_registration', postScript(`const res = await fetch('${good.base}/ok?x=1'); return { status: res.status, body: await res.json() };`));
  expect(r.error).toBeNull();
  expect(outOf(r)).toEqual({ status: 200, body: { method: 'GET', url: '/ok?x=1', body: '' } });
}

async function refused(call: string, code: string | RegExp) {
  const before = other.received.length;
  const { r, session } = await invokeWith(runner, caps, 'post_registration', catching(call));
  expect(r.error).toBeNull();
  const out = outOf(r) as { ok: boolean; code: string; message: string };
  expect(out.ok).toBe(false);
  expect(out.code).toMatch(code);
  expect(other.received.length).toBe(before);
  return { out, session, r };
}

describe('fetch: hostile', () => {
  it('a granted fetch works, and is logged with method, URL without query values, status, bytes and ms', async () => {
    const { r } = await invokeWith(runner, caps, 'post_registration', postScript(`const res = await fetch('${good.base}/ok?token=secret', { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json' } }); return { status: res.status, ok: res.ok, ct: res.headers.get('Content-Type'), body: await res.json() };`));
    expect(outOf(r)).toEqual({ status: 200, ok: true, ct: 'application/json', body: { method: 'POST', url: '/ok?token=secret', body: '{"a":1}' } });
    const line = r.logs.find((l) => l.text.startsWith('[fetch]'));
    expect(line?.text).toMatch(new RegExp(`^\\[fetch\\] fetch POST ${good.base}/ok\\?token=… → 200, \\d+ B, \\d+ ms$`));
    expect(line?.text).not.toContain('secret');
  });

  it('loopback by name (localhost, granted by name) is refused', async () => {
    const { out } = await refused(`fetch('http://localhost:${other.port}/x')`, 'FETCH_REFUSED');
    expect(out.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    await expectGoodFetchWorks();
  });

  it('loopback by IPv4 literal is refused', async () => {
    await refused(`fetch('http://127.0.0.1:${other.port}/x')`, /CAPABILITY_NOT_GRANTED|FETCH_REFUSED/);
    await expectGoodFetchWorks();
  });

  it('loopback by IPv6 literal (and IPv4-mapped IPv6) is refused', async () => {
    await refused(`fetch('http://[::1]:${other.port}/x')`, /CAPABILITY_NOT_GRANTED|FETCH_REFUSED/);
    await refused(`fetch('http://[::ffff:127.0.0.1]:${other.port}/x')`, /CAPABILITY_NOT_GRANTED|FETCH_REFUSED/);
    await expectGoodFetchWorks();
  });

  it('loopback in decimal and hex forms is refused (normalised before matching)', async () => {
    for (const host of ['2130706433', '0x7f000001', '0x7f.0.0.1', '0177.0.0.1', '127.1']) {
      const { out } = await refused(`fetch('http://${host}:${other.port}/x')`, /CAPABILITY_NOT_GRANTED|FETCH_REFUSED/);
      expect(out.message).toContain(`http://127.0.0.1:${other.port}/x`);
    }
    await expectGoodFetchWorks();
  });

  it('169.254.169.254 (cloud metadata) is refused, by literal and by a granted name resolving to it', async () => {
    await refused(`fetch('http://169.254.169.254/latest/meta-data/')`, /CAPABILITY_NOT_GRANTED|FETCH_REFUSED/);
    const { out } = await refused(`fetch('http://metadata.test/latest/meta-data/')`, 'FETCH_REFUSED');
    expect(out.message).toMatch(/169\.254\.169\.254, a metadata address/);
    await expectGoodFetchWorks();
  });

  it('a granted name that resolves to loopback (among public addresses) is refused', async () => {
    const { out } = await refused(`fetch('http://to-loopback.test:${other.port}/x')`, 'FETCH_REFUSED');
    expect(out.message).toMatch(/127\.0\.0\.1, a loopback address/);
    await expectGoodFetchWorks();
  });

  it('a redirect from a granted host to an ungranted one is refused', async () => {
    await refused(`fetch('${good.base}/redirect-out')`, 'CAPABILITY_NOT_GRANTED');
    await refused(`fetch('${good.base}/redirect-localhost', { method: 'POST', body: 'x' })`, 'FETCH_REFUSED');
    // Within the grant a redirect is followed.
    const { r } = await invokeWith(runner, caps, 'post_registration', postScript(`const res = await fetch('${good.base}/redirect-in'); return { redirected: res.redirected, url: res.url, body: await res.json() };`));
    expect(outOf(r)).toEqual({ redirected: true, url: `${good.base}/landed`, body: { method: 'GET', url: '/landed', body: '' } });
  });

  it('user:pass@ URLs are refused', async () => {
    const before = good.received.length;
    const { out } = await refused(`fetch('http://user:pass@127.0.0.1:${good.port}/ok')`, 'FETCH_REFUSED');
    expect(out.message).toMatch(/user:password@/);
    expect(good.received.length).toBe(before);
    await expectGoodFetchWorks();
  });

  it('a response of 1 GB is cut off at maxResponseBytes (streamed, and declared)', async () => {
    const t0 = performance.now();
    const { out } = await refused(`fetch('${good.base}/huge').then((r) => r.text())`, 'FETCH_TOO_LARGE');
    expect(out.message).toMatch(/maxResponseBytes \(262144\)/);
    await refused(`fetch('${good.base}/huge-declared')`, 'FETCH_TOO_LARGE');
    expect(performance.now() - t0).toBeLessThan(1_500);
    await expectGoodFetchWorks();
  });

  it('a server that sends one byte a second is cut off at the grant timeout, within the hook deadline', async () => {
    const t0 = performance.now();
    const { out } = await refused(`fetch('${good.base}/slow').then((r) => r.text())`, 'FETCH_TIMEOUT');
    expect(out.message).toMatch(/within 600 ms/);
    expect(performance.now() - t0).toBeLessThan(1_500);
    await expectGoodFetchWorks();
  });

  it('1,000 fetches in one invocation: maxRequests reach the server, the rest are refused', async () => {
    const before = good.received.length;
    const { r } = await invokeWith(runner, caps, 'post_registration', postScript(`
      const all = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => fetch('${good.base}/many?i=' + i)));
      const codes = {};
      for (const a of all) { const k = a.status === 'fulfilled' ? String(a.value.status) : a.reason.code; codes[k] = (codes[k] ?? 0) + 1; }
      return codes;`), { timeoutMs: 3_000 });
    expect(r.error).toBeNull();
    expect(outOf(r)).toEqual({ 200: 10, CAPABILITY_LIMIT: 990 });
    expect(good.received.length - before).toBe(10);
    await expectGoodFetchWorks();
  });

  it('a fetch still pending when the invocation ends is aborted (the server sees the client go), nothing waits on it', async () => {
    const abandoned = good.abandoned();
    const slowBefore = good.received.filter((x) => x.url === '/slow').length;
    const t0 = performance.now();
    const { r, session } = await invokeWith(runner, caps, 'post_registration', postScript(`fetch('${good.base}/slow'); return 'returned';`));
    expect(r.error).toBeNull();
    expect(outOf(r)).toBe('returned');
    expect(performance.now() - t0).toBeLessThan(500);
    expect(session.logs().some((l) => /still in flight when the invocation ended were abandoned/.test(l.text))).toBe(true);
    // Whether or not the request had reached the server when the invocation ended, no connection is left open,
    // and a request that arrived was abandoned by the client, never answered in full.
    await expect.poll(() => good.open(), { timeout: 2_000 }).toBe(0);
    const slowArrived = () => good.received.filter((x) => x.url === '/slow').length;
    expect(good.abandoned() - abandoned).toBe(slowArrived() - slowBefore);
    // And one awaited with a grant longer than the hook's own timeout: the fetch ends at the hook's deadline
    // (FETCH_TIMEOUT, uncaught here) or the invocation does (TIMEOUT), and the request goes with it.
    const lateCaps = createCapabilities({ hooks: { post_registration: { fetch: { allow: [`${good.base}/*`], timeoutMs: 60_000 } } } });
    const t1 = performance.now();
    const late = await invokeWith(runner, lateCaps, 'post_registration', postScript(`return (await fetch('${good.base}/slow')).text();`), { timeoutMs: 300 });
    expect(late.r.error?.code).toMatch(/^(TIMEOUT|SCRIPT_ERROR)$/);
    if (late.r.error?.code === 'SCRIPT_ERROR') expect(late.r.error.message).toMatch(/no full answer within \d+ ms/);
    expect(performance.now() - t1).toBeLessThan(300 + 400);
    await expect.poll(() => good.open(), { timeout: 2_000 }).toBe(0);
    expect(good.abandoned() - abandoned).toBe(slowArrived() - slowBefore);
    await expectGoodFetchWorks();
  });

  it('a request body over maxRequestBytes (2 MB against 64 KiB) is refused before anything is sent', async () => {
    const before = good.received.length;
    const { out } = await refused(`fetch('${good.base}/ok', { method: 'POST', body: 'x'.repeat(2_000_000) })`, 'FETCH_TOO_LARGE');
    expect(out.message).toMatch(/2000000 bytes, over the grant's maxRequestBytes \(65536\)/);
    expect(good.received.length).toBe(before);
    await expectGoodFetchWorks();
  });

  it('a hook with no fetch grant cannot fetch at all', async () => {
    const { r } = await invokeWith(runner, caps, 'need_registration', `export default async function (input: HookInput): Promise<HookResult> {
      try { await fetch('${good.base}/ok'); return { state: 'success', data: { result: true } }; } catch (e) { console.log(e.code + ' ' + e.message); return { state: 'success', data: { result: false } }; }
    }`);
    expect(r.data).toEqual({ result: false });
    expect(r.logs[0]?.text).toMatch(/^CAPABILITY_NOT_GRANTED fetch is not granted to need_registration: add hooks\.need_registration\.fetch\.allow/);
  });

  it('the answer is plain data: no stream, socket or host object reaches the script', async () => {
    const { r } = await invokeWith(runner, caps, 'post_registration', postScript(`const res = await fetch('${good.base}/ok');
      return { keys: Object.keys(res).sort(), body: typeof res.body, frozen: Object.isFrozen(res), ctor: res.constructor === Object, proto: Object.getPrototypeOf(res) === Object.prototype };`));
    expect(outOf(r)).toEqual({ keys: ['dryRun', 'headers', 'json', 'ok', 'redirected', 'status', 'statusText', 'text', 'url'], body: 'undefined', frozen: true, ctor: true, proto: true });
  });
});
