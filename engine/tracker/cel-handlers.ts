/**
 * One small handler per CEL event (AMI `Event: CEL`, the rows the modelled connector reads from the cel
 * table). They feed the same call model as the AMI handlers; a call fed by CEL ends at LINKEDID_END.
 */
import { header, type AmiMessage } from '../../ami-wire/index.ts';
import { adoptChannel, answerChan, endChan, finishCall, guessTrunk, known, learnPhone, now, requestConv, touchChan, type Ctx } from './ops.ts';
import { inboundContextWhy } from './predicates.ts';
import type { CallModel, ChanModel } from './model.ts';
import type { Handler } from './ami-handlers.ts';

function chanOf(ctx: Ctx, ev: AmiMessage) {
  const ch = touchChan(ctx, header(ev, 'UniqueID') ?? '', header(ev, 'Channel'));
  const n = header(ev, 'CallerIDnum');
  // A leg keeps the number it was rung as; the caller's number follows the dialplan (an outgoing caller id
  // set by the outcall, an incall's rewrite of the caller's number): the last one the PBX shows is `from`.
  if (known(n) && n !== ch.num && (!ch.num || ch.id === ctx.call.origin)) ch.num = n;
  const nm = header(ev, 'CallerIDname');
  if (known(nm)) ch.cname = nm;
  return ch;
}

/** CEL Extra is JSON ({"hangupcause":16,"hangupsource":"...","dialstatus":""}); anything else is ignored. */
function extraOf(ev: AmiMessage): Record<string, unknown> {
  const raw = header(ev, 'Extra');
  if (!raw || raw[0] !== '{') return {};
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const CHAN_START: Handler = (ctx, ev) => {
  const ch = chanOf(ctx, ev);
  ch.start = now(ctx);
  const exten = header(ev, 'Exten');
  if (known(exten) && exten !== 's') ch.exten = exten;
  ch.context = header(ev, 'Context') ?? '';
  if (ctx.state.config.guessTrunks && !ch.local) {
    const why = inboundContextWhy(ch.context, ctx.state.config);
    if (why) guessTrunk(ctx, ch, why);
  }
  // Every channel but the primary was created to be dialled.
  if (ch.id !== ctx.call.linkedid) requestConv(ctx, ch);
  else learnPhone(ctx, ch);
};

const PICKUP_APPS = new Set(['Pickup', 'PickupChan']);

/**
 * A phone answered by the Pickup application (Wazo's *8<ext> interception, *8 group pickup) took a ringing
 * leg of another call: that leg's call absorbs the phone's own call, and the phone is who answered it.
 */
const ANSWER: Handler = (ctx, ev) => {
  const ch = chanOf(ctx, ev);
  if (PICKUP_APPS.has(header(ev, 'Application') ?? '') && ch.id === ctx.call.origin && ctx.call.convs.length === 0) {
    const target = ringingTarget(ctx, header(ev, 'AppData') ?? '', ch.id);
    if (target) return pickedUpBy({ ...ctx, call: target }, ch.id);
  }
  answerChan(ctx, ch);
};

/** The ringing leg a Pickup's argument names ("8001%ctx@PICKUPMARK", "8001@ctx", "PJSIP/8001"), in another call in flight. */
function ringingTarget(ctx: Ctx, appData: string, pickerId: string) {
  const ext = appData.split(/[%@&,]/)[0] ?? '';
  const byName = appData.includes('/');
  // Pickup() with no argument (group pickup): only when exactly one call is ringing is it known which one was taken
  let only: CallModel | undefined;
  let ringing = 0;
  for (const call of ctx.state.calls.values()) {
    if (call === ctx.call) continue;
    for (const id of call.convs) {
      const leg: ChanModel | undefined = call.chans.get(id);
      if (!leg || leg.id === pickerId || leg.answered || leg.state !== 'ringing') continue;
      if (ext === '') {
        if (only !== call) ringing++;
        only = call;
        continue;
      }
      if (byName ? leg.name.startsWith(ext) : leg.num === ext) return call;
    }
  }
  return ext === '' && ringing === 1 ? only : undefined;
}

function pickedUpBy(ctx: Ctx, pickerId: string): void {
  adoptChannel(ctx, pickerId);
  const picker = ctx.call.chans.get(pickerId);
  if (!picker) return;
  ctx.call.extra.picked_up_by = picker.name;
  requestConv(ctx, picker);
  answerChan(ctx, picker);
}

/** CEL PICKUP (Asterisk 12+): reported on the leg picked up; Extra names the phone that picked it up. */
const PICKUP: Handler = (ctx, ev) => {
  const x = extraOf(ev);
  const id = typeof x.pickup_channel_uniqueid === 'string' ? x.pickup_channel_uniqueid : '';
  if (id && ctx.state.chanCall.has(id)) pickedUpBy(ctx, id);
};

const BRIDGE_ENTER: Handler = (ctx, ev) => {
  const ch = chanOf(ctx, ev);
  if (ch.conv === 1) answerChan(ctx, ch);
};

const HANGUP: Handler = (ctx, ev) => {
  const ch = chanOf(ctx, ev);
  const x = extraOf(ev);
  if (typeof x.hangupcause === 'number') ch.cause = x.hangupcause;
  if (typeof x.dialstatus === 'string' && x.dialstatus) ch.dialStatus = x.dialstatus;
  for (const k of ['hangupcause', 'hangupsource', 'dialstatus']) {
    const v = x[k];
    if (typeof v === 'string' || typeof v === 'number') ch.extra[k] = v;
  }
  if (!ch.end) ch.end = now(ctx);
};

const CHAN_END: Handler = (ctx, ev) => endChan(ctx, chanOf(ctx, ev));

const LINKEDID_END: Handler = (ctx) => finishCall(ctx);

const MIXMONITOR_START: Handler = (ctx, ev) => {
  ctx.call.record = (header(ev, 'AppData') ?? '').split(',')[0] || ctx.call.record;
};

function countTransfer(kind: string): Handler {
  return (ctx) => {
    const n = typeof ctx.call.extra.transfers === 'number' ? ctx.call.extra.transfers : 0;
    ctx.call.extra.transfers = n + 1;
    ctx.call.extra.last_transfer = kind;
  };
}

export const CEL_HANDLERS: Record<string, Handler> = {
  CHAN_START,
  ANSWER,
  BRIDGE_ENTER,
  HANGUP,
  CHAN_END,
  LINKEDID_END,
  MIXMONITOR_START,
  PICKUP,
  BLINDTRANSFER: countTransfer('blind'),
  ATTENDEDTRANSFER: countTransfer('attended'),
};

/** A user-defined CEL event that marks the direction (Wazo/XiVO XIVO_INCALL / XIVO_OUTCALL), or undefined. */
export function markerHandler(name: string, inbound: string[], outbound: string[]): Handler | undefined {
  if (inbound.includes(name)) return (ctx) => void (ctx.call.marker = 'inbound');
  if (outbound.includes(name)) return (ctx) => void (ctx.call.marker = 'outbound');
  return undefined;
}

export const CEL_OPENERS = new Set(['CHAN_START']);
