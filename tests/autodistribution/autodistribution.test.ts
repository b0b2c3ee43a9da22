import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAllowList, createAutodistribution, type Autodistribution, type AutodistributionOptions } from '../../engine/autodistribution/index.ts';
import { createKommoClient } from '../../engine/kommo/index.ts';
import { createPhoneNormalizer } from '../../engine/phone/index.ts';
import type { Runner } from '../../sandbox/index.ts';
import { DEFAULT_LONG_LIVED_TOKEN, demoAccount, startKommo, type KommoSim } from '../../sim/kommo/index.ts';
import { createRunner, createScripts, createTestInvoker, startHost, type Host } from './host.ts';

// Demo account: +31260010001 Jan Visser → Bram de Vries (5001002); +31150010001 Eva Mulder → Carla Jansen (5001003).
const LONG_NAME_USER = 5_001_005;
const USERS = { '102': 5_001_002, '103': 5_001_003, '105': LONG_NAME_USER };

let kommo: KommoSim;
let runner: Runner;

beforeAll(async () => {
  const account = demoAccount();
  account.users.push({
    id: LONG_NAME_USER, name: 'Verhoeven, Maximiliaan-Alexander', email: 'max@hookline.test', lang: 'en',
    rights: { is_admin: false, is_free: false, is_active: true, group_id: null, role_id: null },
  });
  account.contacts.push({ id: 1_000_050, name: 'Long Name Client', phones: ['+31201112222'], responsible_user_id: LONG_NAME_USER });
  account.contacts.push({ id: 1_000_051, name: 'Orphan', phones: ['+31209998888'], responsible_user_id: 5_001_004 });
  // 7 requests per 100 ms on both sides (as tests/kommo-client does), so the tests' bursts of look-ups are not
  // paced by Kommo's real 7 per second.
  kommo = await startKommo({ account, limits: { rateWindowMs: 100 } });
  runner = createRunner();
  // The sandbox child starts at its first use (~0.5 s): started here, as the engine does at start.
  await createScripts(runner).set('customize_autodistribution', 'export default (i: HookInput): HookResult => ({ data: { number: i.number, name: i.name }, state: "success" });');
});
afterAll(async () => {
  await runner.close();
  await kommo.close();
});

/**
 * A fresh module (own caches) per test, so one test's look-ups never answer another's; a fresh Kommo client too
 * (its own phone cache off), on the shrunk rate window.
 */
function make(o: Partial<AutodistributionOptions> = {}) {
  const t = createTestInvoker(runner);
  const client = createKommoClient({
    baseUrl: kommo.url, auth: { kind: 'long-lived', token: DEFAULT_LONG_LIVED_TOKEN }, timeoutMs: 5_000, retry: { retries: 1, baseMs: 5, maxMs: 20 },
    rateWindowMs: 100, phoneCacheTtlMs: 0,
  });
  // A deadline far above the work, so a loaded CI machine cannot turn a test about something else into a
  // 'deadline' answer; the deadline itself is tested with a slow Kommo below.
  const ad = createAutodistribution({ kommo: client, invoker: t.invoker, users: USERS, deadlineMs: 5_000, ...o });
  return { ad, ...t };
}

