/**
 * One table per rule of issue 13, each cut from a real capture (STYLE habit 6: the rows as recorded, only the
 * columns the tracker reads; uniqueids without the system-name prefix). cacofonisk captures are MIT
 * (tests/fixtures/ami/unseen/README.md carries the notice); the Wazo CEL rows are GPL and stay in ../shared,
 * so that table is cut from the file at run time and skipped when it is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAmiText } from '../../ami-wire/index.ts';
import { events } from './table.ts';
import { callEnded, runToEnd, stages } from './run.ts';

/** What a PBX owner gives for the cacofonisk platform (../shared/fixtures/ami/README.md, second set). */
const VOIPGRID = { trunks: [/^SIP\/voipgrid-siproute-docker(-|$)/], externalByNumber: false };

function summary(r: ReturnType<typeof runToEnd>, linkedid: string) {
  const s = callEnded(r, linkedid).summary;
  return { direction: s.direction, from: s.from, to: s.to, answered: s.answered, answered_by: s.answered_by, conversations: s.conversations.length, result: s.result };
}

describe('rule: the answerer of a transfer to a ring group is the phone that answered, never the group or the DID', () => {
  // caco-inbound-blind-transfer-to-ringgroup (cacofonisk xfer_blind/xfer_blind_group.json): +31260010001 calls the
  // DID +31150010001; account 150010001 answers (rung with the DID as its number) and blind-transfers to group 401,
  // whose members ring showing 401; 150010003 answers.
  const EVS = events(34)`
    Event         | Channel                                            | Uniqueid       | Linkedid       | ChannelStateDesc | CallerIDNum  | Exten        | DestChannel                                        | DestUniqueid   | DestCallerIDNum | DialStatus | Cause
    Newchannel    | SIP/voipgrid-siproute-docker-00000017              | 1530014341.278 | 1530014341.278 | Down             | +31260010001 | +31150010001 |                                                    |                |                 |            |
    Newstate      | SIP/voipgrid-siproute-docker-00000017              | 1530014341.278 | 1530014341.278 | Ring             | +31260010001 | +31150010001 |                                                    |                |                 |            |
    DialBegin     | SIP/voipgrid-siproute-docker-00000017              | 1530014341.278 | 1530014341.278 | Ring             | +31260010001 | +31150010001 | Local/ID730150@osvpi_route_phoneaccount-0000000c;1 | 1530014341.280 | +31150010001    |            |
    Newchannel    | SIP/150010001-00000018                             | 1530014341.286 | 1530014341.278 | Down             |              | s            |                                                    |                |                 |            |
    DialBegin     | Local/ID730150@osvpi_route_phoneaccount-0000000c;2 | 1530014341.281 | 1530014341.278 | Ring             | +31260010001 | +31150010001 | SIP/150010001-00000018                             | 1530014341.286 | +31150010001    |            |
    Newstate      | SIP/150010001-00000018                             | 1530014341.286 | 1530014341.278 | Ringing          | +31150010001 | +31150010001 |                                                    |                |                 |            |
    Newstate      | SIP/150010001-00000018                             | 1530014341.286 | 1530014341.278 | Up               | +31150010001 | +31150010001 |                                                    |                |                 |            |
    DialEnd       | Local/ID730150@osvpi_route_phoneaccount-0000000c;2 | 1530014341.281 | 1530014341.278 | Ring             | +31260010001 | +31150010001 | SIP/150010001-00000018                             | 1530014341.286 | +31150010001    | ANSWER     |
    DialEnd       | SIP/voipgrid-siproute-docker-00000017              | 1530014341.278 | 1530014341.278 | Ring             | +31260010001 | +31150010001 | Local/ID730150@osvpi_route_phoneaccount-0000000c;1 | 1530014341.280 | +31150010001    | ANSWER     |
    Newstate      | SIP/voipgrid-siproute-docker-00000017              | 1530014341.278 | 1530014341.278 | Up               | +31260010001 | +31150010001 |                                                    |                |                 |            |
    Hangup        | Local/ID730150@osvpi_route_phoneaccount-0000000c;2 | 1530014341.281 | 1530014341.278 | Up               | +31260010001 | onhangup     |                                                    |                |                 |            | 16
    Hangup        | Local/ID730150@osvpi_route_phoneaccount-0000000c;1 | 1530014341.280 | 1530014341.278 | Up               | +31150010001 |              |                                                    |                |                 |            | 16
    BlindTransfer |                                                    |                |                |                  |              |              |                                                    |                |                 |            |
    Hangup        | SIP/150010001-00000018                             | 1530014341.286 | 1530014341.278 | Up               | +31150010001 |              |                                                    |                |                 |            | 16
    DialBegin     | SIP/voipgrid-siproute-docker-00000017              | 1530014341.278 | 1530014341.278 | Up               | +31260010001 | 401          | Local/ID730152@osvpi_route_phoneaccount-0000000d;1 | 1530014347.328 | 401             |            |
    DialBegin     | SIP/voipgrid-siproute-docker-00000017              | 1530014341.278 | 1530014341.278 | Up               | +31260010001 | 401          | Local/ID730151@osvpi_route_phoneaccount-0000000e;1 | 1530014347.333 | 401             |            |
    Newchannel    | SIP/150010002-00000019                             | 1530014347.338 | 1530014341.278 | Down             |              | s            |                                                    |                |                 |            |
    DialBegin     | Local/ID730151@osvpi_route_phoneaccount-0000000e;2 | 1530014347.335 | 1530014341.278 | Ring             | +31260010001 | 401          | SIP/150010002-00000019                             | 1530014347.338 | 401             |            |
    Newchannel    | SIP/150010003-0000001a                             | 1530014347.341 | 1530014341.278 | Down             |              | s            |                                                    |                |                 |            |
    DialBegin     | Local/ID730152@osvpi_route_phoneaccount-0000000d;2 | 1530014347.330 | 1530014341.278 | Ring             | +31260010001 | 401          | SIP/150010003-0000001a                             | 1530014347.341 | 401             |            |
    Newstate      | SIP/150010003-0000001a                             | 1530014347.341 | 1530014341.278 | Ringing          | 401          | 401          |                                                    |                |                 |            |
    Newstate      | SIP/150010002-00000019                             | 1530014347.338 | 1530014341.278 | Ringing          | 401          | 401          |                                                    |                |                 |            |
    Newstate      | SIP/150010003-0000001a                             | 1530014347.341 | 1530014341.278 | Up               | 401          | 401          |                                                    |                |                 |            |
    DialEnd       | Local/ID730152@osvpi_route_phoneaccount-0000000d;2 | 1530014347.330 | 1530014341.278 | Ring             | +31260010001 | 401          | SIP/150010003-0000001a                             | 1530014347.341 | 401             | ANSWER     |
    DialEnd       | SIP/voipgrid-siproute-docker-00000017              | 1530014341.278 | 1530014341.278 | Up               | +31260010001 | 401          | Local/ID730151@osvpi_route_phoneaccount-0000000e;1 | 1530014347.333 | 401             | CANCEL     |
    Hangup        | Local/ID730151@osvpi_route_phoneaccount-0000000e;1 | 1530014347.333 | 1530014341.278 | Ringing          | 401          | 401          |                                                    |                |                 |            | 26
    DialEnd       | Local/ID730151@osvpi_route_phoneaccount-0000000e;2 | 1530014347.335 | 1530014341.278 | Ring             | +31260010001 | 401          | SIP/150010002-00000019                             | 1530014347.338 | 401             | CANCEL     |
    Hangup        | SIP/150010002-00000019                             | 1530014347.338 | 1530014341.278 | Ringing          | 401          | 401          |                                                    |                |                 |            | 26
    DialEnd       | SIP/voipgrid-siproute-docker-00000017              | 1530014341.278 | 1530014341.278 | Up               | +31260010001 | 401          | Local/ID730152@osvpi_route_phoneaccount-0000000d;1 | 1530014347.328 | 401             | ANSWER     |
    Hangup        | Local/ID730151@osvpi_route_phoneaccount-0000000e;2 | 1530014347.335 | 1530014341.278 | Ring             | +31260010001 | onhangup     |                                                    |                |                 |            | 26
    Hangup        | Local/ID730152@osvpi_route_phoneaccount-0000000d;1 | 1530014347.328 | 1530014341.278 | Up               | 401          |              |                                                    |                |                 |            | 16
    Hangup        | Local/ID730152@osvpi_route_phoneaccount-0000000d;2 | 1530014347.330 | 1530014341.278 | Up               | +31260010001 | onhangup     |                                                    |                |                 |            | 16
    Hangup        | SIP/150010003-0000001a                             | 1530014347.341 | 1530014341.278 | Up               | 401          |              |                                                    |                |                 |            | 16
    Hangup        | SIP/voipgrid-siproute-docker-00000017              | 1530014341.278 | 1530014341.278 | Up               | +31260010001 | onhangup     |                                                    |                |                 |            | 16`;

  it('answered by the first phone that answered, by its account; the members rang as conversations', () => {
    const r = runToEnd(EVS, VOIPGRID);
    expect(summary(r, '1530014341.278')).toEqual({
      direction: 'inbound', from: '+31260010001', to: '+31150010001', answered: true, answered_by: '150010001', conversations: 3, result: 200,
    });
  });

  it('the group members are named by their accounts, not by the group number they all showed', () => {
    const s = callEnded(runToEnd(EVS, VOIPGRID), '1530014341.278').summary;
    expect(s.conversations.map((c) => [c.to, c.answered])).toEqual([['150010001', true], ['150010002', false], ['150010003', true]]);
  });

  it('a phone the recording ties to an extension (it placed a call as 201) is named by it', () => {
    // 150010001 calling 202 as 201 earlier on the same PBX (rows as in caco-internal-blind-transfer)
    const before = events(2)`
      Event      | Channel                | Uniqueid  | Linkedid  | ChannelStateDesc | CallerIDNum | Exten
      Newchannel | SIP/150010001-00000001 | 1529998.1 | 1529998.1 | Ring             | 201         | 202
      Hangup     | SIP/150010001-00000001 | 1529998.1 | 1529998.1 | Ring             | 201         |`;
    const r = runToEnd([...before, ...EVS], VOIPGRID);
    expect(summary(r, '1530014341.278').answered_by).toBe('201');
  });
});

