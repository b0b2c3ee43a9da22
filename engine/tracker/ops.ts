/**
 * The operations every handler (AMI or CEL) performs on the call model, and the stage events they emit.
 * AMI and CEL handlers feed the same model through these, so the stages come out the same from either source.
 */
import type { CallStage } from '../../contracts/index.ts';
import { MAX_GUESSED_TRUNKS, MAX_PHONES, type CallModel, type ChanModel, type StageEvent, type TrackerProblem, type TrackerState } from './model.ts';
import { buildStage } from './build.ts';
import { explainCall } from './explain.ts';
import { endpointKey, inboundContextWhy, isConversationLeg, isInternalNumber, isLocalChannel, isTrunk } from './predicates.ts';

export interface Ctx {
  state: TrackerState;
  call: CallModel;
  /** The DateTime of this event ('' when the event carries none: the call's last known time is used). */
  time: string;
  emitted: StageEvent[];
  problems: TrackerProblem[];
}

export function newCall(linkedid: string): CallModel {
  return { linkedid, chans: new Map(), convs: [], origin: '', originated: false, cel: false, marker: '', record: '', lastTime: '', extra: {}, abandoned: false, firstLeg: '', firstLegRang: false, legUpWhileCallerWaited: false };
}

const UNKNOWN = new Set(['', '<unknown>', '<Unknown>']);

export function known(v: string | undefined): v is string {
  return v !== undefined && !UNKNOWN.has(v);
}

export function now(ctx: Ctx): string {
  return ctx.time || ctx.call.lastTime;
}

/** The channel of this uniqueid, created on first sight (events may start mid-call, after a reconnect). */
export function touchChan(ctx: Ctx, id: string, name: string | undefined): ChanModel {
  let ch = ctx.call.chans.get(id);
  if (!ch) {
    const n = name ?? '';
    ch = {
      id, name: n, num: '', cname: '', exten: '', context: '', start: now(ctx), answer: '', end: '', state: 'ringing', extra: {},
      local: isLocalChannel(n), dialled: false, answered: false, dialStatus: '', cause: 0, connected: '', conv: 0, ownDial: '',
    };
    ctx.call.chans.set(id, ch);
    ctx.state.chanCall.set(id, ctx.call.linkedid);
    if (id === ctx.call.linkedid && ch.local) ctx.call.originated = true;
    // The primary channel (uniqueid == linkedid) of a call not originated through Local is the party that placed it.
    if (id === ctx.call.linkedid && !ch.local && !ctx.call.origin) ctx.call.origin = id;
  } else if (name && !ch.name) {
    ch.name = name;
    ch.local = isLocalChannel(name);
  }
  return ch;
}

export function emit(ctx: Ctx, stage: CallStage, conversationId: string): void {
  const { call, state } = ctx;
  const built = buildStage(call, state.config, conversationId, state);
  const ev: StageEvent = { stage, linkedid: call.linkedid, conversationId, call: built.call, summary: built.summary };
  if (stage === 'call_ended') ev.why = explainCall(call, state.config, state);
  ctx.emitted.push(ev);
}

/** A dialled leg starts ringing: in an originated call the first phone rung is the caller; any other real leg is a conversation. */
export function requestConv(ctx: Ctx, ch: ChanModel): void {
  ch.dialled = true;
  if (ch.conv !== 0) return;
  if (!ch.local && !ctx.call.origin && ctx.call.originated) {
    ctx.call.origin = ch.id;
    return;
  }
  if (isConversationLeg(ch, ctx.call) !== true) return;
  if (ch.state === 'ended') return;
  if (ctx.call.originated && ctx.call.firstLeg === '') decideFirstLeg(ctx, ch);
  openConv(ctx, ch);
}

function openConv(ctx: Ctx, ch: ChanModel): void {
  ch.conv = 1;
  ctx.call.convs.push(ch.id);
  emit(ctx, 'conversation_requested', ch.id);
  // events out of order: the leg was answered before it was seen dialled
  if (ch.answered) {
    ch.conv = 2;
    emit(ctx, 'conversation_accepted', ch.id);
  }
  if (ch.state === 'ended') {
    ch.conv = 3;
    emit(ctx, 'conversation_ended', ch.id);
  }
}

