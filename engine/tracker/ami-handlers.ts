/**
 * One small handler per AMI event type the tracker reads. Every handler receives the event after the
 * channel it names has been touched (see `touchFromEvent`); events with no handler leave the state unchanged.
 */
import { header, type AmiMessage } from '../../ami-wire/index.ts';
import { adoptChannel, allChannelsEnded, answerChan, endChan, finishCall, guessTrunk, known, learnPhone, now, requestConv, touchChan, type Ctx } from './ops.ts';
import { callsFromOutside, dialStringCarries, inboundContextWhy } from './predicates.ts';

export type Handler = (ctx: Ctx, ev: AmiMessage) => void;

function num(v: string | undefined): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/** Caller ID, connected line and context of the channel named by the event's `Uniqueid`/`Channel`. */
export function touchFromEvent(ctx: Ctx, ev: AmiMessage): void {
  const id = header(ev, 'Uniqueid');
  if (!id) return;
  const ch = touchChan(ctx, id, header(ev, 'Channel'));
  const n = header(ev, 'CallerIDNum');
  if (known(n) && n !== ch.num) {
    ch.num = n;
    // the caller shows its own number: 150010001 placing a call as 201 is extension 201 (its first event,
    // Newchannel, learns once its context is read)
    if (ch.id === ctx.call.origin && ch.context) learnPhone(ctx, ch);
  }
  const nm = header(ev, 'CallerIDName');
  if (known(nm)) ch.cname = nm;
  const c = header(ev, 'ConnectedLineNum');
  if (known(c)) ch.connected = c;
}

function destOf(ctx: Ctx, ev: AmiMessage) {
  const id = header(ev, 'DestUniqueid');
  if (!id) return undefined;
  // A pickup: Dial reports the phone that picked up (its own call so far) as the leg it dialled.
  adoptChannel(ctx, id);
  const ch = touchChan(ctx, id, header(ev, 'DestChannel'));
  const n = header(ev, 'DestCallerIDNum');
  if (known(n) && !ch.num) ch.num = n;
  return ch;
}

const Newchannel: Handler = (ctx, ev) => {
  const ch = touchChan(ctx, header(ev, 'Uniqueid') ?? '', header(ev, 'Channel'));
  ch.start = now(ctx);
  const exten = header(ev, 'Exten');
  if (known(exten) && exten !== 's') ch.exten = exten;
  ch.context = header(ev, 'Context') ?? '';
  if (ctx.state.config.guessTrunks && !ch.local) {
    const why = inboundContextWhy(ch.context, ctx.state.config);
    if (why) guessTrunk(ctx, ch, why);
  }
  // A real channel that starts already ringing in (not Down) is a phone or line that placed a call.
  if (!ctx.call.origin && !ch.local && !ctx.call.originated && header(ev, 'ChannelStateDesc') !== 'Down') ctx.call.origin = ch.id;
  if (ch.id === ctx.call.origin && !ctx.call.originated && ctx.state.config.guessTrunks && callsFromOutside(ch, ctx.state.config)) {
    guessTrunk(ctx, ch, `it placed a call from the outside number ${ch.num}`);
  }
  if (ch.id === ctx.call.origin) learnPhone(ctx, ch);
};

const Newstate: Handler = (ctx, ev) => {
  const ch = ctx.call.chans.get(header(ev, 'Uniqueid') ?? '');
  if (!ch) return;
  const st = header(ev, 'ChannelStateDesc');
  if (st === 'Up') answerChan(ctx, ch);
  else if (st === 'Ringing' && ch.id === ctx.call.origin && ctx.call.originated) ctx.call.firstLegRang = true;
};

const DialBegin: Handler = (ctx, ev) => {
  // a phone that dials shows its own number (a consult call's caller included)
  const caller = ctx.call.chans.get(header(ev, 'Uniqueid') ?? '');
  if (caller && !caller.local) learnPhone(ctx, caller);
  const dest = destOf(ctx, ev);
  if (!dest) return;
  if (ctx.state.config.guessTrunks && !dest.local) {
    const dialString = header(ev, 'DialString') ?? '';
    if (dialStringCarries(dialString, dest.num, dest.name, ctx.state.config)) guessTrunk(ctx, dest, `it was dialled as "${dialString}", the outside number ${dest.num} in its dial string`);
  }
  requestConv(ctx, dest);
};