describe('rule: a leg rung as one of the configured users\' extensions is that person', () => {
  // caco-internal-answered-ringing-before-dial: 201 calls 202 (accounts 100060001/2); with extensions of six digits
  // (internalNumbers not matching) only `users` says that 202's number is an extension.
  const evs = parseAmiText(readFileSync(join(import.meta.dirname, '../fixtures/ami/unseen/caco-internal-answered-ringing-before-dial.ami'), 'utf8'));
  it('named by its account without users, by the extension with them', () => {
    const cfg = { ...VOIPGRID, internalNumbers: /^\d{2}$/ };
    expect(summary(runToEnd(evs, cfg), 'fc7a1e79d662-1539093894.250').answered_by).toBe('100060002');
    expect(summary(runToEnd(evs, { ...cfg, extensions: new Set(['202']) }), 'fc7a1e79d662-1539093894.250').answered_by).toBe('202');
  });
});

describe('rule: call acceptance refused is a call not answered', () => {
  // caco-inbound-fixed-destination-acceptance-rejected (cacofonisk mobile/acceptance_reject.json): +31150010003 calls
  // +31260010001, forwarded to the outside number +31150010001 whose leg goes Up but does not confirm; the
  // caller's Dial ends NOANSWER and the caller is never Up.
  const EVS = events(15)`
    Event      | Channel                                           | Uniqueid        | Linkedid        | ChannelStateDesc | CallerIDNum  | Exten        | DestChannel                                       | DestUniqueid    | DestCallerIDNum | DialStatus | Cause
    Newchannel | SIP/voipgrid-siproute-docker-00000063             | 1530020018.1761 | 1530020018.1761 | Down             | +31150010003 | +31260010001 |                                                   |                 |                 |            |
    Newstate   | SIP/voipgrid-siproute-docker-00000063             | 1530020018.1761 | 1530020018.1761 | Ring             | +31150010003 | +31260010001 |                                                   |                 |                 |            |
    DialBegin  | SIP/voipgrid-siproute-docker-00000063             | 1530020018.1761 | 1530020018.1761 | Ring             | +31150010003 | +31260010001 | Local/ID3@osvpi_route_fixeddestination-00000040;1 | 1530020018.1763 | +31260010001    |            |
    Newchannel | SIP/voipgrid-siproute-docker-00000064             | 1530020018.1773 | 1530020018.1761 | Down             |              | s            |                                                   |                 |                 |            |
    DialBegin  | Local/+31150010001@world_out-00000041;2           | 1530020018.1771 | 1530020018.1761 | Ring             | +31150010003 | +31150010001 | SIP/voipgrid-siproute-docker-00000064             | 1530020018.1773 | +31150010001    |            |
    Newstate   | SIP/voipgrid-siproute-docker-00000064             | 1530020018.1773 | 1530020018.1761 | Ringing          | +31150010001 | +31150010001 |                                                   |                 |                 |            |
    Newstate   | SIP/voipgrid-siproute-docker-00000064             | 1530020018.1773 | 1530020018.1761 | Up               | +31150010001 | +31150010001 |                                                   |                 |                 |            |
    DialEnd    | Local/+31150010001@world_out-00000041;2           | 1530020018.1771 | 1530020018.1761 | Ring             | +31150010003 | +31150010001 | SIP/voipgrid-siproute-docker-00000064             | 1530020018.1773 | +31150010001    | ANSWER     |
    Hangup     | SIP/voipgrid-siproute-docker-00000064             | 1530020018.1773 | 1530020018.1761 | Up               | +31150010001 |              |                                                   |                 |                 |            | 16
    Hangup     | Local/+31150010001@world_out-00000041;2           | 1530020018.1771 | 1530020018.1761 | Up               | +31150010003 | onhangup     |                                                   |                 |                 |            | 16
    Hangup     | Local/+31150010001@world_out-00000041;1           | 1530020018.1769 | 1530020018.1761 | Up               | +31150010001 |              |                                                   |                 |                 |            | 16
    Hangup     | Local/ID3@osvpi_route_fixeddestination-00000040;2 | 1530020018.1764 | 1530020018.1761 | Ring             | +31150010003 | onhangup     |                                                   |                 |                 |            | 16
    DialEnd    | SIP/voipgrid-siproute-docker-00000063             | 1530020018.1761 | 1530020018.1761 | Ring             | +31150010003 | +31260010001 | Local/ID3@osvpi_route_fixeddestination-00000040;1 | 1530020018.1763 | +31260010001    | NOANSWER   |
    Hangup     | Local/ID3@osvpi_route_fixeddestination-00000040;1 | 1530020018.1763 | 1530020018.1761 | Ringing          | +31260010001 | +31260010001 |                                                   |                 |                 |            | 16
    Hangup     | SIP/voipgrid-siproute-docker-00000063             | 1530020018.1761 | 1530020018.1761 | Ring             | +31150010003 | onhangup     |                                                   |                 |                 |            | 16`;

  it('not answered, whatever the forwarded leg did; the caller\'s Dial status gives the result', () => {
    expect(summary(runToEnd(EVS, VOIPGRID), '1530020018.1761')).toEqual({
      direction: 'inbound', from: '+31150010003', to: '+31260010001', answered: false, answered_by: null, conversations: 1, result: 480,
    });
  });

  it('the same leg confirmed (the caller\'s Dial ends ANSWER, the caller goes Up) is answered, by nobody\'s extension', () => {
    const accepted = EVS.map((e) => (e.DialStatus === 'NOANSWER' ? { ...e, DialStatus: 'ANSWER' } : e));
    accepted.splice(accepted.length - 1, 0, { Event: 'Newstate', Channel: 'SIP/voipgrid-siproute-docker-00000063', Uniqueid: '1530020018.1761', Linkedid: '1530020018.1761', ChannelStateDesc: 'Up' });
    const s = summary(runToEnd(accepted, VOIPGRID), '1530020018.1761');
    expect([s.answered, s.answered_by, s.result]).toEqual([true, null, 200]);
  });
});

