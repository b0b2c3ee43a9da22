import { describe, expect, it } from 'vitest';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CallFullSchema, canonicalJson } from '../../contracts/call-full.ts';
import { closeMissing, initialState, summarize, track } from '../../engine/tracker/index.ts';
import { events } from './table.ts';
import { callEnded, run, stages } from './run.ts';

const CallFullCheck = TypeCompiler.Compile(CallFullSchema);

/** 1986 calls 21 (PJSIP), Timestamps in epoch seconds; the tail rows vary per case. */
function direct(tail: string, rows: number) {
  return events(4 + rows)`
    Event      | Channel             | Uniqueid | Linkedid | ChannelStateDesc | CallerIDNum | Exten | Context       | DestChannel       | DestUniqueid | DestCallerIDNum | DialStatus | Cause | Timestamp
    Newchannel | PJSIP/1986-00000019 | 1.40     | 1.40     | Ring             | 1986        | 21    | from-internal |                   |              |                 |            |       | 1770888509.0
    Newchannel | PJSIP/21-0000001a   | 1.41     | 1.40     | Down             | 21          | s     | from-internal |                   |              |                 |            |       | 1770888509.1
    DialBegin  | PJSIP/1986-00000019 | 1.40     | 1.40     | Ring             | 1986        | 21    | from-internal | PJSIP/21-0000001a | 1.41         | 21              |            |       | 1770888509.2
    Newstate   | PJSIP/21-0000001a   | 1.41     | 1.40     | Ringing          | 21          | 21    | from-internal |                   |              |                 |            |       | 1770888510.0
    ${tail}`;
}

const ANSWERED = `
    DialEnd    | PJSIP/1986-00000019 | 1.40     | 1.40     | Ring             | 1986        | 21    | from-internal | PJSIP/21-0000001a | 1.41         | 21              | ANSWER     |       | 1770888512.0
    Hangup     | PJSIP/21-0000001a   | 1.41     | 1.40     | Up               | 21          | 21    | from-internal |                   |              |                 |            | 16    | 1770888540.0
    Hangup     | PJSIP/1986-00000019 | 1.40     | 1.40     | Up               | 1986        | 21    | from-internal |                   |              |                 |            | 16    | 1770888540.5`;

function rejected(status: string, cause: number) {
  return `
    DialEnd    | PJSIP/1986-00000019 | 1.40     | 1.40     | Ring             | 1986        | 21    | from-internal | PJSIP/21-0000001a | 1.41         | 21              | ${status}  |          |
    Hangup     | PJSIP/21-0000001a   | 1.41     | 1.40     | Ringing          | 21          | 21    | from-internal |                   |              |                 |            | ${cause} |
    Hangup     | PJSIP/1986-00000019 | 1.40     | 1.40     | Ring             | 1986        | 21    | from-internal |                   |              |                 |            | ${cause} | `;
}

describe('tracker: a direct internal call', () => {
  it('emits requested, accepted, ended and one call_ended, in order', () => {
    const r = run(direct(ANSWERED, 3));
    expect(stages(r)).toEqual(['conversation_requested', 'conversation_accepted', 'conversation_ended', 'call_ended']);
  });

  it('builds a call_full that validates, with result 200 and times from Timestamp (UTC)', () => {
    const ended = callEnded(run(direct(ANSWERED, 3)), '1.40');
    expect(CallFullCheck.Check(ended.call)).toBe(true);
    expect(ended.call.result).toBe(200);
    const conv = ended.call.conversations['1.41']!;
    expect(conv.channel.start_time).toBe('2026-02-12 09:28:29');
    expect(conv.channel.answer_time).toBe('2026-02-12 09:28:32');
    expect(conv.channel.end_time).toBe('2026-02-12 09:29:00');
    expect(conv.user).toBeNull();
    expect([ended.call.entity, ended.call.deal, ended.call.registration]).toEqual([null, null, null]);
  });

  it('formats DateTime in the configured time zone', () => {
    const ended = callEnded(run(direct(ANSWERED, 3), { timezone: 'Europe/Moscow' }), '1.40');
    expect(ended.call.conversations['1.41']!.channel.answer_time).toBe('2026-02-12 12:28:32');
  });

  it('summarizes direction, numbers and who answered', () => {
    const s = callEnded(run(direct(ANSWERED, 3)), '1.40').summary;
    expect({ direction: s.direction, from: s.from, to: s.to, answered_by: s.answered_by, result: s.result, trunk: s.trunk }).toEqual({
      direction: 'internal', from: '1986', to: '21', answered_by: '21', result: 200, trunk: null,
    });
  });

  it('summarize(call_full) agrees with the summary emitted alongside it', () => {
    const ended = callEnded(run(direct(ANSWERED, 3)), '1.40');
    const s = summarize(ended.call);
    expect([s.direction, s.from, s.to, s.answered_by, s.result]).toEqual(['internal', '1986', '21', '21', 200]);
  });

  it('emits call_full with keys in alphabetical order at every depth', () => {
    const ended = callEnded(run(direct(ANSWERED, 3)), '1.40');
    expect(JSON.stringify(ended.call)).toBe(canonicalJson(ended.call));
  });

  it('drops the finished call from the state', () => {
    const r = run(direct(ANSWERED, 3));
    expect([r.state.calls.size, r.state.chanCall.size]).toEqual([0, 0]);
  });
});

