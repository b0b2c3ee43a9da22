/**
 * The connection to Asterisk drops in the middle of calls: after the reconnect, a call whose channels are gone
 * (its end was missed) is closed, flagged and finished once; a call still up goes on and finishes normally.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connectAmi } from '../../engine/ami/index.ts';
import { followCalls, type FinishedCall } from '../../engine/calls/index.ts';
import { silentLogger } from '../../log/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { splitBlocks, startPbx } from '../../sim/pbx/index.ts';
import { defaultStages } from '../helpers/stages.ts';

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

describe('AMI connection dropped mid-call', () => {
  it('finishes a call whose end was missed exactly once, flagged, and the next calls are tracked right', async () => {
    const pbx = await startPbx();
    const ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0, backoff: { initialMs: 50, maxMs: 200 } });
    const runner = createRunner();
    const finished: FinishedCall[] = [];
    const follower = followCalls({
      ami,
      stages: defaultStages(runner),
      log: silentLogger,
      onCall: (c) => finished.push(c),
    });
    try {
      expect((await ami.ready(5_000)).ok).toBe(true);
      const blocks = splitBlocks(readFileSync('tests/fixtures/ami/caco-internal-busy-reject.ami'));
      const half = Math.floor(blocks.length / 2);
      await pbx.replay(Buffer.concat(blocks.slice(0, half).map((b) => b.bytes)));
      await until(() => follower.inFlight() > 0);
      expect(follower.inFlight()).toBeGreaterThan(0);

      // Asterisk goes on without us: the call ends while we are away, so no channel of it is up any more.
      pbx.setChannels([]);
      pbx.drop();
      await until(() => finished.length > 0);
      await follower.idle();
      expect(finished).toHaveLength(1);
      const call = finished[0] as FinishedCall;
      expect(call.linkedid).toBe('195176c06ab8-1529936241.98');
      expect((call.call_full as { channel: { extra: Record<string, unknown> } }).channel.extra.hookline_closed_by).toBe('resync');
      expect(call.stages.at(-1)).toBe('call_ended');

      // A later, whole call is tracked right after the reconnect.
      await pbx.replay(readFileSync('tests/fixtures/ami/caco-internal-blind-transfer.ami'));
      await until(() => finished.length > 1);
      await follower.idle();
      expect(finished.map((c) => c.linkedid)).toEqual(['195176c06ab8-1529936241.98', expect.any(String)]);
      expect(finished[1]?.answered).toBe(true);
    } finally {
      follower.stop();
      await ami.close();
      await pbx.close();
      await runner.close();
    }
  });
});
