/**
 * Builds the call_full of a moment and the summary the CLI prints, from the call model. Objects are written
 * with their keys in alphabetical order (call_full.md: equal calls serialize to equal bytes), and are fresh
 * copies: an emitted call_full never changes when the call goes on.
 */
import { UNSET_TIME, type CallFull, type Channel, type Conversation, type Party, type Trunk } from '../../contracts/index.ts';
import type { CallModel, CallSummary, ChanModel, Direction, TrackerConfig } from './model.ts';
import { directionOf, isInternalNumber, isTrunkChannel } from './predicates.ts';
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

interface Ends {
  direction: Direction;
  origin: ChanModel | undefined;
  from: string;
  fromName: string;
  to: string;
  trunkChan: ChanModel | undefined;
}

function firstConv(call: CallModel): ChanModel | undefined {
  return call.chans.get(call.convs[0] ?? '');
}

function callerOf(call: CallModel): ChanModel | undefined {
  return call.chans.get(call.origin) ?? call.chans.get(call.linkedid) ?? call.chans.values().next().value;
}

function endsOf(call: CallModel, cfg: TrackerConfig): Ends {
  const direction = directionOf(call, cfg);
  const origin = callerOf(call);
  let trunkChan: ChanModel | undefined;
  let to = '';
  if (direction === 'outbound') {
    for (const id of call.convs) {
      const ch = call.chans.get(id);
      if (ch && isTrunkChannel(ch, call, cfg) === true) {
        trunkChan = ch;
        break;
      }
    }
    to = trunkChan?.num || origin?.exten || '';
  } else {
    if (direction === 'inbound' && origin && isTrunkChannel(origin, call, cfg) === true) trunkChan = origin;
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
      local: false, dialled: false, answered: false, dialStatus: '', cause: 0, connected: '', conv: 0,
    }
  );
}

export function buildCallFull(call: CallModel, cfg: TrackerConfig, activeId: string): CallFull {
  const e = endsOf(call, cfg);
  const trunk = trunkOf(e);
  const conversations: Record<string, Conversation> = {};
  for (const id of [...call.convs].sort()) {
    const ch = call.chans.get(id);
    if (!ch) continue;
    conversations[id] = { channel: channelOf(ch, call, e, party(ch.num, ch.cname, cfg), trunk, cfg), is_parked: false, user: null };
  }
  const primary = primaryOf(call);
  const extra = { ...primary.extra, ...call.extra };
  const channel = channelOf({ ...primary, extra }, call, e, party(e.to, '', cfg), trunk, cfg);
  const answered = call.convs.some((id) => call.chans.get(id)?.answered);
  return {
    active_conversation_id: activeId,
    channel,
    conversations,
    deal: null,
    entity: null,
    is_ivr: e.direction === 'inbound' && !answered && call.convs.length === 0,
    record: call.record,
    registration: null,
    result: resultOf(call),
  };
}

export function summarizeModel(call: CallModel, cfg: TrackerConfig): CallSummary {
  const e = endsOf(call, cfg);
  let answeredBy: string | null = null;
  const conversations: CallSummary['conversations'] = [];
  for (const id of call.convs) {
    const ch = call.chans.get(id);
    if (!ch) continue;
    const answered = ch.answered;
    if (answered && answeredBy === null) answeredBy = ch.num;
    conversations.push({ id, from: e.from, to: ch.num, answered, start_time: t(ch.start), answer_time: t(ch.answer), end_time: t(ch.end) });
  }
  return {
    linkedid: call.linkedid,
    direction: e.direction,
    from: e.from,
    to: e.to,
    answered: answeredBy !== null,
    answered_by: answeredBy,
    conversations,
    result: resultOf(call),
    trunk: e.trunkChan ? endpointOf(e.trunkChan.name) : null,
  };
}
