import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAmiText } from '../../ami-wire/index.ts';
import { startPbx, type Pbx, type StartPbxOptions } from '../../sim/pbx/index.ts';
import { LOGIN, LOGIN_OK, rawClient, waitFor, type RawClient } from './helpers.ts';
import { SHARED_AMI } from '../helpers/shared.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/ami');
const SHARED = SHARED_AMI;

let pbx: Pbx | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await pbx?.close();
  pbx = undefined;
});

async function start(options: StartPbxOptions = {}): Promise<Pbx> {
  pbx = await startPbx({ loginFailureDelayMs: 30, ...options });
  return pbx;
}
async function client(p: Pbx): Promise<RawClient> {
  const c = await rawClient(p.port);
  clients.push(c);
  return c;
}
async function loggedIn(p: Pbx): Promise<RawClient> {
  const c = await client(p);
  c.send(LOGIN);
  await c.until('Status: Fully Booted\r\n\r\n');
  return c;
}

describe('sim/pbx: session', () => {
  it('sends the banner line with no empty line after it', async () => {
    const p = await start({ version: '9.0.0' });
    const c = await client(p);
    await c.until('\r\n');
    await new Promise((r) => setTimeout(r, 20));
    expect(c.text()).toBe('Asterisk Call Manager/9.0.0\r\n');
  });

  it('accepts the configured login and sends FullyBooted in the same write as the response', async () => {
    const p = await start();
    const c = await client(p);
    const chunks: Buffer[] = [];
    c.socket.on('data', (d: Buffer) => chunks.push(d));
    await c.until('\r\n');
    c.send(LOGIN);
    await c.until('Fully Booted');
    expect(c.text()).toContain(LOGIN_OK + 'Event: FullyBooted\r\nPrivilege: system,all\r\n');
    expect(chunks.some((d) => d.toString().includes('Authentication accepted') && d.toString().includes('FullyBooted'))).toBe(true);
    expect(p.clients[0]?.authenticated).toBe(true);
  });

  it('answers a wrong secret with Authentication failed, then closes the connection', async () => {
    const p = await start();
    const c = await client(p);
    c.send('Action: Login\r\nActionID: x\r\nUsername: hookline\r\nSecret: wrong\r\n\r\n');
    await waitFor(c.closed, 'close');
    expect(c.messages()).toEqual([{ Response: 'Error', ActionID: 'x', Message: 'Authentication failed' }]);
  });

  it('accepts an MD5 challenge login', async () => {
    const p = await start();
    const c = await client(p);
    c.send('Action: Challenge\r\nActionID: c\r\nAuthType: MD5\r\n\r\n');
    await c.until('Challenge: ');
    const challenge = /Challenge: (\d+)/.exec(c.text())![1]!;
    const { createHash } = await import('node:crypto');
    const key = createHash('md5').update(challenge + 'hookline').digest('hex');
    c.send(`Action: Login\r\nActionID: l\r\nAuthType: MD5\r\nUsername: hookline\r\nKey: ${key}\r\n\r\n`);
    await c.until('Authentication accepted');
  });

  it('answers any other action before login with Permission denied', async () => {
    const p = await start();
    const c = await client(p);
    c.send('Action: Ping\r\nActionID: p\r\n\r\n');
    await c.until('Permission denied');
    expect(c.messages()).toEqual([{ Response: 'Error', ActionID: 'p', Message: 'Permission denied' }]);
  });

  it('answers Ping with Pong and a timestamp, with ActionID right after Response', async () => {
    const p = await start();
    const c = await loggedIn(p);
    const from = c.text().length;
    c.send('Action: Ping\r\nActionID: 42\r\n\r\n');
    await c.until('Pong', from);
    expect(c.text().slice(from)).toMatch(/^Response: Success\r\nActionID: 42\r\nPing: Pong\r\nTimestamp: \d+\.\d{6}\r\n\r\n$/);
  });

  it('reads action names and header names case-insensitively and tolerates bare LF line ends', async () => {
    const p = await start();
    const c = await loggedIn(p);
    c.send('action: PING\nactionid: 7\n\n');
    await c.until('ActionID: 7');
    expect(c.messages().at(-1)).toMatchObject({ Response: 'Success', ActionID: '7', Ping: 'Pong' });
  });

  it('turns events off and on with the Events action', async () => {
    const p = await start();
    const c = await loggedIn(p);
    c.send('Action: Events\r\nActionID: e\r\nEventMask: off\r\n\r\n');
    await c.until('Events: Off');
    p.emit({ Event: 'Lost' });
    c.send('Action: Events\r\nActionID: f\r\nEventMask: on\r\n\r\n');
    await c.until('Events: On');
    p.emit({ Event: 'Seen' });
    await c.until('Event: Seen');
    expect(c.text()).not.toContain('Event: Lost');
  });

  it('says goodbye to Logoff and closes', async () => {
    const p = await start();
    const c = await loggedIn(p);
    c.send('Action: Logoff\r\nActionID: bye\r\n\r\n');
    await waitFor(c.closed, 'close');
    expect(c.messages().at(-1)).toEqual({ Response: 'Goodbye', ActionID: 'bye', Message: 'Thanks for all the fish.' });
  });

  it('answers unknown and missing actions with the Asterisk messages', async () => {
    const p = await start();
    const c = await loggedIn(p);
    c.send('Action: Frobnicate\r\nActionID: u\r\n\r\nActionID: m\r\n\r\n');
    await c.until('Missing action');
    const [unknown, missing] = c.messages().slice(-2);
    expect(unknown?.['Message']).toBe('Invalid/unknown command: Frobnicate. Use Action: ListCommands to show available commands.');
    expect(missing).toEqual({ Response: 'Error', ActionID: 'm', Message: 'Missing action in request' });
  });

  it('answers a line over 1024 bytes with the Asterisk parse error and goes on', async () => {
    const p = await start();
    const c = await loggedIn(p);
    c.send(`Action: Ping\r\nX: ${'a'.repeat(2000)}\r\n\r\nAction: Ping\r\nActionID: after\r\n\r\n`);
    await c.until('ActionID: after');
    expect(c.text()).toContain('Message: Failed to parse message: line too long');
  });

  it('records every action it receives, with the client id', async () => {
    const p = await start();
    const c = await loggedIn(p);
    c.send('Action: Ping\r\nActionID: r1\r\n\r\n');
    await c.until('r1');
    expect(p.actions.map((a) => [a.client, a.action['Action']])).toEqual([[1, 'Login'], [1, 'Ping']]);
  });
});