describe('tracker: result codes from DIALSTATUS and cause', () => {
  const table: [string, number, number][] = [
    ['BUSY', 17, 486],
    ['NOANSWER', 19, 480],
    ['CANCEL', 127, 487],
    ['CHANUNAVAIL', 34, 503],
    ['CONGESTION', 42, 503],
    ['', 21, 603],
    ['', 1, 404],
    ['', 28, 404],
    ['', 38, 503],
    ['', 100, 0],
  ];
  for (const [status, cause, result] of table) {
    it(`DialStatus "${status}" with cause ${cause} gives ${result}`, () => {
      const r = run(direct(rejected(status, cause), 3));
      expect(callEnded(r, '1.40').call.result).toBe(result);
      expect(stages(r)).toEqual(['conversation_requested', 'conversation_ended', 'call_ended']);
    });
  }
});

const TRUNK_IN = events(6)`
  Event      | Channel                    | Uniqueid | Linkedid | ChannelStateDesc | CallerIDNum  | Exten      | Context   | DestChannel        | DestUniqueid | DestCallerIDNum | DialStatus | Cause
  Newchannel | SIP/trunk-00000001         | 2.1      | 2.1      | Ring             | +74951234567 | 4951112233 | from-pstn |                    |              |                 |            |
  DialBegin  | SIP/trunk-00000001         | 2.1      | 2.1      | Ring             | +74951234567 | 4951112233 | from-pstn | PJSIP/101-00000002 | 2.2          | 101             |            |
  DialEnd    | SIP/trunk-00000001         | 2.1      | 2.1      | Ring             | +74951234567 | 4951112233 | from-pstn | PJSIP/101-00000002 | 2.2          | 101             | ANSWER     |
  BridgeEnter| PJSIP/101-00000002         | 2.2      | 2.1      | Up               | 101          |            | from-pstn |                    |              |                 |            |
  Hangup     | PJSIP/101-00000002         | 2.2      | 2.1      | Up               | 101          |            | from-pstn |                    |              |                 |            | 16
  Hangup     | SIP/trunk-00000001         | 2.1      | 2.1      | Up               | +74951234567 |            | from-pstn |                    |              |                 |            | 16`;

const TRUNK_OUT = events(5)`
  Event      | Channel                    | Uniqueid | Linkedid | ChannelStateDesc | CallerIDNum  | Exten       | Context       | DestChannel               | DestUniqueid | DestCallerIDNum | ConnectedLineNum | DialStatus | Cause
  Newchannel | PJSIP/101-00000003         | 3.1      | 3.1      | Ring             | 101          | 84951234567 | from-internal |                           |              |                 |                  |            |
  Newchannel | PJSIP/provider-00000004    | 3.2      | 3.1      | Down             | 84951234567  | s           | from-internal |                           |              |                 | +74950000000     |            |
  DialBegin  | PJSIP/101-00000003         | 3.1      | 3.1      | Ring             | 101          | 84951234567 | from-internal | PJSIP/provider-00000004   | 3.2          | 84951234567     |                  |            |
  Hangup     | PJSIP/provider-00000004    | 3.2      | 3.1      | Ringing          | 84951234567  |             | from-internal |                           |              |                 |                  |            | 19
  Hangup     | PJSIP/101-00000003         | 3.1      | 3.1      | Ring             | 101          |             | from-internal |                           |              |                 |                  |            | 19`;

