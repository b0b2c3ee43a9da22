/**
 * A stage callback that throws (the registrar failing to take a call, a bug in a listener) must not keep the
 * call in the follower: at call_ended the call is still reported (onCall) and dropped, so inFlight() falls
 * back to 0 and later calls go on. It used to stay in the follower's maps for good, never reported.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connectAmi } from '../../engine/ami/index.ts';
import { followCalls, type FinishedCall } from '../../engine/calls/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { startPbx } from '../../sim/pbx/index.ts';
import { defaultStages } from '../helpers/stages.ts';

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

describe('a stage callback that throws', () => {
  it('still reports and drops the call at call_ended, and the next call is followed', async () => {
    const pbx = await startPbx();
    const ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0 });
    const runner = createRunner();
    const { log, lines } = createMemoryLogger('debug');
    const finished: FinishedCall[] = [];
    let throwing = true;
    const follower = followCalls({
      ami,
      stages: defaultStages(runner),
      log,
      onCall: (c) => finished.push(c),
      onStage: async (ev) => {
        if (throwing && ev.stage === 'call_ended') throw new Error('the registrar could not take the call');
      },
    });
    try {
      expect((await ami.ready(5_000)).ok).toBe(true);
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
      follower.finish();
      await follower.idle();
      follower.stop();
      await ami.close();
      await pbx.close();
      await runner.close();
    }
  });
});
