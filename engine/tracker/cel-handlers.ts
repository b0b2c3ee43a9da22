/**
 * One small handler per CEL event (AMI `Event: CEL`, the rows the modelled connector reads from the cel
 * table). They feed the same call model as the AMI handlers; a call fed by CEL ends at LINKEDID_END.
 */
import { header, type AmiMessage } from '../../ami-wire/index.ts';
import { answerChan, endChan, finishCall, known, now, requestConv, touchChan, type Ctx } from './ops.ts';
import type { Handler } from './ami-handlers.ts';

function chanOf(ctx: Ctx, ev: AmiMessage) {
  const ch = touchChan(ctx, header(ev, 'UniqueID') ?? '', header(ev, 'Channel'));
  const n = header(ev, 'CallerIDnum');
  if (known(n) && !ch.num) ch.num = n;
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
  // Every channel but the primary was created to be dialled.
  if (ch.id !== ctx.call.linkedid) requestConv(ctx, ch);
};

const ANSWER: Handler = (ctx, ev) => answerChan(ctx, chanOf(ctx, ev));

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
