/**
 * Builds the call_full of a moment and the summary the CLI prints, from the call model. Objects are written
 * with their keys in alphabetical order (call_full.md: equal calls serialize to equal bytes), and are fresh
 * copies: an emitted call_full never changes when the call goes on.
 */
import { UNSET_TIME, type CallFull, type Channel, type Conversation, type Party, type Trunk } from '../../contracts/index.ts';
import type { CallModel, CallSummary, ChanModel, Direction, TrackerConfig } from './model.ts';
import { answeringLeg, directionOf, isInternalNumber, isTrunk, NOTHING_KNOWN, partyOf, type Known } from './predicates.ts';
import { resultOf } from './result.ts';

const TYPE_OF: Record<Direction, Channel['type']> = { internal: 'local', inbound: 'incoming', outbound: 'outgoing' };

function t(s: string): string {
  return s || UNSET_TIME;
}

function sortedExtra(extra: Record<string, string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const k of Object.keys(extra).sort()) out[k] = extra[k] as string | number;
  return out;
}

function party(number: string, name: string, cfg: TrackerConfig): Party {
  return { is_internal: isInternalNumber(number, cfg), name, number };
}

/** "SIP/voipgrid-siproute-docker-00000016" -> "voipgrid-siproute-docker". */
export function endpointOf(name: string): string {
  const slash = name.indexOf('/');
  const rest = slash >= 0 ? name.slice(slash + 1) : name;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? rest.slice(0, dash) : rest;
}

export interface Ends {
  direction: Direction;
  origin: ChanModel | undefined;
  from: string;
  fromName: string;
  to: string;
  trunkChan: ChanModel | undefined;
}

/** The first leg rung for the caller (an originate's first leg is the caller itself). */
function firstConv(call: CallModel): ChanModel | undefined {
  for (const id of call.convs) if (id !== call.origin) return call.chans.get(id);
  return undefined;
}

function callerOf(call: CallModel): ChanModel | undefined {
  return call.chans.get(call.origin) ?? call.chans.get(call.linkedid) ?? call.chans.values().next().value;
}

export function endsOf(call: CallModel, cfg: TrackerConfig, known: Known): Ends {
  const direction = directionOf(call, cfg, known);
  const origin = callerOf(call);
  let trunkChan: ChanModel | undefined;
  let to = '';
  if (direction === 'outbound') {
    for (const id of call.convs) {
      const ch = call.chans.get(id);
      // the first leg of an originate is the caller, even when it is a line (call-me-now)
      if (ch && ch.id !== call.origin && isTrunk(ch, call, cfg, known)) {
        trunkChan = ch;
        break;
      }
    }
    to = trunkChan?.num || origin?.exten || '';
  } else {
    if (direction === 'inbound' && origin && isTrunk(origin, call, cfg, known)) trunkChan = origin;
    to = origin?.exten || firstConv(call)?.num || '';
  }
  return { direction, origin, from: origin?.num ?? '', fromName: origin?.cname ?? '', to, trunkChan };
}

function trunkOf(e: Ends): Trunk | null {
  if (!e.trunkChan) return null;
  return { name: endpointOf(e.trunkChan.name), number: e.direction === 'inbound' ? e.to : e.trunkChan.connected };
}

function channelOf(ch: ChanModel, call: CallModel, e: Ends, to: Party, trunk: Trunk | null, cfg: TrackerConfig): Channel {
  return {
    answer_time: t(ch.answer),
    end_time: t(ch.end),
    extra: sortedExtra(ch.extra),
    from: party(e.from, e.fromName, cfg),
    id: ch.id,
    is_primary: ch.id === call.linkedid,
    name: ch.name,
    start_time: t(ch.start),
    state: ch.state,
    to,
    trunk,
    type: TYPE_OF[e.direction],
    was_answered: ch.answered,
  };
}

function primaryOf(call: CallModel): ChanModel {
  return (
    call.chans.get(call.linkedid) ??
    callerOf(call) ?? {
      id: call.linkedid, name: '', num: '', cname: '', exten: '', context: '', start: '', answer: '', end: '', state: 'ended', extra: {},
      local: false, dialled: false, answered: false, dialStatus: '', cause: 0, connected: '', conv: 0, ownDial: '',
    }
  );
}

/** What both call_full and the summary need, computed once per stage. */
interface View {
  e: Ends;
  /** partyOf per conversation (null: an outside line). */
  parties: Map<string, string | null>;
  leg: ChanModel | undefined;
  result: number;
}

function viewOf(call: CallModel, cfg: TrackerConfig, known: Known): View {
  const parties = new Map<string, string | null>();
  for (const id of call.convs) {
    const ch = call.chans.get(id);
    if (ch) parties.set(id, partyOf(ch, call, cfg, known));
  }
  const leg = answeringLeg(call);
  return { e: endsOf(call, cfg, known), parties, leg, result: resultOf(call, leg) };
}

/** The call_full of this moment and its summary (the CLI's line), from one view of the model. */
export function buildStage(call: CallModel, cfg: TrackerConfig, activeId: string, known: Known = NOTHING_KNOWN): { call: CallFull; summary: CallSummary } {
  const v = viewOf(call, cfg, known);
  return { call: callFullOf(call, cfg, activeId, v), summary: summaryOf(call, v) };
}

/** The party a leg rang: a phone by its extension or account (internal), a line by the number it was dialled as. */
function legParty(ch: ChanModel, who: string | null | undefined, cfg: TrackerConfig): Party {
  return who == null ? party(ch.num, ch.cname, cfg) : { is_internal: true, name: ch.cname, number: who };
}

function callFullOf(call: CallModel, cfg: TrackerConfig, activeId: string, v: View): CallFull {
  const { e } = v;
  const trunk = trunkOf(e);
  const conversations: Record<string, Conversation> = {};
  for (const id of [...call.convs].sort()) {
    const ch = call.chans.get(id);
    if (!ch) continue;
    conversations[id] = { channel: channelOf(ch, call, e, legParty(ch, v.parties.get(id), cfg), trunk, cfg), is_parked: false, user: null };
  }
  const primary = primaryOf(call);
  const extra = { ...primary.extra, ...call.extra };
  const channel = channelOf({ ...primary, extra }, call, e, party(e.to, '', cfg), trunk, cfg);
  return {
    active_conversation_id: activeId,
    channel,
    conversations,
    deal: null,
    entity: null,
    is_ivr: e.direction === 'inbound' && v.leg === undefined && call.convs.length === 0,
    record: call.record,
    registration: null,
    result: v.result,
  };
}

function summaryOf(call: CallModel, v: View): CallSummary {
  const { e, leg } = v;
  const conversations: CallSummary['conversations'] = [];
  for (const id of call.convs) {
    const ch = call.chans.get(id);
    if (!ch) continue;
    conversations.push({ id, from: e.from, to: v.parties.get(id) ?? ch.num, answered: ch.answered, start_time: t(ch.start), answer_time: t(ch.answer), end_time: t(ch.end) });
  }
  return {
    linkedid: call.linkedid,
    direction: e.direction,
    from: e.from,
    to: e.to,
    answered: leg !== undefined,
    // the phone that answered; an outside party (a trunk leg) is nobody's extension
    answered_by: leg ? (v.parties.get(leg.id) ?? null) : null,
    conversations,
    result: v.result,
    trunk: e.trunkChan ? endpointOf(e.trunkChan.name) : null,
  };
}
