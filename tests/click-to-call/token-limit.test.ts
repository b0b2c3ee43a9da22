import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectAmi, type AmiClient } from '../../engine/ami/index.ts';
import { createClickToCall, type ClickToCall, type ClickToCallOptions } from '../../engine/click-to-call/index.ts';
import { createFailureLimiter } from '../../http/index.ts';
import type { InvocationRecord } from '../../engine/hooks/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import type { Runner } from '../../sandbox/index.ts';
import { startPbx, type Pbx } from '../../sim/pbx/index.ts';
import { createRunner, createTestInvoker, startHost, type Host } from '../autodistribution/host.ts';

// Wrong bearer tokens on POST /api/click-to-call, limited per client address (http/failures.ts, shared with the failed-login limit):
// the real route on the editor's server, a real sim/pbx over TCP, and the limiter's clock injected.
const TOKEN = 'c2c-limit-token-7d3b21';
const USERS = { '102': 5_001_002 };
const BODY = { number: '+31260010001', user_id: 5_001_002 };
/** A user with no extension: a request that passes the token check answers 404 and sends nothing. */
const NO_EXTENSION = { number: '+31260010001', user_id: 5_001_999 };
const WINDOW_MS = 60_000;

let pbx: Pbx;
let ami: AmiClient;
let runner: Runner;
let host: Host;
let c2c: ClickToCall;
let records: InvocationRecord[];
let clock = 1_000_000;
const memory = createMemoryLogger('info');

function make(o: Partial<ClickToCallOptions> = {}) {
  const t = createTestInvoker(runner);
  return { ...t, c2c: createClickToCall({ ami, invoker: t.invoker, token: TOKEN, users: USERS, log: memory.log, now: () => clock, ...o }) };
}

beforeAll(async () => {
  pbx = await startPbx();
  ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0, resyncOnConnect: false });
  const ready = await ami.ready(5_000);
  if (!ready.ok) throw new Error(ready.error.message);
  runner = createRunner();
  ({ c2c, records } = make()); // the defaults: 10 wrong tokens per 60 s
  host = await startHost(runner, [c2c.route]);
});
afterAll(async () => {
  c2c.close();
  await host.close();
  await ami.close();
  await pbx.close();
  await runner.close();
});
beforeEach(() => {
  // A whole window later: every failure of the previous test fell out of it.
  clock += WINDOW_MS;
  records.length = 0;
});

const originates = () => pbx.actions.filter((a) => a.action['Action'] === 'Originate').length;
const settle = () => new Promise((r) => setTimeout(r, 50));

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { ok: boolean; actionId?: string; error?: { code: string; message: string; hint: string } };
}

/** POST /api/click-to-call over HTTP from `from` (a loopback address; the route counts per address). */
function post(token: string | null, body: unknown = BODY, from = '127.0.0.1'): Promise<Answer> {
  const url = new URL('/api/click-to-call', host.editor.url);
  const text = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, localAddress: from }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (data += d));
      res.on('end', () => {
        const ra = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(ra) ? ra[0] : ra, body: JSON.parse(data) as Answer['body'] });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

async function wrong(n: number, from?: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await post(`wrong-${i}`, BODY, from)).status);
  return statuses;
}

