/**
 * follower.idle() waits for the stages handed to the decision so far, not for the calls to end: with a call
 * still in flight it must resolve (the CLI awaits it before finish()). It used to await the chains of every
 * call seen until they were all gone: with one in flight that never happens, and awaiting already-settled
 * promises in a loop never yields to the event loop, so the process hung at 100% CPU.
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

/** Resolves after `n` microtask turns, without letting the event loop run. */
const microtasks = async (n: number) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe('follower.idle() with a call in flight', () => {
  it('resolves once the stages so far are decided, while the call is still open', async () => {
    const pbx = await startPbx();
    const ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0 });
    const runner = createRunner();
    const finished: FinishedCall[] = [];
    let emitted = 0;
    let decided = 0;
    const follower = followCalls({
      ami,
      stages: defaultStages(runner),
      log: silentLogger,
      onCall: (c) => finished.push(c),
      onStage: () => {
        decided++;
      },
    });
    const offCount = ami.on('message', () => {
      emitted++;
    });
    try {
      expect((await ami.ready(5_000)).ok).toBe(true);
      const blocks = splitBlocks(readFileSync('tests/fixtures/ami/caco-internal-busy-reject.ami'));
      // up to the first Hangup: the call has rung (conversation_requested) and is still open
      const half = blocks.findIndex((b) => b.bytes.toString('utf8').startsWith('Event: Hangup'));
      await pbx.replay(Buffer.concat(blocks.slice(0, half).map((b) => b.bytes)));
      await until(() => emitted > half && decided > 0);
      await new Promise((r) => setTimeout(r, 200));
      expect(decided).toBeGreaterThan(0);
      expect(finished).toEqual([]);

      // every stage so far is decided: idle() has nothing to wait for
      const outcome = await Promise.race([follower.idle().then(() => 'idle'), microtasks(10_000).then(() => 'still waiting')]);
      // (if idle() is spinning, end the calls so that its loop can stop and the test can report)
      if (outcome !== 'idle') follower.finish();
      expect(outcome).toBe('idle');
      expect(follower.inFlight()).toBeGreaterThan(0);
    } finally {
      offCount();
      follower.finish();
      await follower.idle();
      follower.stop();
      await ami.close();
      await pbx.close();
      await runner.close();
    }
  });
});
