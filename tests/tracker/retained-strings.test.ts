import { describe, expect, it } from 'vitest';
import { heapAfterGc } from '../helpers/heap.ts';
import { AmiParser } from '../../ami-wire/index.ts';
import { initialState, track, TRACKER_AMI_ONLY } from '../../engine/tracker/index.ts';

// A header value from the AMI parser is a slice of the text of the whole chunk it was read in (V8 makes a
// substring of 13 characters or more a view of its parent). The state remembers the last 1,024 finished
// linkedids (`ended`, and `absorbed`): kept as read, each kept its chunk, up to 64 KiB, after the call was gone.


/** One call, start to end, in one chunk with ~256 KB of other events, read by the parser as the engine reads AMI. */
function chunk(i: number): Buffer {
  const id = `1526651113.${String(i).padStart(5, '0')}`;
  const filler = `Event: VarSet\r\nChannel: SIP/201-00000001\r\nUniqueid: 1526650000.1\r\nVariable: PAD\r\nValue: ${'y'.repeat(1000)}\r\n\r\n`;
  const call =
    `Event: Newchannel\r\nChannel: SIP/201-${id}\r\nUniqueid: ${id}\r\nLinkedid: ${id}\r\nCallerIDNum: 201\r\nExten: 202\r\nContext: from-internal\r\nTimestamp: 1526651113.0\r\n\r\n` +
    `Event: Hangup\r\nChannel: SIP/201-${id}\r\nUniqueid: ${id}\r\nLinkedid: ${id}\r\nCause: 16\r\nTimestamp: 1526651120.0\r\n\r\n`;
  return Buffer.from(filler.repeat(256) + call, 'latin1');
}

describe('tracker memory', () => {
  it('the finished linkedids it remembers do not keep the AMI chunks they were read from', () => {
    let state = initialState();
    const parser = new AmiParser({ only: TRACKER_AMI_ONLY });
    const ended: string[] = [];
    const run = (i: number) => {
      for (const m of parser.push(chunk(i)).messages) {
        const r = track(state, m);
        state = r.state;
        for (const e of r.emitted) if (e.stage === 'call_ended') ended.push(e.linkedid);
      }
    };
    run(0);
    const before = heapAfterGc();
    const calls = 60;
    for (let i = 1; i <= calls; i++) run(i);
    expect(ended).toHaveLength(calls + 1);
    ended.length = 0;
    expect(state.calls.size).toBe(0);
    expect(state.ended.size).toBe(calls + 1);
    // 60 chunks of ~260 KB would be ~15 MB; 60 linkedids are a few KB.
    expect(heapAfterGc() - before).toBeLessThan(3 * 1024 * 1024);
  });
});