describe('wrong tokens from one address', () => {
  it('10 wrong tokens answer 401 each; the 11th request, and even the right token, answer 429 with Retry-After, and nothing reaches sim/pbx', async () => {
    const before = originates();
    const actionsBefore = pbx.actions.length;
    const warnings = () => memory.lines().filter((l) => String(l.msg).startsWith('click-to-call: 10 wrong tokens from 127.0.0.1 within 60 s')).length;
    const warnedBefore = warnings();
    expect(await wrong(10)).toEqual(Array(10).fill(401));

    const eleventh = await post('wrong-10');
    expect(eleventh.status).toBe(429);
    expect(eleventh.retryAfter).toBe('60');
    expect(eleventh.body).toEqual({
      ok: false,
      error: {
        code: 'CLICK_TO_CALL_TOO_MANY_ATTEMPTS',
        message: 'too many wrong click-to-call tokens from 127.0.0.1: requests from it are refused for 60 s more, without checking their token',
        hint: expect.stringContaining('Retry-After') as string,
      },
    });

    // The right token is not checked while blocked: the answer is the same, so a right guess is not confirmed.
    const right = await post(TOKEN);
    expect(right.status).toBe(429);
    expect(right.retryAfter).toBe('60');
    expect(right.body.error?.code).toBe('CLICK_TO_CALL_TOO_MANY_ATTEMPTS');
    // Nor is a request without a token let through to its 401.
    expect((await post(null)).status).toBe(429);
    await settle();
    expect(originates()).toBe(before);
    expect(pbx.actions.length).toBe(actionsBefore);
    expect(records).toHaveLength(0);
    // One warning when the address became blocked, not one per refused request.
    expect(warnings() - warnedBefore).toBe(1);

    // Retry-After counts down with the clock.
    clock += 20_500;
    expect((await post(TOKEN)).retryAfter).toBe('40');
    clock += 39_499;
    const last = await post(TOKEN);
    expect([last.status, last.retryAfter]).toEqual([429, '1']);

    // Once the window has passed, the right token works and the Originate reaches sim/pbx.
    clock += 1;
    const ok = await post(TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.retryAfter).toBeUndefined();
    expect(ok.body.ok).toBe(true);
    for (let i = 0; i < 100 && originates() < before + 1; i++) await settle();
    expect(originates()).toBe(before + 1);
  });

  it('the window slides: failures older than 60 s no longer count', async () => {
    expect(await wrong(5)).toEqual(Array(5).fill(401));
    clock += 30_000;
    expect(await wrong(5)).toEqual(Array(5).fill(401));
    const blocked = await post('wrong');
    expect([blocked.status, blocked.retryAfter]).toEqual([429, '30']); // the first five fall out in 30 s

    clock += 30_000; // the first five fell out: 5 in the window
    expect((await post(TOKEN, NO_EXTENSION)).status).toBe(404); // the token was checked, and passed
    expect(await wrong(5)).toEqual(Array(5).fill(401)); // 10 again
    expect((await post(TOKEN, NO_EXTENSION)).status).toBe(429);
  });

  it('the right token does not reset the count; only failures count', async () => {
    expect(await wrong(9)).toEqual(Array(9).fill(401));
    expect((await post(TOKEN, NO_EXTENSION)).status).toBe(404);
    expect((await post(TOKEN, NO_EXTENSION)).status).toBe(404); // successes add nothing either
    expect(await wrong(1)).toEqual([401]); // the 10th failure
    expect((await post(TOKEN, NO_EXTENSION)).status).toBe(429);
  });

  it('no Authorization header guesses no token: not counted', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await post(null)).status);
    expect(statuses).toEqual(Array(15).fill(401));
    expect((await post(TOKEN, NO_EXTENSION)).status).toBe(404);
  });

  it.runIf(process.platform === 'linux')('another address is not blocked (127.0.0.2 over loopback)', async () => {
    expect(await wrong(10)).toEqual(Array(10).fill(401));
    expect((await post(TOKEN, NO_EXTENSION)).status).toBe(429);
    expect((await post(TOKEN, NO_EXTENSION, '127.0.0.2')).status).toBe(404);
    expect((await post('wrong', BODY, '127.0.0.2')).status).toBe(401);
    expect((await post(TOKEN, NO_EXTENSION)).status).toBe(429);
  });
});

describe('the addresses tracked stay bounded (handle with an address, as the route passes req.ip)', () => {
  it('past tokenAddresses, the address whose last failure is oldest is forgotten; the others stay blocked', async () => {
    const small = make({ tokenFailures: 1, tokenAddresses: 100 });
    try {
      for (let i = 0; i < 250; i++) expect((await small.c2c.handle('Bearer wrong', BODY, `10.0.${i >> 8}.${i & 255}`)).status).toBe(401);
      const statuses = async (from: number, to: number) => {
        const out: number[] = [];
        for (let i = from; i < to; i++) out.push((await small.c2c.handle(`Bearer ${TOKEN}`, NO_EXTENSION, `10.0.${i >> 8}.${i & 255}`)).status);
        return out;
      };
      expect(await statuses(0, 150)).toEqual(Array(150).fill(404)); // forgotten: their token is checked again
      expect(await statuses(150, 250)).toEqual(Array(100).fill(429)); // the newest 100 are still blocked
      expect(small.records).toHaveLength(0);
    } finally {
      small.c2c.close();
    }
  });

  it('a blocked address does not block another one, with handle', async () => {
    const other = make();
    try {
      for (let i = 0; i < 10; i++) expect((await other.c2c.handle('Bearer wrong', BODY, '203.0.113.7')).status).toBe(401);
      const blocked = await other.c2c.handle(`Bearer ${TOKEN}`, BODY, '203.0.113.7');
      expect(blocked).toMatchObject({ ok: false, status: 429, retryAfterSec: 60, error: { code: 'CLICK_TO_CALL_TOO_MANY_ATTEMPTS' } });
      expect(await other.c2c.handle(`Bearer ${TOKEN}`, NO_EXTENSION, '203.0.113.8')).toMatchObject({ status: 404 });
      expect(await other.c2c.handle(`Bearer ${TOKEN}`, NO_EXTENSION, '2001:db8::1')).toMatchObject({ status: 404 });
    } finally {
      other.c2c.close();
    }
  });

  it('an IPv6 client is counted by its /64: wrong tokens from many addresses of one /64 block them all, not the next /64', async () => {
    const v6 = make();
    try {
      for (let i = 1; i <= 10; i++) expect((await v6.c2c.handle('Bearer wrong', BODY, `2001:db8:5:6::${i.toString(16)}`)).status).toBe(401);
      const blocked = await v6.c2c.handle(`Bearer ${TOKEN}`, BODY, '2001:db8:5:6:abcd::99');
      expect(blocked).toMatchObject({ status: 429, error: { code: 'CLICK_TO_CALL_TOO_MANY_ATTEMPTS' } });
      expect(!blocked.ok && blocked.error.message).toContain('2001:db8:5:6::/64');
      expect(await v6.c2c.handle(`Bearer ${TOKEN}`, NO_EXTENSION, '2001:db8:5:7::1')).toMatchObject({ status: 404 });
    } finally {
      v6.c2c.close();
    }
  });
});