describe('a known client is routed to the responsible manager', () => {
  it('answers <extension>,<name> and gives the hook the client and the request', async () => {
    const { ad, records } = make();
    const d = await ad.decide({ from: '+31260010001', trunk: '+31201234567', linkedid: '1763633700.65' });
    expect(d).toMatchObject({ body: '102,Bram de Vries', reason: 'routed' });
    const rec = records.find((r) => r.hook === 'customize_autodistribution');
    expect(rec?.linkedid).toBe('1763633700.65');
    expect(rec?.input).toEqual({
      number: '102', name: 'Bram de Vries', from: '+31260010001', trunk: '+31201234567',
      request_data: { from: '+31260010001', trunk: '+31201234567', linkedid: '1763633700.65' },
      entity: { id: 1_000_001, is_new: false, name: 'Jan Visser', responsible_user_id: 5_001_002, type: 'contacts' },
    });
  });

  it('a number only a company has (demo: Acme Logistics BV, +31201234567) goes to the company\'s responsible manager', async () => {
    const { ad, records } = make({ users: { ...USERS, '104': 5_001_004 } });
    const d = await ad.decide({ from: '+31201234567' });
    expect(d).toMatchObject({ body: '104,Daan Bakker', reason: 'routed' });
    expect(records.find((r) => r.hook === 'customize_autodistribution')?.input).toMatchObject({
      entity: { id: 6_000_001, is_new: false, name: 'Acme Logistics BV', responsible_user_id: 5_001_004, type: 'companies' },
    });
  });

  it('cuts the name to 20 characters and removes its commas', async () => {
    const { ad } = make();
    const d = await ad.decide({ from: '+31201112222' });
    expect(d.body).toBe('105,Verhoeven Maximiliaa');
    expect(d.body.split(',')).toHaveLength(2);
    expect(d.body.split(',')[1]).toHaveLength(20);
  });

  it("the script's choice is answered; read-only keys it returns are dropped", async () => {
    const { ad, scripts } = make();
    await scripts.set('customize_autodistribution', `export default function (input: HookInput): HookResult {
      if (input.trunk === '+31201234567') return { data: { number: '200', name: 'Support', from: 'x', entity: null } as never, state: 'success' };
      return { data: { number: input.number, name: input.name }, state: 'success' };
    }`);
    expect((await ad.decide({ from: '+31260010001', trunk: '+31201234567' })).body).toBe('200,Support');
    expect((await ad.decide({ from: '+31260010001', trunk: '+31209999999' })).body).toBe('102,Bram de Vries');
  });

  it('a number the dialplan cannot dial safely is not answered', async () => {
    const { ad, scripts } = make();
    await scripts.set('customize_autodistribution', `export default (i: HookInput): HookResult => ({ data: { number: '101&PJSIP/999', name: i.name }, state: 'success' });`);
    expect(await ad.decide({ from: '+31260010001' })).toMatchObject({ body: '', reason: 'not-dialable' });
  });
});

describe('numbers as different dialplans and trunks deliver them', () => {
  it.each([
    ['E.164', '+31150010001'],
    ['international with 00', '0031150010001'],
    ['without any prefix', '31150010001'],
  ])('%s (%s) finds the client: Kommo is searched by the last 10 digits', async (_name, from) => {
    const { ad } = make();
    expect((await ad.decide({ from })).body).toBe('103,Carla Jansen');
  });

  it("a national number (0…) is read with the config's phone rules (the engine's normalizer)", async () => {
    const { ad: bare } = make();
    expect(await bare.decide({ from: '0150010001' })).toMatchObject({ body: '', reason: 'no-contact' });
    const { ad } = make({ normalizePhone: createPhoneNormalizer({ defaultCountry: 'NL', replacements: [], format: 'e164' }) });
    expect((await ad.decide({ from: '0150010001' })).body).toBe('103,Carla Jansen');
  });
});

