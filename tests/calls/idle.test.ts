/**
 * follower.idle() waits for the stages handed to the decision so far, not for the calls to end: with a call
 * still in flight it must resolve (the CLI awaits it before finish()). It used to await the chains of every
 * call seen until they were all gone: with one in flight that never happens, and awaiting already-settled
 * promises in a loop never yields to the event loop, so the process hung at 100% CPU.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { splitBlocks } from '../../sim/pbx/index.ts';
import { startFollower, until } from '../helpers/follower.ts';

/** Resolves after `n` microtask turns, without letting the event loop run. */
const microtasks = async (n: number) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe('follower.idle() with a call in flight', () => {
  it('resolves once the stages so far are decided, while the call is still open', async () => {
    let emitted = 0;
    let decided = 0;
    const { pbx, ami, follower, finished, close } = await startFollower({
      onStage: () => {
        decided++;
      },
    });
    const offCount = ami.on('message', () => {
      emitted++;
    });
    try {
      const blocks = splitBlocks(readFileSync('tests/fixtures/ami/caco-internal-busy-reject.ami'));
      // up to the first Hangup: the call has rung (conversation_requested) and is still open
      const half = blocks.findIndex((b) => b.bytes.toString('utf8').startsWith('Event: Hangup'));
      await pbx.replay(Buffer.concat(blocks.slice(0, half).map((b) => b.bytes)));
      await until(() => emitted >= half && decided > 0); // the replayed blocks (the counter starts after the login)
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
      await close();
    }
  });
});