describe('tracker: inbound and outbound through a trunk', () => {
  it('an inbound call is from the external caller to the DID, through the trunk', () => {
    const e = callEnded(run(TRUNK_IN), '2.1');
    expect([e.summary.direction, e.summary.from, e.summary.to, e.summary.answered_by, e.summary.trunk]).toEqual(['inbound', '+74951234567', '4951112233', '101', 'trunk']);
    expect(e.call.channel.type).toBe('incoming');
    expect(e.call.channel.trunk).toEqual({ name: 'trunk', number: '4951112233' });
  });

  it('an outbound call is from the extension to the external number; no answer gives 480', () => {
    const e = callEnded(run(TRUNK_OUT), '3.1');
    expect([e.summary.direction, e.summary.from, e.summary.to, e.summary.result, e.summary.trunk]).toEqual(['outbound', '101', '84951234567', 480, 'provider']);
    expect(e.call.channel.trunk).toEqual({ name: 'provider', number: '+74950000000' });
    expect(e.call.conversations['3.2']!.channel.to.is_internal).toBe(false);
  });

  it('a configured trunk pattern marks a channel external', () => {
    const evs = TRUNK_IN.map((m) => ({ ...m, Channel: String(m.Channel).replace('SIP/trunk-', 'SIP/myline-'), Context: 'default' }));
    expect(callEnded(run(evs), '2.1').summary.direction).toBe('internal');
    expect(callEnded(run(evs, { trunks: [/^SIP\/myline-/] }), '2.1').summary.direction).toBe('inbound');
  });

  it('an inbound call that never rang anybody is an IVR call', () => {
    const e = callEnded(run([TRUNK_IN[0]!, TRUNK_IN[5]!]), '2.1');
    expect([e.call.is_ivr, e.summary.conversations.length]).toEqual([true, 0]);
  });
});

describe('tracker: robustness', () => {
  it('events of no interest leave the state unchanged', () => {
    const state = initialState();
    const r = track(state, { Event: 'RTCPReceived', Channel: 'PJSIP/1-1', Uniqueid: '9.1', Linkedid: '9.1' });
    expect([r.emitted.length, r.problems.length, r.state.calls.size]).toEqual([0, 0, 0]);
  });

  it('an event after the call ended is reported once and ignored', () => {
    const evs = direct(ANSWERED, 3);
    const late = { ...evs[6]! };
    const r = run([...evs, late, late]);
    expect(r.problems.map((p) => [p.code, p.linkedid])).toEqual([['TRACKER_LATE_EVENT', '1.40']]);
    expect(stages(r).filter((s) => s === 'call_ended')).toHaveLength(1);
  });

  it('a call first seen mid-way is followed and reported', () => {
    const r = run(direct(ANSWERED, 3).slice(2));
    expect(r.problems.map((p) => p.code)).toEqual(['TRACKER_UNKNOWN_CALL']);
    expect(callEnded(r, '1.40').call.result).toBe(200);
  });

  it('events out of order (the leg answered before it was dialled, its state before its creation) give the same call, and the next call is right', () => {
    const evs = direct(ANSWERED, 3);
    // Newchannel, Newstate of the leg before its Newchannel, DialEnd ANSWER before DialBegin, then the rest
    const shuffled = [evs[0]!, evs[3]!, evs[1]!, evs[4]!, evs[2]!, evs[5]!, evs[6]!];
    const r = run([...shuffled, ...TRUNK_IN]);
    expect(stages(r, '1.40')).toEqual(['conversation_requested', 'conversation_accepted', 'conversation_ended', 'call_ended']);
    const s = callEnded(r, '1.40').summary;
    expect([s.result, s.answered_by]).toEqual([200, '21']);
    expect(stages(r, '2.1')).toEqual(['conversation_requested', 'conversation_accepted', 'conversation_ended', 'call_ended']);
    expect(r.problems).toEqual([]);
  });

  it('a handler that throws closes only its own call, flagged, and reports it', () => {
    const other = TRUNK_IN;
    const mine = direct(ANSWERED, 3);
    const throwingOn21 = { test: (n: string) => { if (n === '21') throw new Error('bad number'); return /^\d{2,5}$/.test(n); } } as unknown as RegExp;
    const r = run([other[0]!, other[1]!, ...mine, ...other.slice(2)], { internalNumbers: throwingOn21 });
    expect(r.problems.map((p) => [p.code, p.linkedid])).toContainEqual(['TRACKER_HANDLER_FAILED', '1.40']);
    expect(stages(r, '2.1')).toEqual(['conversation_requested', 'conversation_accepted', 'conversation_ended', 'call_ended']);
    expect(r.state.calls.size).toBe(0);
  });

  it('closeMissing closes calls whose channels are gone, flagged resync, and keeps live ones', () => {
    const a = run(direct(ANSWERED, 3).slice(0, 4));
    const b = run(TRUNK_IN.slice(0, 2), undefined, a.state);
    const c = closeMissing(b.state, new Set(['2.1']), '2026-02-12 10:00:00');
    expect(c.emitted.map((e) => [e.linkedid, e.stage])).toEqual([['1.40', 'conversation_ended'], ['1.40', 'call_ended']]);
    const ended = c.emitted[1]!;
    expect(ended.call.channel.extra.hookline_closed_by).toBe('resync');
    expect(ended.call.channel.end_time).toBe('2026-02-12 10:00:00');
    expect([...c.state.calls.keys()]).toEqual(['2.1']);
  });
});