describe('sim/pbx: CoreShowChannels and Originate', () => {
  it('lists the channels it has announced and not hung up, as an EventList', async () => {
    const p = await start();
    const c = await loggedIn(p);
    p.emit({ Event: 'Newchannel', Privilege: 'call,all', Channel: 'PJSIP/101-00000001', ChannelState: '4', Uniqueid: '1.1', Linkedid: '1.1' });
    p.emit({ Event: 'Newchannel', Privilege: 'call,all', Channel: 'PJSIP/102-00000002', ChannelState: '5', Uniqueid: '1.2', Linkedid: '1.1' });
    p.emit({ Event: 'Hangup', Privilege: 'call,all', Channel: 'PJSIP/102-00000002', Uniqueid: '1.2', Linkedid: '1.1', Cause: '16' });
    c.send('Action: CoreShowChannels\r\nActionID: cs\r\n\r\n');
    await c.until('CoreShowChannelsComplete');
    const list = c.messages().filter((m) => m['ActionID'] === 'cs');
    expect(list.map((m) => m['Event'] ?? m['Response'])).toEqual(['Success', 'CoreShowChannel', 'CoreShowChannelsComplete']);
    expect(list[0]).toMatchObject({ EventList: 'start', Message: 'Channels will follow' });
    expect(list[1]).toMatchObject({ Channel: 'PJSIP/101-00000001', Uniqueid: '1.1', Linkedid: '1.1', Duration: '00:00:00' });
    expect(list[1]?.['Privilege']).toBeUndefined();
    expect(list[2]).toMatchObject({ EventList: 'Complete', ListItems: '1' });
  });

  it('queues an async Originate and answers with OriginateResponse to every logged-in client', async () => {
    const p = await start({ originate: () => ({ response: 'Failure', reason: 5 }) });
    const a = await loggedIn(p);
    const b = await loggedIn(p);
    a.send('Action: Originate\r\nActionID: o1\r\nChannel: PJSIP/101\r\nContext: from-internal\r\nExten: 555\r\nPriority: 1\r\nCallerID: "Bob" <555>\r\nAsync: true\r\n\r\n');
    await a.until('OriginateResponse');
    await b.until('OriginateResponse');
    const msgs = a.messages().filter((m) => m['ActionID'] === 'o1');
    expect(msgs[0]).toEqual({ Response: 'Success', ActionID: 'o1', Message: 'Originate successfully queued' });
    expect(msgs[1]).toMatchObject({ Event: 'OriginateResponse', Response: 'Failure', Reason: '5', Channel: 'PJSIP/101', Uniqueid: '<unknown>', CallerIDNum: '555', CallerIDName: 'Bob' });
  });

  it('refuses an Originate without a channel', async () => {
    const p = await start();
    const c = await loggedIn(p);
    c.send('Action: Originate\r\nActionID: o2\r\nExten: 1\r\n\r\n');
    await c.until('Channel not specified');
  });
});