describe('every failure gives the empty answer within the deadline', () => {
  it('an unknown client: the hook still runs, with the error', async () => {
    const { ad, records } = make();
    expect(await ad.decide({ from: '+31600000000', trunk: '+31201234567' })).toMatchObject({ body: '', reason: 'no-contact' });
    expect(records[0]?.input).toMatchObject({ number: '', name: '', error: 'no contact or company in Kommo has the phone +31600000000' });
  });

  it("a client whose manager has no extension", async () => {
    const { ad } = make();
    expect(await ad.decide({ from: '+31209998888' })).toMatchObject({ body: '', reason: 'no-extension' });
  });

  it('a request without a caller number', async () => {
    const { ad } = make();
    expect(await ad.decide({ trunk: '+31201234567' })).toMatchObject({ body: '', reason: 'no-caller' });
  });

  it('a Kommo outage', async () => {
    const id = kommo.fail({ kind: 'error', status: 503, times: 'always', path: '/api/v4/contacts' });
    try {
      const { ad, records } = make();
      expect(await ad.decide({ from: '+31150010001' })).toMatchObject({ body: '', reason: 'kommo-error' });
      expect(String((records[0]?.input as { error?: string }).error)).toMatch(/^Kommo did not answer the contact search for \+31150010001/);
    } finally {
      kommo.clearFaults(id);
    }
  });

  it('a slow Kommo: the deadline answers, and the look-up that goes on answers the next call', async () => {
    const delayMs = 1_500;
    kommo.fail({ kind: 'delay', ms: delayMs, path: '/api/v4/contacts' });
    const { ad } = make({ deadlineMs: 300 });
    const t0 = Date.now();
    const d = await ad.decide({ from: '+31150010001' });
    // Not a speed check: the answer came from the deadline, not from Kommo, which only answers after delayMs.
    expect(Date.now() - t0).toBeLessThan(delayMs);
    expect(d).toMatchObject({ body: '', reason: 'deadline' });
    await new Promise((r) => setTimeout(r, delayMs + 300));
    expect(await ad.decide({ from: '+31150010001' })).toMatchObject({ body: '103,Carla Jansen', reason: 'routed' });
  });

  it('a failing script, which is recorded as a failure', async () => {
    const { ad, scripts, records } = make();
    await scripts.set('customize_autodistribution', `export default function (): HookResult { throw new Error('no route today'); }`);
    expect(await ad.decide({ from: '+31260010001' })).toMatchObject({ body: '', reason: 'script-failed' });
    expect(records[0]?.error?.code).toBe('SCRIPT_ERROR');
  });
});

describe("Kommo's users list (names only) failing does not hold up the routing", () => {
  /** A module whose Kommo client gives up after `timeoutMs`, without retries. */
  function withClient(timeoutMs: number, deadlineMs: number) {
    const t = createTestInvoker(runner);
    const client = createKommoClient({
      baseUrl: kommo.url, auth: { kind: 'long-lived', token: DEFAULT_LONG_LIVED_TOKEN }, timeoutMs, retry: { retries: 0, baseMs: 5, maxMs: 20 },
      rateWindowMs: 100, phoneCacheTtlMs: 0,
    });
    return createAutodistribution({ kommo: client, invoker: t.invoker, users: USERS, deadlineMs });
  }

  it('users that time out: once the list has failed, a known client is routed within the deadline (no name), not held until the next users request times out', async () => {
    const id = kommo.fail({ kind: 'timeout', times: 'always', path: '/api/v4/users' });
    try {
      const ad = withClient(1_000, 600);
      await new Promise((r) => setTimeout(r, 1_300)); // the load at creation has timed out
      expect(await ad.decide({ from: '+31260010001' })).toMatchObject({ body: '102,', reason: 'routed' });
      expect(await ad.decide({ from: '+31150010001' })).toMatchObject({ body: '103,', reason: 'routed' });
    } finally {
      kommo.clearFaults(id);
    }
  });

  it('users refused (a token without admin rights, a 5xx): not asked again at every call', async () => {
    const id = kommo.fail({ kind: 'error', status: 503, times: 'always', path: '/api/v4/users' });
    try {
      const before = kommo.requests({ path: '/api/v4/users' }).length;
      const ad = withClient(1_000, 5_000);
      for (const from of ['+31260010001', '+31150010001', '+31260010001']) expect((await ad.decide({ from })).reason).toBe('routed');
      expect(kommo.requests({ path: '/api/v4/users' }).length - before).toBe(1);
    } finally {
      kommo.clearFaults(id);
    }
  });
});

describe('allowFrom', () => {
  it('accepts addresses and CIDR blocks, IPv4 clients on dual-stack sockets, and ignores what it cannot read', () => {
    const list = createAllowList(['127.0.0.1', '10.1.0.0/16', '::1', 'pbx.example.com', '10.0.0.0/99']);
    expect(list.allows('127.0.0.1')).toBe(true);
    expect(list.allows('::ffff:127.0.0.1')).toBe(true);
    expect(list.allows('10.1.200.3')).toBe(true);
    expect(list.allows('::1')).toBe(true);
    expect(list.allows('10.2.0.1')).toBe(false);
    expect(list.allows(undefined)).toBe(false);
    expect(list.ignored).toEqual(['pbx.example.com', '10.0.0.0/99']);
  });
});

