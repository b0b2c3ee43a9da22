import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatus, isLoopback, metricsRoutes, type Status } from '../../status/index.ts';
import { serve, type Served } from './harness.ts';

const T0 = Date.UTC(2025, 2, 10, 12, 30);

/** The value of the sample whose name and labels are given (labels in any order); undefined when absent. */
function sample(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.keys(got).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

function feed(status: Status) {
  status.ami(true, T0);
  status.kommo({ reachable: false, phoneField: { ok: true } }, T0);
  status.callFinished({ linkedid: '1.1', ok: true, at: T0 });
  status.callFinished({ linkedid: '1.2', ok: true, at: T0 });
  status.callFinished({ linkedid: '1.3', ok: false, at: T0 });
  const hook = 'process_client_phone';
  status.hookInvoked({ hook, version: 3, code: null, durationMs: 3, at: T0 });
  status.hookInvoked({ hook, version: 3, code: 'TIMEOUT', durationMs: 20, at: T0 });
  status.hookInvoked({ hook, version: null, code: 'NO_SCRIPT', durationMs: 0.1, at: T0 });
}

describe('GET /metrics without a token', () => {
  let status: Status;
  let served: Served;
  let depth = 4;
  beforeAll(async () => {
    status = createStatus({ now: () => T0 });
    status.outboxDepth(() => depth);
    status.callsInFlight(() => 2);
    status.rateLimit(() => ({ used: 3, limit: 7 }));
    feed(status);
    served = await serve({ routes: [metricsRoutes(status)] });
  });
  afterAll(async () => {
    await served.close();
  });

  it('answers a loopback client with no session, in the Prometheus text format', async () => {
    const r = await served.get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = r.text;
    expect(sample(body, 'hookline_calls_total', { outcome: 'registered' })).toBe(2);
    expect(sample(body, 'hookline_calls_total', { outcome: 'failed' })).toBe(1);
    expect(sample(body, 'hookline_hook_invocations_total', { hook: 'process_client_phone', code: 'ok' })).toBe(1);
    expect(sample(body, 'hookline_hook_invocations_total', { hook: 'process_client_phone', code: 'TIMEOUT' })).toBe(1);
    expect(sample(body, 'hookline_hook_invocations_total', { hook: 'process_client_phone', code: 'NO_SCRIPT' })).toBe(1);
    // The histogram observes script runs only: 3 ms and 20 ms.
    expect(sample(body, 'hookline_hook_duration_seconds_count', { hook: 'process_client_phone' })).toBe(2);
    expect(sample(body, 'hookline_hook_duration_seconds_sum', { hook: 'process_client_phone' })).toBeCloseTo(0.023, 9);
    expect(sample(body, 'hookline_hook_duration_seconds_bucket', { hook: 'process_client_phone', le: '0.0025' })).toBe(0);
    expect(sample(body, 'hookline_hook_duration_seconds_bucket', { hook: 'process_client_phone', le: '0.005' })).toBe(1);
    expect(sample(body, 'hookline_hook_duration_seconds_bucket', { hook: 'process_client_phone', le: '0.025' })).toBe(2);
    expect(sample(body, 'hookline_ami_connected')).toBe(1);
    expect(sample(body, 'hookline_kommo_reachable')).toBe(0);
    expect(sample(body, 'hookline_outbox_depth')).toBe(4);
    expect(sample(body, 'hookline_calls_in_flight')).toBe(2);
    expect(sample(body, 'hookline_kommo_requests_in_window')).toBe(3);
    expect(sample(body, 'hookline_kommo_rate_limit')).toBe(7);
    // Default process metrics are in the same registry.
    expect(sample(body, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(body).toMatch(/^# TYPE hookline_hook_duration_seconds histogram$/m);
  });

  it('reads the gauges from the providers at each scrape', async () => {
    depth = 9;
    status.ami(false, T0 + 1);
    const body = (await served.get('/metrics')).text;
    expect(sample(body, 'hookline_outbox_depth')).toBe(9);
    expect(sample(body, 'hookline_ami_connected')).toBe(0);
  });

  it('refuses a client that is not on this host, saying how to get in', async () => {
    const r = await served.editor.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(r.statusCode).toBe(403);
    const e = r.json().error;
    expect(e.code).toBe('METRICS_LOOPBACK_ONLY');
    expect(e.message).toContain('10.1.2.3');
    expect(e.hint).toContain('metrics.token');
  });

  it('leaves the rest of the API behind the session', async () => {
    expect((await served.get('/api/status')).status).toBe(401);
  });
});

describe('GET /metrics with a token', () => {
  let served: Served;
  beforeAll(async () => {
    const status = createStatus({ now: () => T0, processMetrics: false });
    feed(status);
    served = await serve({ routes: [metricsRoutes(status, { token: 's3cret-token' })] });
  });
  afterAll(async () => {
    await served.close();
  });

  it('wants the bearer token, even from loopback', async () => {
    const none = await served.get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(JSON.parse(none.text).error.code).toBe('METRICS_UNAUTHORIZED');
    expect((await served.get('/metrics', { authorization: 'Bearer s3cret-tokeX' })).status).toBe(401);
    expect((await served.get('/metrics', { authorization: 's3cret-token' })).status).toBe(401);
    // A session cookie is no substitute for the token.
    expect((await served.get('/metrics', { cookie: served.cookie })).status).toBe(401);
  });

  it('answers the right token from any address', async () => {
    const r = await served.get('/metrics', { authorization: 'Bearer s3cret-token' });
    expect(r.status).toBe(200);
    expect(sample(r.text, 'hookline_calls_total', { outcome: 'registered' })).toBe(2);
    expect(sample(r.text, 'process_cpu_user_seconds_total')).toBeUndefined();
    const far = await served.editor.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9', headers: { authorization: 'Bearer s3cret-token' } });
    expect(far.statusCode).toBe(200);
  });
});

describe('GET /metrics without a token, behind a reverse proxy on this host (editor.trustProxy)', () => {
  let served: Served;
  beforeAll(async () => {
    const status = createStatus({ now: () => T0, processMetrics: false });
    feed(status);
    served = await serve({ routes: [metricsRoutes(status)], trustProxy: ['127.0.0.1', '::1'] });
  });
  afterAll(async () => {
    await served.close();
  });

  it('judges the client the trusted proxy names, not the proxy: a client on the internet is refused', async () => {
    // nginx on loopback forwarding a request from the internet: the socket's address is the proxy's.
    const outside = await served.get('/metrics', { 'x-forwarded-for': '203.0.113.7' });
    expect(outside.status).toBe(403);
    const e = JSON.parse(outside.text).error;
    expect(e.code).toBe('METRICS_LOOPBACK_ONLY');
    expect(e.message).toContain('203.0.113.7');
  });

  it('still answers a scraper on this host, through the proxy or not', async () => {
    expect((await served.get('/metrics', { 'x-forwarded-for': '127.0.0.1' })).status).toBe(200);
    expect((await served.get('/metrics')).status).toBe(200);
  });

  it('a proxy that is not trusted cannot make a client look local', async () => {
    const r = await served.editor.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(r.statusCode).toBe(403);
  });
});

it('knows loopback addresses', () => {
  for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
  for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '::', '0.0.0.0', '1270.0.0.1', 'fe80::1', '', undefined]) expect(isLoopback(a), String(a)).toBe(false);
});