describe('sim/pbx: replay', () => {
  const capture = join(FIXTURES, 'caco-internal-busy-reject.ami');

  it('sends a capture byte for byte after the login exchange', async () => {
    const p = await start({ fullyBooted: false });
    const c = await client(p);
    c.send(LOGIN);
    await c.until(LOGIN_OK);
    const result = await p.replay(capture);
    const file = readFileSync(capture);
    const prefix = Buffer.from(`Asterisk Call Manager/5.0.5\r\n${LOGIN_OK}`);
    await waitFor(() => c.bytes().length >= prefix.length + file.length, 'all bytes');
    expect(c.bytes().equals(Buffer.concat([prefix, file]))).toBe(true);
    expect(result).toEqual({ blocks: 29, bytes: file.length });
  });

  it('sends the same bytes when paced, block by block', async () => {
    const p = await start({ fullyBooted: false });
    const c = await client(p);
    c.send(LOGIN);
    await c.until(LOGIN_OK);
    await p.replay(capture, { pace: { everyMs: 1 } });
    const file = readFileSync(capture);
    await waitFor(() => c.bytes().length >= file.length, 'all bytes');
    expect(c.bytes().subarray(c.bytes().length - file.length).equals(file)).toBe(true);
  });

  it('replays to several clients at once', async () => {
    const p = await start();
    const cs = await Promise.all([loggedIn(p), loggedIn(p), loggedIn(p)]);
    await p.replay(capture);
    for (const c of cs) await waitFor(() => c.messages().length === 2 + 29, 'every event');
    expect(new Set(cs.map((c) => p.clients.find((x) => x.remotePort === c.socket.localPort)?.id)).size).toBe(3);
  });

  it('rewrites ids, channel names and times so one capture is a fresh call each time', async () => {
    const p = await start();
    const c = await loggedIn(p);
    await p.replay(capture, { rewrite: true });
    await p.replay(capture, { rewrite: true });
    await waitFor(() => c.messages().length === 2 + 58, 'both replays');
    const events = c.messages().slice(2);
    const original = parseAmiText(readFileSync(capture, 'utf8'));
    const linked = (ms: typeof events) => new Set(ms.map((m) => m['Linkedid']).filter(Boolean));
    const first = linked(events.slice(0, 29));
    const second = linked(events.slice(29));
    expect(first.size).toBe(linked(original).size);
    expect([...first].some((id) => second.has(id))).toBe(false);
    expect([...first].some((id) => linked(original).has(id))).toBe(false);
    // same shape: the event names and the number of distinct uniqueids are kept
    expect(events.slice(29).map((m) => m['Event'])).toEqual(original.map((m) => m['Event']));
    const uids = (ms: typeof events) => new Set(ms.map((m) => m['Uniqueid']).filter(Boolean)).size;
    expect(uids(events.slice(0, 29))).toBe(uids(original));
    const chans = (ms: typeof events) => new Set(ms.map((m) => m['Channel'] as string).filter(Boolean));
    expect([...chans(events.slice(0, 29))].some((ch) => chans(events.slice(29)).has(ch))).toBe(false);
    // the uniqueid's epoch moves to now
    const epoch = Number(String(events.find((m) => m['Uniqueid'])?.['Uniqueid']).split('-').at(-1)!.split('.')[0]);
    expect(Math.abs(epoch - Date.now() / 1000)).toBeLessThan(3600);
  });

  it('follows the capture\'s own timestamps when paced by scale, and shifts them to now when rewriting', async () => {
    const p = await start({ fullyBooted: false });
    const c = await client(p);
    c.send(LOGIN);
    await c.until(LOGIN_OK);
    const text = [1700000000.5, 1700000000.52, 1700000000.56]
      .map((t, i) => `Event: Tick\r\nTimestamp: ${t.toFixed(6)}\r\nUniqueid: 1700000000.${i + 1}\r\nLinkedid: 1700000000.1\r\n\r\n`)
      .join('');
    await p.replay(text, { pace: { scale: 0.5 } });
    await p.replay(text, { pace: { scale: 0.5 }, rewrite: true });
    await waitFor(() => c.messages().length === 1 + 6, 'six ticks');
    const [, a1, a2, a3, b1, , b3] = c.messages();
    expect([a1, a2, a3].map((m) => m?.['Timestamp'])).toEqual(['1700000000.500000', '1700000000.520000', '1700000000.560000']);
    const shift = Number(b1?.['Timestamp']) - 1700000000.5;
    expect(Math.abs(Number(b1?.['Timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(Number(b3?.['Timestamp']) - shift).toBeCloseTo(1700000000.56, 5);
    expect(b1?.['Linkedid']).toBe(b3?.['Linkedid']);
    expect(b1?.['Linkedid']).not.toBe('1700000000.1');
  });

  it('plays a capture as the call of an Originate, before its OriginateResponse', async () => {
    const p = await start({ fullyBooted: false, originate: () => ({ response: 'Success', reason: 4, capture }) });
    const c = await client(p);
    c.send(LOGIN);
    await c.until(LOGIN_OK);
    c.send('Action: Originate\r\nActionID: o\r\nChannel: Local/201@from-internal\r\nContext: from-internal\r\nExten: 202\r\nPriority: 1\r\nAsync: yes\r\n\r\n');
    await c.until('Event: OriginateResponse');
    const names = c.messages().map((m) => m['Event'] ?? m['Response']);
    expect(names.slice(0, 2)).toEqual(['Success', 'Success']);
    expect(names.slice(2, -1)).toEqual(parseAmiText(readFileSync(capture, 'utf8')).map((m) => m['Event']));
    expect(names.at(-1)).toBe('OriginateResponse');
  });

  it('keeps replayed channels for CoreShowChannels until their Hangup', async () => {
    const p = await start();
    await loggedIn(p);
    const file = readFileSync(capture, 'utf8');
    const cut = file.indexOf('Event: Hangup');
    await p.replay(file.slice(0, cut));
    expect(p.channelCount()).toBeGreaterThan(0);
    await p.replay(file.slice(cut));
    expect(p.channelCount()).toBe(0);
  });

  it('replays every shipped fixture with the same messages as the file', async () => {
    const p = await start();
    const c = await loggedIn(p);
    let expected = 0;
    for (const f of readdirSync(FIXTURES).filter((f) => f.endsWith('.ami'))) {
      expected += parseAmiText(readFileSync(join(FIXTURES, f), 'utf8')).length;
      await p.replay(join(FIXTURES, f));
    }
    await waitFor(() => c.messages().length === 2 + expected, `${expected} events`);
  });

  it.skipIf(!existsSync(SHARED))('replays the shared (unlicensed/GPL) fixtures byte for byte too', async () => {
    const p = await start({ fullyBooted: false });
    const c = await client(p);
    c.send(LOGIN);
    await c.until(LOGIN_OK);
    const files = readdirSync(SHARED).filter((f) => f.endsWith('.ami') && !f.startsWith('caco-')).sort();
    const all = Buffer.concat(files.map((f) => readFileSync(join(SHARED, f))));
    for (const f of files) await p.replay(join(SHARED, f));
    await waitFor(() => c.bytes().length >= all.length, 'all bytes');
    expect(c.bytes().subarray(c.bytes().length - all.length).equals(all)).toBe(true);
  });
});

if (!existsSync(SHARED)) console.warn(`tests/sim-pbx: ${SHARED} is absent: the shared-fixture replay test was SKIPPED`);

describe('sim/pbx: faults', () => {
  it('accepts TCP and never answers when told to (silentConnections)', async () => {
    const p = await start({ faults: { silentConnections: 1 } });
    const c = await client(p);
    c.send(LOGIN);
    await new Promise((r) => setTimeout(r, 50));
    expect(c.text()).toBe('');
    expect(p.actions).toEqual([]);
  });

  it('sends the banner and never answers Login when told to (ignoreLogins)', async () => {
    const p = await start({ faults: { ignoreLogins: 1 } });
    const c = await client(p);
    c.send(LOGIN);
    await waitFor(() => p.actions.length === 1, 'the login recorded');
    await new Promise((r) => setTimeout(r, 30));
    expect(c.text()).toBe('Asterisk Call Manager/5.0.5\r\n');
  });

  it('closes a connection when Login arrives (closeOnLogins), then accepts the next', async () => {
    const p = await start({ faults: { closeOnLogins: 1 } });
    const a = await client(p);
    a.send(LOGIN);
    await waitFor(a.closed, 'close');
    await loggedIn(p);
  });

  it('drops and stalls clients on demand', async () => {
    const p = await start();
    const a = await loggedIn(p);
    const b = await loggedIn(p);
    p.stall(p.clients.find((x) => x.remotePort === b.socket.localPort)!.id);
    p.drop(p.clients.find((x) => x.remotePort === a.socket.localPort)!.id);
    await waitFor(a.closed, 'drop');
    const before = b.text().length;
    b.send('Action: Ping\r\nActionID: s\r\n\r\n');
    p.emit({ Event: 'X' });
    await new Promise((r) => setTimeout(r, 30));
    expect(b.text().length).toBe(before);
    expect(b.closed()).toBe(false);
  });

  it('sends raw bytes as they are', async () => {
    const p = await start();
    const c = await loggedIn(p);
    const from = c.bytes().length;
    p.sendRaw(Buffer.from([0xff, 0x00, 0x0d, 0x0a]));
    await waitFor(() => c.bytes().length === from + 4, 'raw bytes');
    expect([...c.bytes().subarray(from)]).toEqual([0xff, 0x00, 0x0d, 0x0a]);
  });
});