describe('rule: a pickup (SIP Replaces) is answered by the phone that picked up', () => {
  // cacofonisk xfer_misc/sip_pickup.json: 201 (account 150010001) calls 202; while 202 rings, 150010003 picks the
  // call up with an INVITE/Replaces: it starts on its own linkedid, Dial reports it as the leg that answered
  // (DestLinkedid still its own), and it is bridged into the caller's call.
  const EVS = events(25)`
    Event       | Channel                                            | Uniqueid       | Linkedid       | ChannelStateDesc | CallerIDNum | Exten | DestChannel                                        | DestUniqueid   | DestLinkedid   | DestCallerIDNum | DialStatus | Cause
    Newchannel  | SIP/150010001-0000001f                             | 1538124863.373 | 1538124863.373 | Down             | 150010001   | 202   |                                                    |                |                |                 |            |
    Newstate    | SIP/150010001-0000001f                             | 1538124863.373 | 1538124863.373 | Ring             | 150010001   | 202   |                                                    |                |                |                 |            |
    NewCallerid | SIP/150010001-0000001f                             | 1538124863.373 | 1538124863.373 | Ring             | 201         | 202   |                                                    |                |                |                 |            |
    DialBegin   | SIP/150010001-0000001f                             | 1538124863.373 | 1538124863.373 | Ring             | 201         | 202   | Local/ID730151@osvpi_route_phoneaccount-0000000d;1 | 1538124863.376 | 1538124863.373 | 202             |            |
    Newchannel  | SIP/150010002-00000020                             | 1538124863.381 | 1538124863.373 | Down             |             | s     |                                                    |                |                |                 |            |
    DialBegin   | Local/ID730151@osvpi_route_phoneaccount-0000000d;2 | 1538124863.377 | 1538124863.373 | Ring             | 201         | 202   | SIP/150010002-00000020                             | 1538124863.381 | 1538124863.373 | 202             |            |
    Newstate    | SIP/150010002-00000020                             | 1538124863.381 | 1538124863.373 | Ringing          | 202         | 202   |                                                    |                |                |                 |            |
    Newchannel  | SIP/150010003-00000021                             | 1538124865.383 | 1538124865.383 | Down             | 150010003   | 201   |                                                    |                |                |                 |            |
    Newstate    | SIP/150010003-00000021                             | 1538124865.383 | 1538124865.383 | Ring             | 150010003   | 201   |                                                    |                |                |                 |            |
    Newstate    | SIP/150010003-00000021                             | 1538124865.383 | 1538124865.383 | Up               | 150010003   | 201   |                                                    |                |                |                 |            |
    DialEnd     | Local/ID730151@osvpi_route_phoneaccount-0000000d;2 | 1538124863.377 | 1538124863.373 | Ring             | 201         | 202   | SIP/150010002-00000020                             | 1538124863.381 | 1538124863.373 | 150010003       | CANCEL     |
    DialBegin   | Local/ID730151@osvpi_route_phoneaccount-0000000d;2 | 1538124863.377 | 1538124863.373 | Ring             | 201         | 202   | SIP/150010003-00000021                             | 1538124865.383 | 1538124865.383 | 150010003       |            |
    Hangup      | SIP/150010002-00000020                             | 1538124863.381 | 1538124863.373 | Ringing          | 202         | 201   |                                                    |                |                |                 |            | 0
    DialEnd     | Local/ID730151@osvpi_route_phoneaccount-0000000d;2 | 1538124863.377 | 1538124863.373 | Ring             | 201         | 202   | SIP/150010003-00000021                             | 1538124865.383 | 1538124865.383 | 150010003       | ANSWER     |
    DialEnd     | SIP/150010001-0000001f                             | 1538124863.373 | 1538124863.373 | Ring             | 201         | 202   | Local/ID730151@osvpi_route_phoneaccount-0000000d;1 | 1538124863.376 | 1538124863.373 | 150010003       | ANSWER     |
    Newstate    | SIP/150010001-0000001f                             | 1538124863.373 | 1538124863.373 | Up               | 201         | 202   |                                                    |                |                |                 |            |
    BridgeEnter | Local/ID730151@osvpi_route_phoneaccount-0000000d;1 | 1538124863.376 | 1538124863.373 | Up               | 150010003   |       |                                                    |                |                |                 |            |
    BridgeEnter | SIP/150010001-0000001f                             | 1538124863.373 | 1538124863.373 | Up               | 201         | 202   |                                                    |                |                |                 |            |
    BridgeEnter | SIP/150010003-00000021                             | 1538124865.383 | 1538124865.383 | Up               | 150010003   |       |                                                    |                |                |                 |            |
    BridgeLeave | SIP/150010003-00000021                             | 1538124865.383 | 1538124863.373 | Up               | 150010003   |       |                                                    |                |                |                 |            |
    BridgeEnter | SIP/150010003-00000021                             | 1538124865.383 | 1538124863.373 | Up               | 150010003   |       |                                                    |                |                |                 |            |
    Hangup      | Local/ID730151@osvpi_route_phoneaccount-0000000d;2 | 1538124863.377 | 1538124863.373 | Up               | 201         |       |                                                    |                |                |                 |            | 16
    Hangup      | Local/ID730151@osvpi_route_phoneaccount-0000000d;1 | 1538124863.376 | 1538124863.373 | Up               | 150010003   |       |                                                    |                |                |                 |            | 16
    Hangup      | SIP/150010003-00000021                             | 1538124865.383 | 1538124863.373 | Up               | 150010003   |       |                                                    |                |                |                 |            | 16
    Hangup      | SIP/150010001-0000001f                             | 1538124863.373 | 1538124863.373 | Up               | 201         | 202   |                                                    |                |                |                 |            | 16`;

  it('one call, to the number dialled, internal, answered by the picking phone; its own call is absorbed', () => {
    const r = runToEnd(EVS, VOIPGRID);
    expect([...new Set(r.emitted.map((e) => e.linkedid))]).toEqual(['1538124863.373']);
    expect(summary(r, '1538124863.373')).toEqual({
      direction: 'internal', from: '201', to: '202', answered: true, answered_by: '150010003', conversations: 2, result: 200,
    });
    expect(callEnded(r, '1538124863.373').call.channel.extra.picked_up_by).toBe('SIP/150010003-00000021');
    // 202 rings; the picker is dialled (Dial reports it) before 202's leg hangs up; the picker answers
    expect(stages(r)).toEqual(['conversation_requested', 'conversation_requested', 'conversation_ended', 'conversation_accepted', 'conversation_ended', 'call_ended']);
  });

  it('the same with no trunk configured: still internal (a phone rung as its own account is no line)', () => {
    const s = summary(runToEnd(EVS, { guessTrunks: true }), '1538124863.373');
    expect([s.direction, s.answered_by]).toEqual(['internal', '150010003']);
  });
});

