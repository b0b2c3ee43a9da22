/**
 * track(state, event) -> { state, emitted, problems }: follows every call by linkedid.
 *
 * Pure in what it reads and returns (no I/O, no clock, no randomness: times come from the events), but the
 * state is threaded linearly: `track` updates the maps inside the state it is given and returns that same
 * state. Copying 10,000 calls per event would cost O(calls) per event; callers must use the returned state
 * and never replay an old one (engine/calls/follow-calls.ts does exactly that).
 */
import { header, type AmiMessage } from '../../ami-wire/index.ts';
import { AMI_HANDLERS, AMI_OPENERS, touchFromEvent, type Handler } from './ami-handlers.ts';
import { CEL_HANDLERS, CEL_OPENERS, markerHandler } from './cel-handlers.ts';
import { DEFAULT_TRACKER_CONFIG, type StageEvent, type TrackerConfig, type TrackerProblem, type TrackerState, type TrackResult } from './model.ts';
import { adoptChannel, finishCall, newCall, type Ctx } from './ops.ts';
import { eventTime } from './time.ts';
import { KNOWN_EVENT, learnKnown } from './known.ts';

export function initialState(config?: Partial<TrackerConfig>): TrackerState {
  const cfg: TrackerConfig = { ...DEFAULT_TRACKER_CONFIG, ...config };
  // Trunks named: only they (and callers entering an inbound context) are external, unless said otherwise.
  if (config?.externalByNumber === undefined) cfg.externalByNumber = config?.trunks === undefined;
  return { config: cfg, calls: new Map(), chanCall: new Map(), ended: new Map(), absorbed: new Map(), phones: new Map(), guessed: new Set() };
}

function linkedidOf(ev: AmiMessage, name: string, cel: boolean, state: TrackerState): string {
  if (cel) return header(ev, 'LinkedID') ?? header(ev, 'Linkedid') ?? '';
  // Pickup names the picking phone (its own call so far) and, as Target*, the ringing leg it takes over.
  if (name === 'Pickup') return header(ev, 'TargetLinkedid') || state.chanCall.get(header(ev, 'TargetUniqueid') ?? '') || '';
  return (
    header(ev, 'Linkedid') ||
    header(ev, 'DestLinkedid') ||
    header(ev, 'TransfererLinkedid') ||
    header(ev, 'OrigTransfererLinkedid') ||
    state.chanCall.get(header(ev, 'Uniqueid') ?? '') ||
    ''
  );
}