const DialEnd: Handler = (ctx, ev) => {
  const dest = destOf(ctx, ev);
  if (!dest) return;
  const status = header(ev, 'DialStatus') ?? '';
  // the caller's own Dial outcome (call acceptance: NOANSWER while a leg went Up); one ANSWER is enough
  const caller = ctx.call.chans.get(header(ev, 'Uniqueid') ?? '');
  if (caller && status && caller.ownDial !== 'ANSWER') caller.ownDial = status;
  dest.dialStatus = status;
  dest.extra.dialstatus = status;
  if (status === 'ANSWER') answerChan(ctx, dest);
};

const BridgeEnter: Handler = (ctx, ev) => {
  const ch = ctx.call.chans.get(header(ev, 'Uniqueid') ?? '');
  if (ch && ch.conv === 1) answerChan(ctx, ch);
};

const Hangup: Handler = (ctx, ev) => {
  const ch = ctx.call.chans.get(header(ev, 'Uniqueid') ?? '');
  if (!ch) return;
  ch.cause = num(header(ev, 'Cause'));
  ch.extra.hangupcause = ch.cause;
  endChan(ctx, ch);
  if (!ctx.call.cel && allChannelsEnded(ctx.call)) finishCall(ctx);
};

function countTransfer(kind: string): Handler {
  return (ctx, ev) => {
    const n = typeof ctx.call.extra.transfers === 'number' ? ctx.call.extra.transfers : 0;
    ctx.call.extra.transfers = n + 1;
    ctx.call.extra.last_transfer = `${kind}:${header(ev, 'Result') ?? ''}`;
  };
}

const QueueCallerAbandon: Handler = (ctx) => {
  ctx.call.abandoned = true;
};

/**
 * A phone picked up a ringing leg of this call (Pickup/PickupChan, *8, **ext, BLF). The event is read in the
 * target's call (TargetLinkedid); the picking phone, already adopted by track (its own call absorbed), becomes
 * a conversation of this call, answered: it is who answered. Dial's DialBegin/DialEnd ANSWER to the picker,
 * when they follow, find the conversation already there.
 */
const Pickup: Handler = (ctx, ev) => {
  const ch = ctx.call.chans.get(header(ev, 'Uniqueid') ?? '');
  if (!ch) return;
  ctx.call.extra.picked_up_by = ch.name;
  const target = ctx.call.chans.get(header(ev, 'TargetUniqueid') ?? '');
  if (target) target.extra.picked_up_by = ch.name;
  requestConv(ctx, ch);
  answerChan(ctx, ch);
};

/** MixMonitor's file name, as the dialplan sets it (MIXMONITOR_FILENAME) — the raw path; the registrar makes the link. */
const VarSet: Handler = (ctx, ev) => {
  if (header(ev, 'Variable') === 'MIXMONITOR_FILENAME') ctx.call.record = header(ev, 'Value') ?? ctx.call.record;
};

const Newexten: Handler = (ctx, ev) => {
  if (header(ev, 'Application') === 'MixMonitor' && !ctx.call.record) ctx.call.record = (header(ev, 'AppData') ?? '').split(',')[0] ?? '';
};

const noop: Handler = () => {};

export const AMI_HANDLERS: Record<string, Handler> = {
  Newchannel,
  Newstate,
  NewCallerid: noop,
  NewConnectedLine: noop,
  DialBegin,
  DialEnd,
  BridgeEnter,
  BridgeLeave: noop,
  Hangup,
  BlindTransfer: countTransfer('blind'),
  AttendedTransfer: countTransfer('attended'),
  Pickup,
  QueueCallerAbandon,
  VarSet,
  Newexten,
};

/** Events that may open a call (others, for a linkedid never seen, mean we joined mid-call). */
export const AMI_OPENERS = new Set(['Newchannel']);
