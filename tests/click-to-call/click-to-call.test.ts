import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../ami-wire/index.ts';
import { connectAmi, type AmiClient } from '../../engine/ami/index.ts';
import { createClickToCall, type ClickToCall, type ClickToCallOptions } from '../../engine/click-to-call/index.ts';
import type { InvocationRecord } from '../../engine/hooks/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import type { Runner } from '../../sandbox/index.ts';
import { startPbx, type Pbx } from '../../sim/pbx/index.ts';
import { createRunner, createScripts, createTestInvoker, startHost, type Host, type Scripts } from '../autodistribution/host.ts';

const TOKEN = 'c2c-test-token-1f9a0e';
const USERS = { '102': 5_001_002, '103': 5_001_003 };

let pbx: Pbx;
let ami: AmiClient;
let runner: Runner;
let host: Host;
let c2c: ClickToCall;
let scripts: Scripts;
let records: InvocationRecord[];
const memory = createMemoryLogger('info');

function make(o: Partial<ClickToCallOptions> = {}) {
  const t = createTestInvoker(runner);
  return { ...t, c2c: createClickToCall({ ami, invoker: t.invoker, token: TOKEN, users: USERS, context: 'from-internal', log: memory.log, ...o }) };
}

beforeAll(async () => {
  pbx = await startPbx();
  ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0, resyncOnConnect: false });
  const ready = await ami.ready(5_000);
  if (!ready.ok) throw new Error(ready.error.message);
  runner = createRunner();
  // The sandbox child starts at its first use: started here, as the engine does at start.
  await createScripts(runner).set('process_originate_params', 'export default (i: HookInput): HookResult => { const { request_data, ...p } = i; return { data: p, state: "success" }; };');
  ({ c2c, scripts, records } = make());
  host = await startHost(runner, [c2c.route]);
});
afterAll(async () => {
  c2c.close();
  await host.close();
  await ami.close();
  await pbx.close();
  await runner.close();
});
beforeEach(async () => {
  await scripts.set('process_originate_params', null);
  records.length = 0;
});

const originates = () => pbx.actions.filter((a) => a.action['Action'] === 'Originate').map((a) => a.action);

