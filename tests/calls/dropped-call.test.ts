/**
 * The tracker's last resort: when even a call's call_ended cannot be built (a bug in building call_full), it
 * drops the call without emitting call_ended (TRACKER_HANDLER_FAILED "dropped"). The follower had that call's
 * earlier stages in its maps, waiting for a call_ended that never comes: they stayed for good, and inFlight()
 * (the status page's and /metrics' calls in flight) never came back down.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startFollower, until } from '../helpers/follower.ts';

describe('a call the tracker drops without call_ended', () => {
  it('leaves nothing in the follower', async () => {
    const stages: string[] = [];
    // A fault in building call_full, from a given moment on (as the tracker's own tests make a handler fail).
    let broken = false;
    const internalNumbers = { test: (n: string) => { if (broken) throw new Error('call_full cannot be built'); return /^\d{2,5}$/.test(n); } } as unknown as RegExp;
    const { pbx, follower, finished, lines, close } = await startFollower({ tracker: { internalNumbers }, onStage: (ev) => void stages.push(ev.stage) });
    try {
      const blocks = readFileSync('tests/fixtures/ami/caco-internal-busy-reject.ami', 'utf8').split('\r\n\r\n').filter((b) => b.trim());
      const firstHangup = blocks.findIndex((b) => b.startsWith('Event: Hangup'));
      await pbx.replay(`${blocks.slice(0, firstHangup).join('\r\n\r\n')}\r\n\r\n`);
      await until(() => stages.length > 0);
      await follower.idle();
      expect(follower.inFlight()).toBeGreaterThan(0);
      broken = true;
      await pbx.replay(`${blocks.slice(firstHangup).join('\r\n\r\n')}\r\n\r\n`);
      await until(() => lines().some((l) => String(l['problem'] ?? l['msg']).includes('dropped')));
      await follower.idle();
      expect(lines().filter((l) => String(l['problem'] ?? '').includes('call_ended could not be built'))).toHaveLength(1);
      expect(finished).toEqual([]);
      expect(follower.inFlight()).toBe(0);
    } finally {
      broken = false;
      await close();
    }
  });
});