/**
 * An originated call's first leg is the caller (from). It is a conversation too (a phone or line that rang)
 * when it is a line (call-me-now: one conversation per leg that rang), when the PBX rang nothing after it
 * (caco-originate-ctd-caller-rejects), or when it was seen Ringing and the next leg is a phone too; a phone
 * calling an outside number only places the call, as when it dials itself. Decided when the next leg rings, or
 * at the end.
 */
export function decideFirstLeg(ctx: Ctx, next: ChanModel | undefined): void {
  const { call, state } = ctx;
  const first = call.chans.get(call.origin);
  if (!first || first.conv !== 0) return;
  const cfg = state.config;
  if (next === undefined || isTrunk(first, call, cfg, state)) call.firstLeg = 'yes';
  // a phone calling out: its conversation is the outside party (caco-originate-ctd-outbound-answered lists only it)
  else if (isTrunk(next, call, cfg, state)) call.firstLeg = 'no';
  // both phones rang (AMI Ringing); CEL shows no ringing (wazo-cel-originate-recorded lists only the second leg)
  else call.firstLeg = call.firstLegRang ? 'yes' : 'no';
  if (call.firstLeg === 'yes') openConv(ctx, first);
}

/** A phone placed a call showing an internal number: the recording ties its endpoint to that extension. */
export function learnPhone(ctx: Ctx, ch: ChanModel): void {
  const cfg = ctx.state.config;
  if (ch.local || !ch.num || !isInternalNumber(ch.num, cfg) || cfg.trunks.some((re) => re.test(ch.name))) return;
  // a line entering an inbound context is no phone, whatever short number its caller shows (callme: 123)
  if (inboundContextWhy(ch.context, cfg)) return;
  const ep = endpointKey(ch.name);
  if (ctx.state.guessed.has(ep)) return;
  const phones = ctx.state.phones;
  if (!ep || phones.get(ep) === ch.num) return;
  phones.delete(ep);
  phones.set(ep, ch.num);
  if (phones.size > MAX_PHONES) phones.delete(phones.keys().next().value as string);
}

export function answerChan(ctx: Ctx, ch: ChanModel): void {
  if (!ch.answer) ch.answer = now(ctx);
  ch.answered = true;
  if (!ch.local && ch.id !== ctx.call.origin && !ctx.call.legUpWhileCallerWaited) {
    const caller = ctx.call.chans.get(ctx.call.origin);
    if (caller && !caller.answered && caller.state !== 'ended') ctx.call.legUpWhileCallerWaited = true;
  }
  if (ch.state === 'ringing') ch.state = 'talking';
  if (ch.conv === 1) {
    ch.conv = 2;
    emit(ctx, 'conversation_accepted', ch.id);
  }
}

export function endChan(ctx: Ctx, ch: ChanModel): void {
  if (!ch.end) ch.end = now(ctx);
  ch.state = 'ended';
  if (ch.conv === 1 || ch.conv === 2) {
    ch.conv = 3;
    emit(ctx, 'conversation_ended', ch.id);
  }
}

export function allChannelsEnded(call: CallModel): boolean {
  for (const ch of call.chans.values()) if (ch.state !== 'ended') return false;
  return call.chans.size > 0;
}

/** The call is over: end what is still open, emit call_ended, and drop the call from the state. */
export function finishCall(ctx: Ctx): void {
  const { call, state } = ctx;
  if (call.originated && call.firstLeg === '') decideFirstLeg(ctx, undefined);
  for (const id of call.convs) {
    const ch = call.chans.get(id);
    if (ch && ch.conv !== 3) endChan(ctx, ch);
  }
  for (const ch of call.chans.values()) {
    if (!ch.end) ch.end = now(ctx);
    ch.state = 'ended';
  }
  emit(ctx, 'call_ended', '');
  state.calls.delete(call.linkedid);
  for (const id of call.chans.keys()) if (state.chanCall.get(id) === call.linkedid) state.chanCall.delete(id);
  state.ended.set(call.linkedid, false);
  if (state.ended.size > state.config.rememberEnded) state.ended.delete(state.ended.keys().next().value as string);
}