describe('createFailureLimiter', () => {
  it('blocks an address at max failures in the window, with the seconds until the oldest counted one falls out', () => {
    let t = 0;
    const l = createFailureLimiter({ max: 3, windowMs: 10_000, now: () => t });
    expect([l.record('a'), l.record('a')]).toEqual([false, false]);
    expect(l.blockedFor('a')).toBeNull();
    t = 4_000;
    expect(l.record('a')).toBe(true);
    expect(l.blockedFor('a')).toBe(6); // the failures at 0 fall out at 10 s
    expect(l.blockedFor('b')).toBeNull();
    t = 9_999;
    expect(l.blockedFor('a')).toBe(1);
    t = 10_000; // both failures at 0 are out: one left
    expect(l.blockedFor('a')).toBeNull();
    expect([l.record('a'), l.record('a')]).toEqual([false, true]);
    expect(l.blockedFor('a')).toBe(4); // the one at 4 s falls out at 14 s
  });

  it('keeps addresses apart', () => {
    const t = 0;
    const l = createFailureLimiter({ max: 2, now: () => t });
    l.record('198.51.100.1');
    l.record('198.51.100.1');
    l.record('198.51.100.2');
    expect(l.blockedFor('198.51.100.1')).toBe(60);
    expect(l.blockedFor('198.51.100.2')).toBeNull();
    expect(l.blockedFor('198.51.100.3')).toBeNull();
  });

  it('drops the addresses whose failures all fell out of the window', () => {
    let t = 0;
    const l = createFailureLimiter({ now: () => t });
    for (let i = 0; i < 500; i++) l.record(`a${i}`);
    t = 30_000;
    for (let i = 0; i < 200; i++) l.record(`b${i}`);
    expect(l.size()).toBe(700);
    t = 60_000; // the a… fell out
    expect(l.size()).toBe(200);
    l.blockedFor('anything'); // each check sweeps too
    t = 90_000;
    l.record('c');
    expect(l.size()).toBe(1);
  });

  it('tracks at most 10,000 addresses by default, dropping the one whose last failure is oldest', () => {
    let t = 0;
    const l = createFailureLimiter({ max: 1, now: () => t });
    l.record('first');
    for (let i = 0; i < 10_050; i++) {
      t += 1;
      l.record(`x${i}`);
    }
    expect(l.size()).toBe(10_000);
    expect(l.blockedFor('first')).toBeNull(); // dropped
    expect(l.blockedFor('x49')).toBeNull(); // dropped
    expect(l.blockedFor('x50')).not.toBeNull();
    expect(l.blockedFor('x10049')).not.toBeNull();
  });

  it('a failure moves its address to the end: it is not the oldest any more', () => {
    let t = 0;
    const l = createFailureLimiter({ max: 2, maxAddresses: 2, now: () => t });
    l.record('a');
    t = 1;
    l.record('b');
    t = 2;
    l.record('a'); // a: last failure at 2, b at 1
    t = 3;
    l.record('c'); // drops b
    expect(l.size()).toBe(2);
    expect(l.blockedFor('a')).toBe(60);
    t = 4;
    expect(l.record('b')).toBe(false); // b starts over: its earlier failure was forgotten
  });

  it('refuses limits that are not positive', () => {
    expect(() => createFailureLimiter({ max: 0 })).toThrow(RangeError);
    expect(() => createFailureLimiter({ windowMs: 0 })).toThrow(RangeError);
    expect(() => createFailureLimiter({ maxAddresses: 0 })).toThrow(RangeError);
  });
});
