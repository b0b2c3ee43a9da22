/**
 * A call follower as the engine runs it (sim/pbx over TCP -> our AMI client -> followCalls with the default
 * stage scripts in a real runner), with what it reports collected, and one close() for all of it.
 */
import { connectAmi, type AmiClient } from '../../engine/ami/index.ts';
import { followCalls, type CallFollower, type FinishedCall, type FollowOptions } from '../../engine/calls/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { startPbx, type Pbx } from '../../sim/pbx/index.ts';
import { defaultStages } from './stages.ts';

export interface FollowerHarness {
  pbx: Pbx;
  ami: AmiClient;
  runner: Runner;
  follower: CallFollower;
  /** Calls reported by onCall, in order. */
  finished: FinishedCall[];
  /** The follower's log lines (memory logger, debug). */
  lines: () => Record<string, unknown>[];
  /** Ends the calls still open, then stops the follower, the client, the PBX and the runner. */
  close(): Promise<void>;
}

/** Polls `cond` every 20 ms for up to `ms`; the test's own expectations say what was missing. */
export async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

export async function startFollower(o: Partial<Pick<FollowOptions, 'tracker' | 'onStage'>> = {}): Promise<FollowerHarness> {
  const pbx = await startPbx();
  const ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0 });
  const runner = createRunner();
  const { log, lines } = createMemoryLogger('debug');
  const finished: FinishedCall[] = [];
  const follower = followCalls({ ami, stages: defaultStages(runner), log, onCall: (c) => finished.push(c), ...o });
  const ready = await ami.ready(5_000);
  if (!ready.ok) throw new Error(`the AMI client did not log in to sim/pbx: ${ready.error.message}`);
  return {
    pbx, ami, runner, follower, finished, lines,
    async close() {
      follower.finish();
      await follower.idle();
      follower.stop();
      await ami.close();
      await pbx.close();
      await runner.close();
    },
  };
}
