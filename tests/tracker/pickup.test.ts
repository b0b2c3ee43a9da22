/**
 * Pickup: 1986 calls 21; while 21 rings, 30 picks the call up (*8 group pickup, **21 directed, a BLF key).
 * The picking phone starts a call of its own (its own linkedid, dialling the pickup code); Asterisk then
 * sends `Pickup` (Channel = the picker, Target* = the ringing leg), cancels the ringing leg (DialEnd CANCEL,
 * Hangup cause 26 "answered elsewhere"), reports the picker as dialled and answered (DialBegin / DialEnd
 * ANSWER whose Dest is the picker, DestLinkedid still its own), bridges it with the caller (BridgeEnter),
 * and the picker's later events carry the caller's Linkedid. The sequence follows a recorded star-pickup
 * (cacofonisk xfer_misc/star_pickup.json, Asterisk 13); no fixture in ../shared/fixtures/ami has a pickup.
 */
import { describe, expect, it } from 'vitest';
import { events } from './table.ts';
import { callEnded, run, stages } from './run.ts';

const HEAD = `Event | Channel | Uniqueid | Linkedid | ChannelStateDesc | CallerIDNum | Exten | DestChannel | DestUniqueid | DestLinkedid | DestCallerIDNum | DialStatus | TargetChannel | TargetUniqueid | TargetLinkedid | Cause | Timestamp`;

const RINGING = `
Newchannel | PJSIP/1986-1 | 1.40 | 1.40 | Ring    | 1986 | 21  |              |      |      |    |        |  |  |  |    | 1770888500
Newchannel | PJSIP/21-2   | 1.41 | 1.40 | Down    | 21   | s   |              |      |      |    |        |  |  |  |    | 1770888500
DialBegin  | PJSIP/1986-1 | 1.40 | 1.40 | Ring    | 1986 | 21  | PJSIP/21-2   | 1.41 | 1.40 | 21 |        |  |  |  |    | 1770888500
Newstate   | PJSIP/21-2   | 1.41 | 1.40 | Ringing | 21   | 21  |              |      |      |    |        |  |  |  |    | 1770888501
Newchannel | PJSIP/30-3   | 2.50 | 2.50 | Ring    | 30   | *8  |              |      |      |    |        |  |  |  |    | 1770888505
Newstate   | PJSIP/30-3   | 2.50 | 2.50 | Up      | 30   | *8  |              |      |      |    |        |  |  |  |    | 1770888505`;

const PICKUP_EVENT = `
Pickup     | PJSIP/30-3   | 2.50 | 2.50 | Up      | 30   | *8  |              |      |      |    |        | PJSIP/21-2 | 1.41 | 1.40 |  | 1770888506`;

const DIAL_TO_PICKER = `
DialEnd    | PJSIP/1986-1 | 1.40 | 1.40 | Ring    | 1986 | 21  | PJSIP/21-2   | 1.41 | 1.40 | 21 | CANCEL |  |  |  |    | 1770888506
DialBegin  | PJSIP/1986-1 | 1.40 | 1.40 | Ring    | 1986 | 21  | PJSIP/30-3   | 2.50 | 2.50 | 30 |        |  |  |  |    | 1770888506
DialEnd    | PJSIP/1986-1 | 1.40 | 1.40 | Ring    | 1986 | 21  | PJSIP/30-3   | 2.50 | 2.50 | 30 | ANSWER |  |  |  |    | 1770888506`;

const AFTER = `
Hangup      | PJSIP/21-2   | 1.41 | 1.40 | Ringing | 21   | 21  |              |      |      |    |        |  |  |  | 26 | 1770888506
Newstate    | PJSIP/1986-1 | 1.40 | 1.40 | Up      | 1986 | 21  |              |      |      |    |        |  |  |  |    | 1770888506
BridgeEnter | PJSIP/30-3   | 2.50 | 2.50 | Up      | 30   |     |              |      |      |    |        |  |  |  |    | 1770888506
BridgeEnter | PJSIP/1986-1 | 1.40 | 1.40 | Up      | 1986 | 21  |              |      |      |    |        |  |  |  |    | 1770888506
Hangup      | PJSIP/30-3   | 2.50 | 1.40 | Up      | 30   |     |              |      |      |    |        |  |  |  | 16 | 1770888560
Hangup      | PJSIP/1986-1 | 1.40 | 1.40 | Up      | 1986 | 21  |              |      |      |    |        |  |  |  | 16 | 1770888560`;

function table(rows: number, ...parts: string[]) {
  return events(rows)([`${HEAD}\n${parts.join('')}`] as unknown as TemplateStringsArray);
}

describe('tracker: pickup', () => {
  for (const [name, evs] of [
    ['with the Pickup event and Dial reporting the picker', table(16, RINGING, PICKUP_EVENT, DIAL_TO_PICKER, AFTER)],
    ['from Dial alone (no Pickup event: an AMI user without the call class filter, or PickupChan)', table(15, RINGING, DIAL_TO_PICKER, AFTER)],
    ['from the Pickup event alone (no DialBegin/DialEnd to the picker)', table(13, RINGING, PICKUP_EVENT, AFTER)],
  ] as const) {
    it(`${name}: one call, answered by the phone that picked up`, () => {
      const r = run(evs);
      // the picker's own call (dialling *8) is absorbed: nothing is emitted for it
      expect([...new Set(r.emitted.map((e) => e.linkedid))]).toEqual(['1.40']);
      expect(r.state.calls.size).toBe(0);
      expect(stages(r)).toEqual([
        'conversation_requested', // 21 rings
        'conversation_requested', // 30 picks up
        'conversation_accepted',
        'conversation_ended', // 21, answered elsewhere
        'conversation_ended', // 30
        'call_ended',
      ]);
      const end = callEnded(r, '1.40');
      const s = end.summary;
      expect({ direction: s.direction, from: s.from, to: s.to, answered: s.answered, answered_by: s.answered_by, result: s.result }).toEqual({
        direction: 'internal', from: '1986', to: '21', answered: true, answered_by: '30', result: 200,
      });
      expect(s.conversations.map((c) => [c.to, c.answered])).toEqual([['21', false], ['30', true]]);
      // answered at the pickup, not when the PBX answered the *8 dial a second earlier
      expect(s.conversations[1]?.answer_time).toBe('2026-02-12 09:28:26');
      expect(end.call.conversations['2.50']?.channel.extra['hookline_absorbed']).toBe('2.50');
      expect(end.call.channel.extra['picked_up_by']).toBe('PJSIP/30-3');
      expect(r.problems).toEqual([]);
    });
  }

  it('ignores, without a problem, the picker events that still carry its own linkedid after the pickup', () => {
    const r = run(table(16, RINGING, PICKUP_EVENT, DIAL_TO_PICKER, AFTER));
    expect(r.problems.filter((p) => p.code === 'TRACKER_LATE_EVENT')).toEqual([]);
  });

  it('still reports a phone that dials *8 with nothing to pick up as its own call', () => {
    const r = run(table(3, `
Newchannel | PJSIP/30-3   | 2.50 | 2.50 | Ring    | 30   | *8  |  |  |  |  |  |  |  |  |    | 1770888505
Newstate   | PJSIP/30-3   | 2.50 | 2.50 | Up      | 30   | *8  |  |  |  |  |  |  |  |  |    | 1770888505
Hangup     | PJSIP/30-3   | 2.50 | 2.50 | Up      | 30   | *8  |  |  |  |  |  |  |  |  | 16 | 1770888507`));
    expect(stages(r)).toEqual(['call_ended']);
    expect(callEnded(r, '2.50').summary.from).toBe('30');
  });
});