/** The README's dialplan snippet, read from README.md: the CURL() URL and the CUT() calls. */
function readmeSnippet(): { url: string; cuts: Array<{ variable: string; field: number }> } {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Connecting Asterisk: autodistribution dialplan'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const curl = /Set\(HL=\$\{CURL\((.*)\)\}\)$/m.exec(block)?.[1];
  if (!curl) throw new Error('README: no Set(HL=${CURL(…)}) line in the autodistribution snippet');
  const cuts = [...block.matchAll(/Set\((HL_\w+)=\$\{CUT\(HL,\\,,(\d+)\)\}\)/g)].map((m) => ({ variable: m[1] as string, field: Number(m[2]) }));
  return { url: curl, cuts };
}

/** What Asterisk substitutes into the URL (URIENCODE encodes like encodeURIComponent). */
function expand(template: string, vars: Record<string, string>, port: number): string {
  return template
    .replace(/\$\{URIENCODE\(\$\{([A-Z]+(?:\([a-z]+\))?)\}\)\}/g, (_, name: string) => encodeURIComponent(vars[name] ?? ''))
    .replace('127.0.0.1:8080', `127.0.0.1:${port}`);
}

/** One request exactly as func_curl sends it (libcurl: Host, its User-Agent, Accept), read to the end. */
function curlGet(url: string): Promise<{ status: number; headers: string; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUser-Agent: asterisk-libcurl-agent/1.0\r\nAccept: */*\r\n\r\n`));
    socket.on('data', (d: string) => {
      raw += d;
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = raw.slice(0, end);
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      const body = raw.slice(end + 4);
      if (Buffer.byteLength(body) >= length) {
        socket.end();
        resolve({ status: Number(head.split(' ')[1]), headers: head, body });
      }
    });
    socket.on('error', reject);
  });
}

/** CUT(var,\,,n): the n-th comma-separated field, '' past the end. */
const cut = (value: string, field: number) => value.split(',')[field - 1] ?? '';

describe('over HTTP, as the README dialplan calls it', () => {
  let host: Host;
  let ad: Autodistribution;
  beforeAll(async () => {
    ad = make().ad;
    host = await startHost(runner, [ad.route]);
  });
  afterAll(() => host.close());

  it("sends Asterisk's CURL() request and splits the answer as CUT() does", async () => {
    const { url, cuts } = readmeSnippet();
    const vars = { 'CALLERID(num)': '+31150010001', EXTEN: '+31201234567', 'CHANNEL(linkedid)': '1763633700.65' };
    const sent = expand(url, vars, host.editor.port);
    expect(sent).toBe(`http://127.0.0.1:${host.editor.port}/autodistribution?from=%2B31150010001&trunk=%2B31201234567&linkedid=1763633700.65`);
    const res = await curlGet(sent);
    expect(res.status).toBe(200);
    expect(res.headers).toMatch(/content-type: text\/plain; charset=utf-8/i);
    expect(res.body).toBe('103,Carla Jansen');
    const set = Object.fromEntries(cuts.map((c) => [c.variable, cut(res.body, c.field)]));
    expect(set).toEqual({ HL_EXT: '103', HL_NAME: 'Carla Jansen' });
  });

  it('an unknown caller gets an empty body, which CUT() turns into an empty extension', async () => {
    const { url, cuts } = readmeSnippet();
    const res = await curlGet(expand(url, { 'CALLERID(num)': '+31600000001', EXTEN: '+31201234567', 'CHANNEL(linkedid)': '1.2' }, host.editor.port));
    expect(res).toMatchObject({ status: 200, body: '' });
    expect(cut(res.body, cuts[0]?.field ?? 1)).toBe('');
  });
});

describe('from an address not in allowFrom', () => {
  it('is refused with 403 and a clear JSON error', async () => {
    const { ad } = make({ allowFrom: ['10.0.0.0/8'] });
    const host = await startHost(runner, [ad.route]);
    try {
      const res = await fetch(`${host.editor.url}/autodistribution?from=%2B31260010001`);
      expect(res.status).toBe(403);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('AUTODISTRIBUTION_FORBIDDEN');
      expect(body.error.message).toMatch(/^autodistribution requests from (::ffff:)?127\.0\.0\.1 are refused$/);
    } finally {
      await host.close();
    }
  });
});
