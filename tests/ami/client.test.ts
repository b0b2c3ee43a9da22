import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatAction, parseAmiText } from '../../ami-wire/index.ts';
import { backoffDelay } from '../../engine/ami/index.ts';
import { useAmi, waitFor } from './helpers.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/ami');
const start = useAmi();

describe('AMI client: connection', () => {
  it('logs in and reports the banner, as a first connection', async () => {
    const { client, seen } = await start({ version: '9.0.0' });
    expect((await client.ready()).ok).toBe(true);
    expect(seen.connected).toEqual([{ banner: '9.0.0', reconnect: false, connectionId: 1 }]);
    expect(client.connected).toBe(true);
  });

  it('sends the configured event mask with the Login', async () => {
    const { client, pbx } = await start({}, { events: 'call,system' });
    await client.ready();
    expect(pbx.actions[0]?.action).toMatchObject({ Action: 'Login', Username: 'hookline', Events: 'call,system' });
  });

  it('reports a refused login and keeps trying', async () => {
    const { pbx, seen } = await start({}, { secret: 'wrong' });
    await waitFor(() => pbx.connectionCount >= 3, 'three attempts');
    expect(seen.disconnected[0]?.error.code).toBe('AMI_LOGIN_FAILED');
    expect(seen.disconnected[0]?.error.message).toContain('Authentication failed');
    expect(seen.disconnected[0]?.wasConnected).toBe(false);
    expect(seen.connected).toEqual([]);
  });

  it('keeps trying while nothing listens, and connects when the server appears', async () => {
    const { startPbx } = await import('../../sim/pbx/index.ts');
    const { pbx, seen, client } = await start();
    await client.ready();
    const port = pbx.port;
    await pbx.close();
    await waitFor(() => seen.disconnected.filter((d) => d.error.code === 'AMI_CONNECT_FAILED').length >= 2, 'refused attempts');
    const again = await startPbx({ port });
    try {
      await waitFor(() => seen.connected.length === 2, 'login to the new server');
      expect(seen.connected[1]?.reconnect).toBe(true);
    } finally {
      await client.close();
      await again.close();
    }
  });

  it('reports a login timeout as AMI_LOGIN_TIMEOUT', async () => {
    const { seen, client } = await start({ faults: { ignoreLogins: 1 } }, { loginTimeoutMs: 100 });
    await client.ready(3000);
    expect(seen.disconnected[0]?.error.code).toBe('AMI_LOGIN_TIMEOUT');
  });

  it('closes a connection whose Ping goes unanswered, as AMI_PING_TIMEOUT', async () => {
    const { pbx, seen, client } = await start({}, { pingIntervalMs: 20, pingTimeoutMs: 100 });
    await client.ready();
    pbx.stall();
    await waitFor(() => seen.connected.length === 2, 'reconnect');
    expect(seen.disconnected[0]?.error.code).toBe('AMI_PING_TIMEOUT');
    expect(seen.disconnected[0]?.wasConnected).toBe(true);
  });

  it('keeps a connection whose Pings go unanswered while events still arrive, and says so', async () => {
    const { pbx, seen, client, logLines } = await start({ faults: { ignorePings: 2 } }, { pingIntervalMs: 20, pingTimeoutMs: 60 });
    await client.ready();
    const feed = setInterval(() => pbx.emit({ Event: 'PeerStatus', Peer: 'PJSIP/201', PeerStatus: 'Reachable' }), 5);
    try {
      await waitFor(() => pbx.actions.filter((a) => a.action['Action'] === 'Ping').length >= 4, 'four Pings');
    } finally {
      clearInterval(feed);
    }
    expect(seen.disconnected).toEqual([]);
    expect(pbx.connectionCount).toBe(1);
    const kept = logLines().filter((l) => l['code'] === 'AMI_PING_TIMEOUT');
    expect(kept.map((l) => l['msg'])).toEqual([expect.stringContaining('still sending; kept (1 of 3)'), expect.stringContaining('still sending; kept (2 of 3)')]);
  });

  it('closes a connection that answers no Ping three times in a row although events still arrive', async () => {
    const { pbx, seen, client } = await start({ faults: { ignorePings: 3 } }, { pingIntervalMs: 20, pingTimeoutMs: 60 });
    await client.ready();
    const feed = setInterval(() => pbx.emit({ Event: 'PeerStatus', Peer: 'PJSIP/201', PeerStatus: 'Reachable' }), 5);
    try {
      await waitFor(() => seen.connected.length === 2, 'reconnect');
    } finally {
      clearInterval(feed);
    }
    expect(seen.disconnected[0]?.error.code).toBe('AMI_PING_TIMEOUT');
    expect(seen.disconnected[0]?.error.message).toContain('3 Pings in a row unanswered');
    expect(pbx.actions.filter((a) => a.action['Action'] === 'Ping').length).toBeGreaterThanOrEqual(3);
  });

  it('does not take the connection for dead when the engine was too busy to read the Pong before the deadline', async () => {
    const { pbx, seen, client } = await start({}, { pingIntervalMs: 30, pingTimeoutMs: 50 });
    await client.ready();
    for (let round = 0; round < 3; round++) {
      const pings = pbx.actions.filter((a) => a.action['Action'] === 'Ping').length;
      // the PBX has answered the next Ping; block the event loop before the client reads the Pong
      while (pbx.actions.filter((a) => a.action['Action'] === 'Ping').length === pings) await new Promise((r) => setImmediate(r));
      const until = Date.now() + 150;
      while (Date.now() < until) {
        // busy: a long synchronous piece of work in the engine
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen.disconnected).toEqual([]);
    expect(pbx.connectionCount).toBe(1);
  });

  it('logs off on close and does not reconnect', async () => {
    const { pbx, client } = await start();
    await client.ready();
    await client.close();
    await waitFor(() => pbx.clients.length === 0, 'the session to end');
    expect(pbx.actions.at(-1)?.action['Action']).toBe('Logoff');
    await new Promise((r) => setTimeout(r, 50));
    expect(pbx.connectionCount).toBe(1);
    expect((await client.action({ Action: 'Ping' })).ok).toBe(false);
  });

  it('backs off exponentially up to the cap, with jitter taking off at most its fraction', () => {
    const opts = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, opts, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, opts, () => 0.999)).toBe(200);
    expect(backoffDelay(3, { ...opts, jitter: 0 }, () => 0.9)).toBe(400);
  });
});