describe('rule: an originate whose legs are outside lines is outbound; the first leg answering is not the call answered', () => {
  // cacofonisk originate/cmn-world-world-unaccepted.json ("call me now"): the PBX calls +31260010001 first, through
  // the trunk; it answers but does not accept, so the second party is never dialled.
  const EVS = events(12)`
    Event      | Channel                                           | Uniqueid        | Linkedid        | ChannelStateDesc | CallerIDNum  | Exten        | DestChannel                                       | DestUniqueid    | DestLinkedid    | DestCallerIDNum | DialStatus | Cause
    Newchannel | Local/ID400388@osvpi_proc_connectab_cmn-00000047;1 | 1531991990.1529 | 1531991990.1529 | Down             |              | ID400388     |                                                   |                 |                 |                 |            |
    Newchannel | Local/ID400388@osvpi_proc_connectab_cmn-00000047;2 | 1531991990.1530 | 1531991990.1529 | Ring             |              | ID400388     |                                                   |                 |                 |                 |            |
    DialBegin  |                                                   |                 |                 |                  |              |              | Local/ID400388@osvpi_proc_connectab_cmn-00000047;1 | 1531991990.1529 | 1531991990.1529 |                 |            |
    Newchannel | SIP/voipgrid-siproute-docker-00000031             | 1531991990.1544 | 1531991990.1529 | Down             |              | s            |                                                   |                 |                 |                 |            |
    DialBegin  | Local/+31260010001@world_out-00000049;2           | 1531991990.1541 | 1531991990.1529 | Ring             | +31150010001 | +31260010001 | SIP/voipgrid-siproute-docker-00000031             | 1531991990.1544 | 1531991990.1529 | +31260010001    |            |
    Newstate   | SIP/voipgrid-siproute-docker-00000031             | 1531991990.1544 | 1531991990.1529 | Ringing          | +31260010001 | +31260010001 |                                                   |                 |                 |                 |            |
    Newstate   | SIP/voipgrid-siproute-docker-00000031             | 1531991990.1544 | 1531991990.1529 | Up               | +31260010001 | +31260010001 |                                                   |                 |                 |                 |            |
    DialEnd    | Local/+31260010001@world_out-00000049;2           | 1531991990.1541 | 1531991990.1529 | Ring             | +31150010001 | +31260010001 | SIP/voipgrid-siproute-docker-00000031             | 1531991990.1544 | 1531991990.1529 | +31260010001    | ANSWER     |
    Hangup     | Local/+31260010001@world_out-00000049;2           | 1531991990.1541 | 1531991990.1529 | Up               | +31150010001 | onhangup     |                                                   |                 |                 |                 |            | 16
    Hangup     | Local/ID400388@osvpi_proc_connectab_cmn-00000047;1 | 1531991990.1529 | 1531991990.1529 | Up               |              | onhangup     |                                                   |                 |                 |                 |            | 16
    Hangup     | SIP/voipgrid-siproute-docker-00000031             | 1531991990.1544 | 1531991990.1529 | Up               | +31260010001 |              |                                                   |                 |                 |                 |            | 16
    Hangup     | Local/ID400388@osvpi_proc_connectab_cmn-00000047;2 | 1531991990.1530 | 1531991990.1529 | Up               | +31150010001 | onhangup     |                                                   |                 |                 |                 |            | 16`;

  it('outbound, from the number rung first, one conversation (the leg that rang), not answered', () => {
    const r = runToEnd(EVS, VOIPGRID);
    expect(summary(r, '1531991990.1529')).toEqual({
      direction: 'outbound', from: '+31260010001', to: '', answered: false, answered_by: null, conversations: 1, result: 480,
    });
    expect(stages(r)).toEqual(['conversation_requested', 'conversation_accepted', 'conversation_ended', 'call_ended']);
  });

  it('accepted, the second party rung and answering (rows modelled on the same capture): two conversations, answered by nobody\'s extension', () => {
    // the second leg as the first one was dialled (Local world_out half -> the trunk), before the hangups
    const second = events(5)`
      Event      | Channel                                 | Uniqueid        | Linkedid        | ChannelStateDesc | CallerIDNum  | Exten        | DestChannel                           | DestUniqueid    | DestLinkedid    | DestCallerIDNum | DialStatus | Cause
      Newchannel | SIP/voipgrid-siproute-docker-00000032   | 1531991990.1560 | 1531991990.1529 | Down             |              | s            |                                       |                 |                 |                 |            |
      DialBegin  | Local/+31150010001@world_out-0000004a;2 | 1531991990.1557 | 1531991990.1529 | Ring             | +31260010001 | +31150010001 | SIP/voipgrid-siproute-docker-00000032 | 1531991990.1560 | 1531991990.1529 | +31150010001    |            |
      Newstate   | SIP/voipgrid-siproute-docker-00000032   | 1531991990.1560 | 1531991990.1529 | Ringing          | +31150010001 | +31150010001 |                                       |                 |                 |                 |            |
      Newstate   | SIP/voipgrid-siproute-docker-00000032   | 1531991990.1560 | 1531991990.1529 | Up               | +31150010001 | +31150010001 |                                       |                 |                 |                 |            |
      Hangup     | SIP/voipgrid-siproute-docker-00000032   | 1531991990.1560 | 1531991990.1529 | Up               | +31150010001 |              |                                       |                 |                 |                 |            | 16`;
    const hangup = { Event: 'Hangup', Channel: 'Local/+31150010001@world_out-0000004a;2', Uniqueid: '1531991990.1557', Linkedid: '1531991990.1529', Cause: '16' };
    const r = runToEnd([...EVS.slice(0, 8), ...second, hangup, ...EVS.slice(8)], VOIPGRID);
    expect(summary(r, '1531991990.1529')).toEqual({
      direction: 'outbound', from: '+31260010001', to: '+31150010001', answered: true, answered_by: null, conversations: 2, result: 200,
    });
  });
});