/** A copy of `s` that shares no storage with the string it was cut from (V8 bug 2869's known workaround). */
function ownCopy(s: string): string {
  return (' ' + s).slice(1);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function track(state: TrackerState, event: AmiMessage): TrackResult {
  const emitted: StageEvent[] = [];
  const problems: TrackerProblem[] = [];
  const cel = header(event, 'Event') === 'CEL';
  const name = (cel ? header(event, 'EventName') : header(event, 'Event')) ?? '';
  const cfg = state.config;
  if (!cel && name === KNOWN_EVENT) {
    learnKnown(state, event);
    return { state, emitted, problems };
  }
  const handler: Handler | undefined = cel ? (CEL_HANDLERS[name] ?? markerHandler(name, cfg.inboundMarkers, cfg.outboundMarkers)) : AMI_HANDLERS[name];
  if (!handler) return { state, emitted, problems };
  let linkedid = linkedidOf(event, name, cel, state);
  if (!linkedid) return { state, emitted, problems };
  const into = state.absorbed.get(linkedid);
  if (into !== undefined && state.calls.has(into)) {
    // the absorbed call's own end (CEL) is not the end of the call that absorbed it
    if (name === 'LINKEDID_END') return { state, emitted, problems };
    linkedid = into;
  }

  let call = state.calls.get(linkedid);
  if (!call) {
    const lateReported = state.ended.get(linkedid);
    if (lateReported !== undefined) {
      if (!lateReported) {
        state.ended.set(linkedid, true);
        problems.push({ code: 'TRACKER_LATE_EVENT', linkedid, message: `${name} arrived after call ${linkedid} ended; ignored (later ones are ignored silently)` });
      }
      return { state, emitted, problems };
    }
    // The linkedid outlives the call (`ended`, `absorbed`, and downstream the outbox): kept as read, this slice
    // of the AMI chunk's text would keep the whole chunk (V8 keeps a substring's parent), up to 64 KiB.
    call = newCall(ownCopy(linkedid));
    state.calls.set(call.linkedid, call);
    if (!(cel ? CEL_OPENERS : AMI_OPENERS).has(name)) {
      call.extra.hookline_joined = 'midcall';
      problems.push({ code: 'TRACKER_UNKNOWN_CALL', linkedid, message: `first event seen for call ${linkedid} is ${name}, not its start; followed from here` });
    }
  }
  if (cel) call.cel = true;
  const ctx: Ctx = { state, call, time: eventTime(header(event, cel ? 'EventTime' : 'Timestamp'), cfg.timezone), emitted, problems };
  if (ctx.time) call.lastTime = ctx.time;
  try {
    if (!cel) followMove(ctx, header(event, 'Uniqueid'));
    if (!cel) touchFromEvent(ctx, event);
    handler(ctx, event);
  } catch (e) {
    closeBroken(ctx, `${name}: ${errorText(e)}`);
  }
  return { state, emitted, problems };
}

/** The event names a channel we know in another call: it moved here (transfer), or picked this call up. */
function followMove(ctx: Ctx, id: string | undefined): void {
  if (id) adoptChannel(ctx, id);
}

/** One call's handler failed: close that call as best known, flagged, so it still registers; the others go on. */
function closeBroken(ctx: Ctx, message: string): void {
  const { call, state } = ctx;
  ctx.problems.push({ code: 'TRACKER_HANDLER_FAILED', linkedid: call.linkedid, message: `call ${call.linkedid} closed after a handler failed: ${message}` });
  call.extra.hookline_error = message;
  try {
    finishCall(ctx);
  } catch (e) {
    // Even its call_full could not be built: drop it rather than keep a broken call in the state.
    ctx.problems.push({ code: 'TRACKER_HANDLER_FAILED', linkedid: call.linkedid, message: `call ${call.linkedid} dropped, call_ended could not be built: ${errorText(e)}` });
    state.calls.delete(call.linkedid);
    for (const id of call.chans.keys()) state.chanCall.delete(id);
    state.ended.set(call.linkedid, false);
  }
}

/**
 * After an AMI reconnect: every call none of whose open channels is in `liveChannelIds` (uniqueids Asterisk
 * still reports) is closed, flagged `extra.hookline_closed_by = 'resync'`, and emitted so it still registers.
 * `at` is the DateTime to record as the end (default: the call's last known time).
 */
export function closeMissing(state: TrackerState, liveChannelIds: ReadonlySet<string>, at?: string): TrackResult {
  const emitted: StageEvent[] = [];
  const problems: TrackerProblem[] = [];
  for (const call of [...state.calls.values()]) {
    let alive = false;
    for (const ch of call.chans.values()) if (ch.state !== 'ended' && liveChannelIds.has(ch.id)) alive = true;
    if (alive) continue;
    call.extra.hookline_closed_by = 'resync';
    const ctx: Ctx = { state, call, time: at ?? '', emitted, problems };
    problems.push({ code: 'TRACKER_RESYNC_CLOSED', linkedid: call.linkedid, message: `call ${call.linkedid} has no live channel after the reconnect; closed` });
    try {
      finishCall(ctx);
    } catch (e) {
      closeBroken(ctx, `resync: ${errorText(e)}`);
    }
  }
  return { state, emitted, problems };
}

/**
 * After an AMI reconnect, for the calls `closeMissing` left open (they still have a live channel): each of their
 * channels that is not in `liveChannelIds` hung up while AMI was down. It is ended as by its missed Hangup, at
 * `timestamp` (AMI Timestamp, epoch seconds), and flagged `extra.hookline_closed_by = 'resync'`; a call whose
 * last live channel hangs up later then ends as usual, instead of waiting for that channel for ever.
 */
export function endMissingChannels(state: TrackerState, liveChannelIds: ReadonlySet<string>, timestamp: string): TrackResult {
  const emitted: StageEvent[] = [];
  const problems: TrackerProblem[] = [];
  for (const call of [...state.calls.values()]) {
    for (const ch of [...call.chans.values()]) {
      if (ch.state === 'ended' || liveChannelIds.has(ch.id)) continue;
      ch.extra.hookline_closed_by = 'resync';
      problems.push({ code: 'TRACKER_RESYNC_CLOSED', linkedid: call.linkedid, message: `channel ${ch.name} of call ${call.linkedid} hung up while AMI was down; ended` });
      const r = track(state, { Event: 'Hangup', Uniqueid: ch.id, Linkedid: call.linkedid, Channel: ch.name, Timestamp: timestamp });
      emitted.push(...r.emitted);
      problems.push(...r.problems);
    }
  }
  return { state, emitted, problems };
}