describe('AMI client: actions', () => {
  it('resolves an action with its response', async () => {
    const { client } = await start();
    await client.ready();
    const r = await client.action({ Action: 'Ping' });
    expect(r.ok && r.value.response).toMatchObject({ Response: 'Success', Ping: 'Pong' });
  });

  it('returns Response: Error as AMI_ACTION_ERROR with the response', async () => {
    const { client } = await start();
    await client.ready();
    const r = await client.action({ Action: 'NoSuchThing' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('AMI_ACTION_ERROR');
      expect(r.error.response?.['Message']).toContain('Invalid/unknown command: NoSuchThing');
    }
  });

  it('refuses an action while not connected, without waiting', async () => {
    const { client } = await start({ faults: { silentConnections: Infinity } });
    const r = await client.action({ Action: 'Ping' });
    expect(r.ok ? 'ok' : r.error.code).toBe('AMI_NOT_CONNECTED');
  });

  it('times out an action that gets no answer', async () => {
    const { client, pbx } = await start();
    await client.ready();
    pbx.stall();
    const r = await client.action({ Action: 'Ping' }, { timeoutMs: 50 });
    expect(r.ok ? 'ok' : r.error.code).toBe('AMI_TIMEOUT');
  });

  it('refuses an ActionID that is still waiting for its answer', async () => {
    const { client, pbx } = await start();
    await client.ready();
    pbx.stall();
    const first = client.action({ Action: 'Ping', ActionID: 'same' }, { timeoutMs: 100 });
    const second = await client.action({ Action: 'Ping', ActionID: 'same' });
    expect(second.ok ? 'ok' : second.error.code).toBe('AMI_BAD_ACTION');
    await first;
  });

  it('ends pending actions with AMI_DISCONNECTED when the connection drops', async () => {
    const { client, pbx } = await start();
    await client.ready();
    pbx.stall();
    const pending = client.action({ Action: 'Ping' });
    await new Promise((r) => setTimeout(r, 20));
    pbx.drop();
    const r = await pending;
    expect(r.ok ? 'ok' : r.error.code).toBe('AMI_DISCONNECTED');
  });

  it('writes repeated headers for array values and refuses CR/LF in names and values', () => {
    expect(formatAction({ Action: 'Originate', Variable: ['a=1', 'b=2'], Async: true })).toEqual({ ok: true, value: 'Action: Originate\r\nVariable: a=1\r\nVariable: b=2\r\nAsync: true\r\n\r\n' });
    expect(formatAction({ Action: 'Originate', Variable: ['a=1', 'b=\n2'] }).ok).toBe(false);
    expect(formatAction({ Action: 'Originate', 'Bad\r\nKey': 'x' }).ok).toBe(false);
    expect(formatAction({ Channel: 'x' }).ok).toBe(false);
  });

  it('collects the items of a list action until EventList: Complete', async () => {
    const { client, pbx, seen } = await start({ fullyBooted: false });
    await client.ready();
    pbx.emit({ Event: 'Newchannel', Channel: 'PJSIP/101-00000001', Uniqueid: '1.1', Linkedid: '1.1' });
    pbx.emit({ Event: 'Newchannel', Channel: 'PJSIP/102-00000002', Uniqueid: '1.2', Linkedid: '1.1' });
    const r = await client.action({ Action: 'CoreShowChannels' });
    expect(r.ok && r.value.events.map((e) => e['Event'])).toEqual(['CoreShowChannel', 'CoreShowChannel']);
    expect(r.ok && r.value.response['EventList']).toBe('start');
    // the list items are the action's answer, not events for subscribers
    expect(seen.message.map((m) => m['Event'])).toEqual(['Newchannel', 'Newchannel']);
  });

  it('with parser.only, delivers only the events and headers named, yet list items and OriginateResponse whole', async () => {
    const only = { events: ['Newchannel'], headers: ['Event', 'Uniqueid'] };
    const { client, pbx, seen } = await start({ fullyBooted: false, originate: () => ({ response: 'Success', reason: 4, uniqueid: '8.1' }) }, { parser: { only } });
    await client.ready();
    pbx.emit({ Event: 'VarSet', Channel: 'PJSIP/101-00000001', Variable: 'X', Value: '1' });
    pbx.emit({ Event: 'Newchannel', Channel: 'PJSIP/101-00000001', Uniqueid: '1.1', Linkedid: '1.1' });
    await waitFor(() => seen.message.length === 1, 'the Newchannel');
    expect(seen.message).toEqual([{ Event: 'Newchannel', Uniqueid: '1.1' }]);
    const list = await client.coreShowChannels();
    expect(list.ok && list.value.map((c) => [c['Uniqueid'], c['Linkedid'], c['Channel']])).toEqual([['1.1', '1.1', 'PJSIP/101-00000001']]);
    const o = await client.originate({ channel: 'PJSIP/101', context: 'c', exten: '1', priority: 1 });
    expect(o.ok && o.value.uniqueid).toBe('8.1');
  });

  it('returns the channel list from coreShowChannels()', async () => {
    const { client, pbx } = await start();
    await client.ready();
    pbx.setChannels([{ Channel: 'PJSIP/7-1', Uniqueid: '9.1', Linkedid: '9.1' }]);
    const r = await client.coreShowChannels();
    expect(r.ok && r.value.map((c) => c['Linkedid'])).toEqual(['9.1']);
  });

  it('originates and resolves with the OriginateResponse outcome', async () => {
    const { client, pbx, seen } = await start({ originate: (a) => (a['Channel'] === 'PJSIP/busy' ? { response: 'Failure', reason: 5 } : { response: 'Success', reason: 4, uniqueid: '77.1' }) });
    await client.ready();
    const ok = await client.originate({ channel: 'PJSIP/101', context: 'from-internal', exten: '79990000000', priority: 1, callerId: 'Kommo <101>', variables: { HOOKLINE: '1' } });
    expect(ok.ok && { success: ok.value.success, reason: ok.value.reason, uniqueid: ok.value.uniqueid }).toEqual({ success: true, reason: 4, uniqueid: '77.1' });
    const busy = await client.originate({ channel: 'PJSIP/busy', context: 'c', exten: '1', priority: 1 });
    expect(busy.ok && [busy.value.success, busy.value.reason]).toEqual([false, 5]);
    const sent = pbx.actions.find((a) => a.action['Action'] === 'Originate')!.action;
    expect(sent).toMatchObject({ Async: 'true', Variable: 'HOOKLINE=1', Timeout: '30000', CallerID: 'Kommo <101>' });
    expect(seen.message.filter((m) => m['Event'] === 'OriginateResponse')).toHaveLength(2);
  });

  it('returns a refused Originate as AMI_ACTION_ERROR', async () => {
    const { client } = await start();
    await client.ready();
    const r = await client.originate({ channel: 'nochannel', context: 'c', exten: '1', priority: 1 });
    expect(r.ok ? 'ok' : r.error.message).toContain('Invalid channel');
  });
});

describe('AMI client: events', () => {
  it('delivers a whole capture in order, the same messages as parsing the file', async () => {
    const { client, pbx, seen } = await start({ fullyBooted: false });
    await client.ready();
    const files = ['caco-inbound-blonde-transfer.ami', 'caco-originate-ctd-outbound-answered.ami', 'caco-internal-attended-transfer.ami'];
    const expected = files.flatMap((f) => parseAmiText(readFileSync(join(FIXTURES, f), 'utf8')));
    for (const f of files) await pbx.replay(join(FIXTURES, f));
    await waitFor(() => seen.message.length === expected.length, 'every event');
    expect(seen.message).toEqual(expected);
    expect(seen.problem).toEqual([]);
  });

  it('keeps delivering to the other listeners when one throws, and logs it', async () => {
    const { client, pbx, seen, logLines } = await start({ fullyBooted: false });
    client.on('message', () => {
      throw new Error('boom');
    });
    await client.ready();
    pbx.emit({ Event: 'A' });
    pbx.emit({ Event: 'B' });
    await waitFor(() => seen.message.length === 2, 'both events');
    expect(logLines().filter((l) => l['code'] === 'AMI_LISTENER_THREW')).toHaveLength(2);
  });

  it('stops delivering to a listener after it unsubscribes', async () => {
    const { client, pbx, seen } = await start({ fullyBooted: false });
    const mine: unknown[] = [];
    const off = client.on('message', (m) => mine.push(m));
    await client.ready();
    pbx.emit({ Event: 'A' });
    await waitFor(() => seen.message.length === 1, 'A');
    off();
    pbx.emit({ Event: 'B' });
    await waitFor(() => seen.message.length === 2, 'B');
    expect(mine).toHaveLength(1);
  });
});