const SHARED = join(import.meta.dirname, '../../../shared/fixtures/ami/wazo-cel-queue-call-intercepted.ami');

describe('rule (CEL): a queue call intercepted by another agent is answered by the interceptor', () => {
  // wazo-call-logd test_recording_from_interception (GPL: cut from ../shared at run time): 8000 calls queue 9201;
  // agent 8001 rings; 8002 dials *88001 (its own linkedid) and Pickup() takes the ringing leg.
  const there = existsSync(SHARED);
  it.skipIf(!there)(`one call, answered by 8002; the interceptor's own call is not a call${there ? '' : ' (skipped: ../shared/fixtures/ami is not there)'}`, () => {
    const cols = ['Event', 'EventName', 'EventTime', 'UniqueID', 'LinkedID', 'Channel', 'CallerIDnum', 'Exten', 'Context', 'Application', 'AppData', 'Extra'];
    const evs = parseAmiText(readFileSync(SHARED, 'utf8')).map((e) => Object.fromEntries(cols.filter((k) => e[k] !== undefined).map((k) => [k, e[k]!])));
    const r = runToEnd(evs, { inboundContexts: ['from-extern', 'default-key-4wfgx-from-extern'] });
    expect([...new Set(r.emitted.map((e) => e.linkedid))]).toEqual(['1685545870.86']);
    expect(summary(r, '1685545870.86')).toEqual({
      direction: 'internal', from: '8000', to: '9201', answered: true, answered_by: '8002', conversations: 2, result: 200,
    });
    expect(callEnded(r, '1685545870.86').call.channel.extra.picked_up_by).toBe('PJSIP/rNXlGVeY-00000056');
  });

  it.skipIf(!there)(`a group pickup (Pickup() with no argument) takes the only call ringing${there ? '' : ' (skipped: ../shared/fixtures/ami is not there)'}`, () => {
    const evs = parseAmiText(readFileSync(SHARED, 'utf8')).map((e) => (e.Application === 'Pickup' ? { ...e, AppData: '' } : e));
    const r = runToEnd(evs, { inboundContexts: ['from-extern', 'default-key-4wfgx-from-extern'] });
    expect([...new Set(r.emitted.map((e) => e.linkedid))]).toEqual(['1685545870.86']);
    expect(summary(r, '1685545870.86').answered_by).toBe('8002');
  });
});