/**
 * A channel known in another call turns up in this one. When it is the only channel of a call that has no
 * conversation (a phone that dialled a pickup code: *8, **202, a BLF key), that call is absorbed: it is
 * dropped without emitting anything (it was never a call of its own), its later events go to this call, and
 * the phone becomes a leg of this call. Otherwise the channel moved (a transfer joined two calls): see moveChannel.
 */
export function adoptChannel(ctx: Ctx, id: string): void {
  const { state, call } = ctx;
  const prevId = state.chanCall.get(id);
  if (prevId === undefined || prevId === call.linkedid) return;
  const prev = state.calls.get(prevId);
  if (prev === undefined) return;
  const ch = prev.chans.get(id);
  if (ch === undefined) return;
  if (prev.origin !== id || prev.convs.length > 0 || prev.chans.size !== 1 || ch.state === 'ended' || call.chans.has(id)) {
    moveChannel({ ...ctx, call: prev }, ctx, id);
    return;
  }
  // as a leg of this call it has not answered yet: its own call's answer was the PBX answering the pickup code
  call.chans.set(id, { ...ch, extra: { ...ch.extra, hookline_absorbed: prevId }, conv: 0, dialled: false, answered: false, answer: '', state: 'ringing' });
  call.extra.picked_up_by = ch.name;
  state.chanCall.set(id, call.linkedid);
  state.calls.delete(prevId);
  state.ended.set(prevId, true);
  state.absorbed.set(prevId, call.linkedid);
  if (state.ended.size > state.config.rememberEnded) state.ended.delete(state.ended.keys().next().value as string);
  if (state.absorbed.size > state.config.rememberEnded) state.absorbed.delete(state.absorbed.keys().next().value as string);
}

/**
 * A channel changed linkedid (Asterisk moves it into the other call when a transfer joins two calls): its
 * conversation ends in the call it leaves and starts (and, if answered, is accepted) in the call it joins.
 * The call it leaves ends if that was its last open channel.
 */
export function moveChannel(from: Ctx, to: Ctx, id: string): void {
  const ch = from.call.chans.get(id);
  if (!ch) return;
  const moved: ChanModel = { ...ch, extra: { ...ch.extra }, conv: 0 };
  if (ch.conv === 1 || ch.conv === 2) {
    ch.conv = 3;
    emit(from, 'conversation_ended', id);
  }
  if (!ch.end) ch.end = now(from);
  ch.state = 'ended';
  ch.extra.hookline_moved_to = to.call.linkedid;
  to.call.chans.set(id, moved);
  from.state.chanCall.set(id, to.call.linkedid);
  if (!moved.local && moved.dialled && moved.state !== 'ended') {
    requestConv(to, moved);
    if (moved.answered && moved.conv === 1) {
      moved.conv = 2;
      emit(to, 'conversation_accepted', id);
    }
  }
  if (!from.call.cel && allChannelsEnded(from.call)) finishCall(from);
}

/**
 * No trunk configured (config.guessTrunks): take this channel's endpoint for a trunk, say so once (a
 * TRACKER_TRUNK_GUESSED problem naming the endpoint and the configuration that makes it explicit). An endpoint
 * the traffic tied to an extension (it placed a call as 201) is a phone and is not taken.
 */
export function guessTrunk(ctx: Ctx, ch: ChanModel, why: string): void {
  const { state } = ctx;
  const cfg = state.config;
  if (!cfg.guessTrunks || ch.local || !ch.name || state.guessed.size >= MAX_GUESSED_TRUNKS) return;
  const ep = endpointKey(ch.name);
  if (state.guessed.has(ep) || state.phones.has(ep) || cfg.trunks.some((re) => re.test(ch.name))) return;
  state.guessed.add(ep);
  ctx.problems.push({
    code: 'TRACKER_TRUNK_GUESSED',
    linkedid: ctx.call.linkedid,
    message: `no trunk is configured: took ${ep} for a trunk (${why}); to say so, set "pbx": {"trunks": ["${ep}"]} in the configuration`,
  });
}
