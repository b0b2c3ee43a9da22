/** Issue 3 fault tests for the AMI client against sim/pbx over TCP: none crashes, each is reported once, later messages are right. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAmiText, type AmiProblemCode } from '../../ami-wire/index.ts';
import { useAmi, waitFor, type Harness } from './helpers.ts';
import { SHARED_AMI } from '../helpers/shared.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/ami');
const SHARED = SHARED_AMI;
const start = useAmi();

const AFTER = 'Event: After\r\nPrivilege: call,all\r\nUniqueid: 5.5\r\n\r\n';

async function injectAndCheck(h: Harness, bytes: Buffer | string, code: AmiProblemCode, says: string): Promise<void> {
  await h.client.ready();
  h.pbx.sendRaw(bytes);
  h.pbx.sendRaw(AFTER);
  await waitFor(() => h.seen.message.some((m) => m['Event'] === 'After'), 'the event after the fault');
  expect(h.seen.problem.map((p) => p.code)).toEqual([code]);
  expect(h.seen.problem[0]?.message).toContain(says);
  expect(h.logLines().filter((l) => l['code'] === code)).toHaveLength(1);
  expect(h.seen.message.at(-1)).toEqual({ Event: 'After', Privilege: 'call,all', Uniqueid: '5.5' });
  expect(h.client.connected).toBe(true);
  expect(h.seen.disconnected).toEqual([]);
}

describe('AMI client: stream faults', () => {
  it('reports garbage bytes once and parses what follows', async () => {
    const h = await start({ fullyBooted: false });
    await injectAndCheck(h, Buffer.from([0x00, 0x13, 0x37, 0x7f, 0x0d, 0x0a, 0x0d, 0x0a]), 'AMI_LINE_WITHOUT_COLON', 'is not "Key: Value"');
    expect(h.seen.message).toHaveLength(1);
  });

  it('reports a block without Event or Response once and drops it', async () => {
    const h = await start({ fullyBooted: false });
    await injectAndCheck(h, 'Channel: PJSIP/1-1\r\nUniqueid: 1.1\r\n\r\n', 'AMI_NO_EVENT_OR_RESPONSE', 'no Event or Response header');
    expect(h.seen.message).toHaveLength(1);
  });

  it('reports a 1 MB line once, drops its block, and parses what follows', async () => {
    const h = await start({ fullyBooted: false });
    const big = Buffer.concat([Buffer.from('Event: VarSet\r\nValue: '), Buffer.alloc(1024 * 1024, 0x41), Buffer.from('\r\n\r\n')]);
    await injectAndCheck(h, big, 'AMI_LINE_TOO_LONG', 'longer than the limit');
    expect(h.seen.message).toHaveLength(1);
  });

  it('keeps a value with a bare LF, reports it once', async () => {
    const h = await start({ fullyBooted: false });
    await injectAndCheck(h, 'Event: VarSet\r\nVariable: X\r\nValue: one\ntwo\r\n\r\n', 'AMI_BARE_LF', 'bare LF');
    expect(h.seen.message[0]).toEqual({ Event: 'VarSet', Variable: 'X', Value: 'one\ntwo' });
  });

  it('replaces invalid UTF-8, reports it once, and delivers the event', async () => {
    const h = await start({ fullyBooted: false });
    const bad = Buffer.concat([Buffer.from('Event: Newchannel\r\nCallerIDName: Ma'), Buffer.from([0xc3, 0x28]), Buffer.from('x\r\n\r\n')]);
    await injectAndCheck(h, bad, 'AMI_INVALID_UTF8', 'invalid UTF-8');
    expect(h.seen.message[0]?.['CallerIDName']).toBe('Ma\uFFFD(x');
  });
});

describe('AMI client: reconnection', () => {
  it('after a drop mid-block: reports the cut block once, reconnects, delivers nothing twice', async () => {
    const h = await start({ fullyBooted: false });
    await h.client.ready();
    const file = readFileSync(join(FIXTURES, 'caco-internal-busy-reject.ami'), 'utf8');
    const all = parseAmiText(file);
    const blocks = file.split(/(?<=\r\n\r\n)/);
    const first = blocks.slice(0, 12).join('');
    const rest = blocks.slice(12).join('');
    await h.pbx.replay(first);
    await waitFor(() => h.seen.message.length === 12, 'the first part');
    // half of a block, then the connection drops
    h.pbx.sendRaw(blocks[12]!.slice(0, 40));
    await new Promise((r) => setTimeout(r, 20));
    h.pbx.drop();
    await waitFor(() => h.seen.connected.length === 2, 'the reconnect');
    expect(h.seen.connected[1]?.reconnect).toBe(true);
    expect(h.seen.disconnected[0]?.error.code).toBe('AMI_CONNECTION_LOST');
    expect(h.seen.problem.map((p) => p.code)).toEqual(['AMI_TRUNCATED']);
    await h.pbx.replay(rest);
    await waitFor(() => h.seen.message.length === all.length, 'the rest');
    expect(h.seen.message).toEqual(all);
  });

  it('after a reconnect, resync lists the channels still up, without those hung up meanwhile', async () => {
    const h = await start({ fullyBooted: false }, { resyncOnConnect: true });
    await waitFor(() => h.seen.resync.length === 1, 'the first resync');
    expect(h.seen.resync[0]).toEqual({ reconnect: false, channels: [] });
    h.pbx.emit({ Event: 'Newchannel', Privilege: 'call,all', Channel: 'PJSIP/101-00000001', Uniqueid: '1.1', Linkedid: '1.1' });
    h.pbx.emit({ Event: 'Newchannel', Privilege: 'call,all', Channel: 'PJSIP/102-00000002', Uniqueid: '1.2', Linkedid: '1.2' });
    await waitFor(() => h.seen.message.length === 2, 'two channels');
    h.pbx.drop();
    // missed by the client: it is not connected
    h.pbx.emit({ Event: 'Hangup', Privilege: 'call,all', Channel: 'PJSIP/102-00000002', Uniqueid: '1.2', Linkedid: '1.2', Cause: '16' });
    await waitFor(() => h.seen.resync.length === 2, 'the resync after reconnect');
    expect(h.seen.resync[1]?.reconnect).toBe(true);
    expect(h.seen.resync[1]?.channels.map((c) => c['Linkedid'])).toEqual(['1.1']);
    expect(h.seen.message.map((m) => m['Event'])).toEqual(['Newchannel', 'Newchannel']);
  });

  it('a channel list that is not answered is asked again on the same connection, and resync comes when it answers', async () => {
    const h = await start({ fullyBooted: false, faults: { ignoreChannelLists: 2 } }, { resyncOnConnect: true, actionTimeoutMs: 150, resyncRetryMs: 50 });
    await waitFor(() => h.seen.resync.length === 1, 'the resync after two unanswered lists', 5000);
    expect(h.seen.resync[0]).toEqual({ reconnect: false, channels: [] });
    expect(h.pbx.actions.filter((a) => a.action['Action'] === 'CoreShowChannels')).toHaveLength(3);
    const warned = h.logLines().filter((l) => String(l['msg']).startsWith('AMI resync (CoreShowChannels) failed'));
    expect(warned.map((l) => l['retryInMs'])).toEqual([50, 100]);
    expect(h.seen.disconnected, 'the connection itself is kept').toEqual([]);
  });

  it('keeps reconnecting across repeated failures of every kind', async () => {
    // connection 1 silent, 2 closed at Login, 3 Login refused, 4 logs in
    const h = await start({ faults: { silentConnections: 1, closeOnLogins: 1, refuseLogins: 1 } }, { loginTimeoutMs: 100 });
    await waitFor(() => h.seen.connected.length === 1, 'a login at last', 5000);
    expect(h.seen.disconnected.map((d) => d.error.code)).toEqual(['AMI_LOGIN_TIMEOUT', 'AMI_CONNECTION_LOST', 'AMI_LOGIN_FAILED']);
  });
});

describe.skipIf(!existsSync(SHARED))('AMI client: the shared fixtures over TCP (skipped when ../shared/fixtures/ami is absent)', () => {
  it('delivers every shared capture exactly as parsing the file gives it', async () => {
    const h = await start({ fullyBooted: false });
    await h.client.ready();
    const files = readdirSync(SHARED).filter((f) => f.endsWith('.ami') && !f.startsWith('caco-')).sort();
    const expected = files.flatMap((f) => parseAmiText(readFileSync(join(SHARED, f), 'utf8')));
    for (const f of files) await h.pbx.replay(join(SHARED, f));
    await waitFor(() => h.seen.message.length === expected.length, 'every event');
    expect(h.seen.message).toEqual(expected);
    expect(h.seen.problem).toEqual([]);
  });
});
if (!existsSync(SHARED)) console.warn(`tests/ami/faults: ${SHARED} is absent: the shared-fixture test was SKIPPED`);
