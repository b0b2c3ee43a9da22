import { describe, expect, it } from 'vitest';
import { events } from './table.ts';
import { callEnded, run, stages } from './run.ts';

/** 1001 calls 1002, CEL only (AMI `Event: CEL`), EventTime as the cel table text with a UTC offset. */
const CEL_CALL = events(11)`
  Event | EventName      | Channel             | UniqueID | LinkedID | CallerIDnum | Exten | Context  | AppData           | Extra                                                          | EventTime
  CEL   | CHAN_START     | PJSIP/1001-00000001 | 5.1      | 5.1      | 1001        | 1002  | internal |                   |                                                                | 2024-03-01 10:00:00.100000+03
  CEL   | CHAN_START     | PJSIP/1002-00000002 | 5.2      | 5.1      | 1002        | s     | internal |                   |                                                                | 2024-03-01 10:00:00.200000+03
  CEL   | ANSWER         | PJSIP/1002-00000002 | 5.2      | 5.1      | 1002        |       | internal |                   |                                                                | 2024-03-01 10:00:05.000000+03
  CEL   | MIXMONITOR_START | PJSIP/1001-00000001 | 5.1    | 5.1      | 1001        |       | internal | /rec/5.1.wav,b    |                                                                | 2024-03-01 10:00:05.100000+03
  CEL   | BRIDGE_ENTER   | PJSIP/1002-00000002 | 5.2      | 5.1      | 1002        |       | internal |                   |                                                                | 2024-03-01 10:00:05.200000+03
  CEL   | HANGUP         | PJSIP/1002-00000002 | 5.2      | 5.1      | 1002        |       | internal |                   | {"hangupcause":16,"hangupsource":"PJSIP/1002-00000002","dialstatus":""} | 2024-03-01 10:00:30.000000+03
  CEL   | CHAN_END       | PJSIP/1002-00000002 | 5.2      | 5.1      | 1002        |       | internal |                   |                                                                | 2024-03-01 10:00:30.000000+03
  CEL   | HANGUP         | PJSIP/1001-00000001 | 5.1      | 5.1      | 1001        |       | internal |                   | {"hangupcause":16,"hangupsource":"","dialstatus":"ANSWER"}     | 2024-03-01 10:00:30.100000+03
  CEL   | CHAN_END       | PJSIP/1001-00000001 | 5.1      | 5.1      | 1001        |       | internal |                   |                                                                | 2024-03-01 10:00:30.100000+03
  CEL   | LINKEDID_END   | PJSIP/1001-00000001 | 5.1      | 5.1      | 1001        |       | internal |                   |                                                                | 2024-03-01 10:00:30.100000+03
  CEL   | CHAN_END       | PJSIP/1001-00000001 | 5.1      | 5.1      | 1001        |       | internal |                   |                                                                | 2024-03-01 10:00:31.000000+03`;

describe('tracker: CEL events feed the same call model', () => {
  it('CHAN_START of a second channel requests a conversation, ANSWER accepts it, CHAN_END ends it', () => {
    expect(stages(run(CEL_CALL.slice(0, 10)))).toEqual(['conversation_requested', 'conversation_accepted', 'conversation_ended', 'call_ended']);
  });

  it('the call ends at LINKEDID_END, not when its last channel ends', () => {
    expect(stages(run(CEL_CALL.slice(0, 9)))).toEqual(['conversation_requested', 'conversation_accepted', 'conversation_ended']);
  });

  it('EventTime with an offset becomes UTC DateTime; HANGUP extra is kept', () => {
    const conv = callEnded(run(CEL_CALL.slice(0, 10)), '5.1').call.conversations['5.2']!.channel;
    expect([conv.start_time, conv.answer_time, conv.end_time]).toEqual(['2024-03-01 07:00:00', '2024-03-01 07:00:05', '2024-03-01 07:00:30']);
    expect(conv.extra).toEqual({ dialstatus: '', hangupcause: 16, hangupsource: 'PJSIP/1002-00000002' });
  });

  it('MIXMONITOR_START gives the raw recording path', () => {
    expect(callEnded(run(CEL_CALL.slice(0, 10)), '5.1').call.record).toBe('/rec/5.1.wav');
  });

  it('a CEL event after LINKEDID_END is reported once as late', () => {
    expect(run(CEL_CALL).problems.map((p) => p.code)).toEqual(['TRACKER_LATE_EVENT']);
  });

  it('a user-defined XIVO_INCALL row marks the call inbound', () => {
    const marker = { Event: 'CEL', EventName: 'XIVO_INCALL', UniqueID: '5.1', LinkedID: '5.1', Channel: 'PJSIP/1001-00000001' };
    const plain = callEnded(run(CEL_CALL.slice(0, 10)), '5.1').summary.direction;
    const marked = callEnded(run([CEL_CALL[0]!, marker, ...CEL_CALL.slice(1, 10)]), '5.1').summary.direction;
    expect([plain, marked]).toEqual(['internal', 'inbound']);
  });
});
