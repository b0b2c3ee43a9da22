/**
 * A stage callback that throws (the registrar failing to take a call, a bug in a listener) must not keep the
 * call in the follower: at call_ended the call is still reported (onCall) and dropped, so inFlight() falls
 * back to 0 and later calls go on. It used to stay in the follower's maps for good, never reported.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startFollower, until } from '../helpers/follower.ts';

describe('a stage callback that throws', () => {
  it('still reports and drops the call at call_ended, and the next call is followed', async () => {
    let throwing = true;
    const { pbx, follower, finished, lines, close } = await startFollower({
      onStage: async (ev) => {
        if (throwing && ev.stage === 'call_ended') throw new Error('the registrar could not take the call');
      },
    });
    try {
      const capture = readFileSync('tests/fixtures/ami/caco-internal-busy-reject.ami', 'utf8');
      await pbx.replay(capture, { rewrite: true });
      await until(() => finished.length === 1);
      await follower.idle();
      expect(finished.map((c) => c.stages.at(-1))).toEqual(['call_ended']);
      expect(follower.inFlight()).toBe(0);
      expect(lines().filter((l) => String(l['msg']).includes('a stage of this call failed'))).toHaveLength(1);

      throwing = false;
      await pbx.replay(capture, { rewrite: true });
      await until(() => finished.length === 2);
      await follower.idle();
      expect(finished).toHaveLength(2);
      expect(follower.inFlight()).toBe(0);
    } finally {
      await close();
    }
  });
});