function post(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, contentType = 'application/json') {
  return fetch(`${host.editor.url}/api/click-to-call`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Waits for the PBX to have received `n` Originate actions (the request answers once Asterisk queued it). */
async function originateCount(n: number): Promise<AmiMessage[]> {
  for (let i = 0; i < 100 && originates().length < n; i++) await new Promise((r) => setTimeout(r, 10));
  return originates();
}

describe('a valid request', () => {
  it('makes sim/pbx receive exactly the Originate that process_originate_params shaped', async () => {
    await scripts.set('process_originate_params', `export default function (input: HookInput): HookResult {
      const { request_data, ...p } = input;
      return { data: { ...p, context: 'kommo-out', extension: p.extension.replace(/^\\+/, '00'), caller_id: 'Kommo <' + p.extension + '>' }, state: 'success' };
    }`);
    const before = originates().length;
    const res = await post({ number: '+31 (15) 001-0001', user_id: 5_001_003 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; actionId: string };
    expect(body.ok).toBe(true);
    const sent = (await originateCount(before + 1)).at(-1) as AmiMessage;
    expect(sent).toEqual({
      Action: 'Originate', ActionID: body.actionId, Channel: 'PJSIP/103', Context: 'kommo-out', Exten: '0031150010001', Priority: '1',
      CallerID: 'Kommo <+31150010001>', Timeout: '30000', Async: 'true',
    });
    expect(records[0]).toMatchObject({
      hook: 'process_originate_params',
      error: null,
      input: {
        caller_id: '"+31150010001" <103>', channel: 'PJSIP/103', context: 'from-internal', extension: '+31150010001', priority: 1,
        request_data: { number: '+31 (15) 001-0001', user_id: 5_001_003 },
      },
    });
  });

  it('without a script, the defaults: the user rings first, the CallerID number stays the extension', async () => {
    const before = originates().length;
    const res = await post({ number: '+31260010001', user_id: '5001002' });
    expect(res.status).toBe(200);
    expect((await originateCount(before + 1)).at(-1)).toMatchObject({
      Channel: 'PJSIP/102', Context: 'from-internal', Exten: '+31260010001', Priority: '1', CallerID: '"+31260010001" <102>', Async: 'true',
    });
  });

  it("a Kommo widget's form post (crm_post) is taken as well", async () => {
    const before = originates().length;
    const res = await post('number=%2B31260010001&user_id=5001002', undefined, 'application/x-www-form-urlencoded');
    expect(res.status).toBe(200);
    expect((await originateCount(before + 1)).at(-1)).toMatchObject({ Channel: 'PJSIP/102', Exten: '+31260010001' });
  });

  it("the OriginateResponse is followed: the log says whether the user's phone answered", async () => {
    const res = await post({ number: '+31260010001', user_id: 5_001_002 });
    const { actionId } = (await res.json()) as { actionId: string };
    for (let i = 0; i < 100 && !memory.lines().some((l) => l.actionId === actionId && l.response); i++) await new Promise((r) => setTimeout(r, 10));
    expect(memory.lines().find((l) => l.actionId === actionId && l.response)).toMatchObject({ response: 'Success', reason: '4' });
  });
});

describe("the complaint peers' users report most: it rang the user, and never dialled out", () => {
  it("a user's phone that does not answer is logged with Asterisk's reason, and the client was not dialled", async () => {
    pbx.setOriginate(() => ({ response: 'Failure', reason: 3 }));
    try {
      const res = await post({ number: '+31260010001', user_id: 5_001_002 });
      expect(res.status).toBe(200); // queued: the outcome comes later, as with Asterisk
      const { actionId } = (await res.json()) as { actionId: string };
      for (let i = 0; i < 100 && !memory.lines().some((l) => l.actionId === actionId && l.response); i++) await new Promise((r) => setTimeout(r, 10));
      const line = memory.lines().find((l) => l.actionId === actionId && l.response);
      expect(line).toMatchObject({ response: 'Failure', reason: '3', level: 40 });
      expect(String(line?.msg)).toContain("the user's phone did not answer (Reason 3: 1 hung up, 3 no answer, 5 busy, 8 congestion, 0 failed); +31260010001 was not dialled");
    } finally {
      pbx.setOriginate(undefined);
    }
  });
});

describe('refused before anything reaches Asterisk', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token' }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
  ])('401 with %s', async (_name, headers) => {
    const before = pbx.actions.length;
    const res = await post({ number: '+31260010001', user_id: 5_001_002 }, headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CLICK_TO_CALL_UNAUTHORIZED');
    expect(pbx.actions.length).toBe(before);
  });

  it.each([
    ['CR/LF in number', { number: '+31260010001\r\nAction: Hangup', user_id: 5_001_002 }, 'number contains a control character'],
    ['CR/LF in user_id', { number: '+31260010001', user_id: '5001002\r\nAction: Hangup' }, 'user_id contains a control character'],
    ['a bare LF in number', { number: '+31260010001\nChannel: PJSIP/999', user_id: 5_001_002 }, 'number contains a control character'],
    ['a BEL in number', { number: '+3126\u00070010001', user_id: 5_001_002 }, 'number contains a control character'],
    ['CR/LF in another field', { number: '+31260010001', user_id: 5_001_002, note: 'x\r\n' }, 'note contains a control character'],
    ['a number that is not one', { number: 'PJSIP/999', user_id: 5_001_002 }, 'is not a phone number'],
    ['no user', { number: '+31260010001' }, 'user_id null is not a Kommo user id'],
  ])('400 with %s, and no action reaches sim/pbx', async (_name, body, detail) => {
    const before = pbx.actions.length;
    const res = await post(body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('CLICK_TO_CALL_BAD_REQUEST');
    expect(error.message).toContain(detail);
    await new Promise((r) => setTimeout(r, 50));
    expect(pbx.actions.length).toBe(before);
    expect(records).toHaveLength(0);
  });

  it('404 for a Kommo user with no extension', async () => {
    const res = await post({ number: '+31260010001', user_id: 5_001_004 });
    expect(res.status).toBe(404);
    const { error } = (await res.json()) as { error: { code: string; message: string; hint: string } };
    expect(error).toMatchObject({ code: 'CLICK_TO_CALL_UNKNOWN_USER', message: 'Kommo user 5001004 has no extension, so there is no phone to ring first' });
    expect(error.hint).toContain('"clickToCall.users": {"5001004": "101"}');
  });
});

describe('feature codes cannot be dialled by a token holder (clickToCall.dialable)', () => {
  it.each([
    ['a feature code (call forwarding on)', '*21*0612345678#'],
    ['a star inside the number', '+3126*0010001'],
    ['a hash at the end', '0260010001#'],
    ['a voicemail code', '*97'],
    ['a plus that is not leading', '31+260010001'],
  ])('400 for %s (%s) with the default pattern, and no action reaches sim/pbx', async (_name, number) => {
    const before = pbx.actions.length;
    const res = await post({ number, user_id: 5_001_002 });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string; hint: string } };
    expect(error.code).toBe('CLICK_TO_CALL_BAD_REQUEST');
    expect(error.message).toBe(`the click-to-call request is not valid: number ${JSON.stringify(number)} is not a phone number hookline may dial: after removing spaces, dashes, dots and brackets it must match clickToCall.dialable (^\\+?[0-9]{1,32}$)`);
    await new Promise((r) => setTimeout(r, 50));
    expect(pbx.actions.length).toBe(before);
    expect(records).toHaveLength(0);
  });

  it('a configured pattern is what decides: one that allows a leading * takes *31#-style prefixes, the default still refuses them', async () => {
    const other = make({ dialable: '^\\*31#\\d{6,15}$' });
    const ok = await other.c2c.handle(`Bearer ${TOKEN}`, { number: '*31# 0260-010001', user_id: 5_001_002 });
    const refused = await other.c2c.handle(`Bearer ${TOKEN}`, { number: '+31260010001', user_id: 5_001_002 });
    other.c2c.close();
    expect(ok).toMatchObject({ ok: true, status: 200, params: { extension: '*31#0260010001' } });
    expect(refused).toMatchObject({ ok: false, status: 400, error: { code: 'CLICK_TO_CALL_BAD_REQUEST' } });
  });
});

