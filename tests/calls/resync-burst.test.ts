/**
 * Events that arrive right after the CoreShowChannels list of a reconnect (in the same TCP read) were raised
 * after Asterisk took the list: a call they start is not in it, and must not be closed by the resync.
 */
import { describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../ami-wire/index.ts';
import { connectAmi } from '../../engine/ami/index.ts';
import { followCalls, type FinishedCall } from '../../engine/calls/index.ts';
import { silentLogger } from '../../log/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { startPbx } from '../../sim/pbx/index.ts';
import { formatBlock } from '../../sim/pbx/wire.ts';
import { defaultStages } from '../helpers/stages.ts';

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

const newchannel = (uid: string, chan: string, num: string, linkedid = uid): Array<[string, string]> => [
  ['Event', 'Newchannel'], ['Privilege', 'call,all'], ['Channel', chan], ['ChannelState', '4'], ['ChannelStateDesc', 'Ring'],
  ['CallerIDNum', num], ['CallerIDName', num], ['Context', 'from-internal'], ['Exten', '202'], ['Priority', '1'],
  ['Uniqueid', uid], ['Linkedid', linkedid],
];
const hangup = (uid: string, chan: string, linkedid = uid): Array<[string, string]> => [
  ['Event', 'Hangup'], ['Privilege', 'call,all'], ['Channel', chan], ['Uniqueid', uid], ['Linkedid', linkedid], ['Cause', '16'], ['Cause-txt', 'Normal Clearing'],
];

function follow(ami: ReturnType<typeof connectAmi>, runner: ReturnType<typeof createRunner>, finished: FinishedCall[]) {
  return followCalls({
    ami,
    stages: defaultStages(runner),
    log: silentLogger,
    onCall: (c) => finished.push(c),
  });
}

describe('resync after a reconnect, with events right behind the list', () => {
  it('delivers resync before the events that follow the list, so a call they start is not closed', async () => {
    const pbx = await startPbx();
    const ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0, backoff: { initialMs: 50, maxMs: 200 } });
    const order: string[] = [];
    ami.on('message', (m: AmiMessage) => { if (m.Event === 'Newchannel') order.push(`message ${String(m.Uniqueid)}`); });
    ami.on('resync', (r) => order.push(`resync ${r.reconnect}`));
    const runner = createRunner();
    const finished: FinishedCall[] = [];
    const follower = follow(ami, runner, finished);
    try {
      expect((await ami.ready(5_000)).ok).toBe(true);
      await until(() => order.includes('resync false'));
      pbx.emit(newchannel('1700000000.1', 'PJSIP/101-00000001', '101'));
      await until(() => follower.inFlight() > 0);

      // after the reconnect a new call starts just after Asterisk listed the channels
      pbx.faults.afterNextChannelList = formatBlock(newchannel('1700000000.2', 'PJSIP/103-00000002', '103'));
      pbx.drop();
      await until(() => order.includes('resync true') && order.includes('message 1700000000.2'));
      await follower.idle();
      expect(order.slice(-2)).toEqual(['resync true', 'message 1700000000.2']);
      expect(finished).toEqual([]);

      pbx.emit(hangup('1700000000.2', 'PJSIP/103-00000002'));
      pbx.emit(hangup('1700000000.1', 'PJSIP/101-00000001'));
      await until(() => finished.length === 2);
      await follower.idle();
      expect(finished.map((c) => c.linkedid).sort()).toEqual(['1700000000.1', '1700000000.2']);
      for (const c of finished) {
        expect((c.call_full as { channel: { extra: Record<string, unknown> } }).channel.extra.hookline_closed_by).toBeUndefined();
      }
    } finally {
      follower.stop();
      await ami.close();
      await pbx.close();
      await runner.close();
    }
  });

  it('ends a channel of a live call whose Hangup was missed, so the call still ends when its last live channel hangs up', async () => {
    const pbx = await startPbx();
    const ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0, backoff: { initialMs: 100, maxMs: 200 } });
    let resyncs = 0;
    ami.on('resync', () => resyncs++);
    const runner = createRunner();
    const finished: FinishedCall[] = [];
    const follower = follow(ami, runner, finished);
    try {
      expect((await ami.ready(5_000)).ok).toBe(true);
      await until(() => resyncs === 1);
      pbx.emit(newchannel('1700000000.1', 'PJSIP/101-00000001', '101'));
      pbx.emit(newchannel('1700000000.2', 'PJSIP/202-00000002', '202', '1700000000.1'));
      await until(() => follower.inFlight() > 0);
      await new Promise((r) => setTimeout(r, 50));

      // while we are away, 202 hangs up; 101 is still up when we are back
      pbx.drop();
      pbx.emit(hangup('1700000000.2', 'PJSIP/202-00000002', '1700000000.1'));
      await until(() => resyncs === 2);
      await follower.idle();
      expect(finished).toEqual([]);

      pbx.emit(hangup('1700000000.1', 'PJSIP/101-00000001'));
      await until(() => finished.length === 1, 3_000);
      await follower.idle();
      expect(finished.map((c) => c.linkedid)).toEqual(['1700000000.1']);
      expect(follower.inFlight()).toBe(0);
    } finally {
      follower.stop();
      await ami.close();
      await pbx.close();
      await runner.close();
    }
  });
});