describe("a script cannot inject AMI headers through the hook's output", () => {
  it('CR/LF in its channel breaks the contract: the default parameters go out, the injected action never does', async () => {
    await scripts.set('process_originate_params', `export default function (input: HookInput): HookResult {
      const { request_data, ...p } = input;
      return { data: { ...p, channel: p.channel + '\\r\\nAction: Command\\r\\nCommand: core stop now' }, state: 'success' };
    }`);
    const before = originates().length;
    const res = await post({ number: '+31260010001', user_id: 5_001_002 });
    expect(res.status).toBe(200);
    expect((await originateCount(before + 1)).at(-1)).toMatchObject({ Channel: 'PJSIP/102' });
    expect(pbx.actions.some((a) => a.action['Action'] === 'Command')).toBe(false);
    expect(records[0]?.error?.code).toBe('CONTRACT_VIOLATION');
  });
});

describe('configuration and Asterisk state', () => {
  it('503 with a clear message when no token is configured', async () => {
    const other = make({ token: undefined });
    const r = await other.c2c.handle(`Bearer ${TOKEN}`, { number: '+31260010001', user_id: 5_001_002 });
    other.c2c.close();
    expect(r).toMatchObject({ ok: false, status: 503, error: { code: 'CLICK_TO_CALL_DISABLED', message: 'click-to-call is not configured: there is no clickToCall.token in the config' } });
  });

  it('500 CLICK_TO_CALL_BAD_PARAMS when the config gives a control character, and nothing is sent', async () => {
    const before = pbx.actions.length;
    const other = make({ userExtensions: { '5001002': '102\r\nAction: Command' } });
    const r = await other.c2c.handle(`Bearer ${TOKEN}`, { number: '+31260010001', user_id: 5_001_002 });
    other.c2c.close();
    expect(r).toMatchObject({ ok: false, status: 500, error: { code: 'CLICK_TO_CALL_BAD_PARAMS' } });
    expect(r.ok ? '' : r.error.message).toContain('the clickToCall templates or the extension of user 5001002 give bad parameters: the Originate parameters.caller_id contains a control character');
    expect(pbx.actions.length).toBe(before);
  });

  it('503 when AMI is down, and nothing is sent', async () => {
    const down = connectAmi({ host: '127.0.0.1', port: 1, username: 'x', secret: 'y', pingIntervalMs: 0, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    const other = make({ ami: down });
    const r = await other.c2c.handle(`Bearer ${TOKEN}`, { number: '+31260010001', user_id: 5_001_002 });
    other.c2c.close();
    await down.close();
    expect(r).toMatchObject({ ok: false, status: 503, error: { code: 'CLICK_TO_CALL_AMI_UNAVAILABLE' } });
  });

  it('502 when Asterisk refuses the Originate', async () => {
    const other = make({ channel: 'nochannel{extension}' });
    const r = await other.c2c.handle(`Bearer ${TOKEN}`, { number: '+31260010001', user_id: 5_001_002 });
    other.c2c.close();
    expect(r).toMatchObject({ ok: false, status: 502, error: { code: 'CLICK_TO_CALL_REFUSED', message: 'Asterisk refused the call: Invalid channel' } });
  });
});
