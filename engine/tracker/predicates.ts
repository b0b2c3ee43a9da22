/**
 * Special shapes, as predicates that read as sentences. Each answers `true` or the reason it said no, so a
 * surprising direction or a missing conversation can be explained from the call model alone (`explainCall`
 * turns them into the sentences `hookline calls --explain` prints).
 */
import type { CallModel, ChanModel, Direction, TrackerConfig } from './model.ts';

export type Verdict = true | { no: string };

/** What the predicates read besides the call: the endpoints the traffic tied to an extension, and the trunks guessed. */
export interface Known {
  phones: ReadonlyMap<string, string>;
  guessed: ReadonlySet<string>;
}

export const NOTHING_KNOWN: Known = { phones: new Map(), guessed: new Set() };

export function isLocalChannel(name: string): boolean {
  return name.startsWith('Local/');
}

export function isInternalNumber(num: string, cfg: TrackerConfig): boolean {
  return cfg.internalNumbers.test(num);
}

/** "SIP/150010001-0000008e" -> "SIP/150010001" (the endpoint: the channel name without its sequence suffix). */
export function endpointKey(name: string): string {
  const dash = name.lastIndexOf('-');
  return dash > name.indexOf('/') + 1 ? name.slice(0, dash) : name;
}

/** A dialplan context named like the entry of outside calls: from-trunk, from-pstn, from-extern, voipgrid_in, incoming, did. */
const INBOUND_CONTEXT = /(^|[-_])(in|inbound|incoming|pstn|trunks?|extern|external|did|provider)($|[-_])/i;

/** Why this non-Local channel's endpoint looks like a trunk from its context (listed inbound, or named so), or undefined. */
export function inboundContextWhy(context: string, cfg: TrackerConfig): string | undefined {
  if (!context) return undefined;
  if (cfg.inboundContexts.includes(context)) return `its channels enter "${context}", an inbound context of the configuration`;
  if (INBOUND_CONTEXT.test(context)) return `its channels enter "${context}", named like an inbound context`;
  return undefined;
}

/** A caller's first number is an outside one that is not its own account (a phone shows its extension or account, +31260010001 for SIP/260010001 included). */
export function callsFromOutside(ch: ChanModel, cfg: TrackerConfig): boolean {
  if (ch.local || !ch.num || isInternalNumber(ch.num, cfg) || !/^\+?\d{6,}$/.test(ch.num)) return false;
  const ep = endpointKey(ch.name);
  return !ch.num.includes(ep.slice(ep.indexOf('/') + 1));
}

/** Dial("SIP/+31260010001@provider"), Dial("PJSIP/84951234567@provider"), Dial("SIP/provider/0495…"): the dial string carries the outside number the leg was dialled as. */
export function dialStringCarries(dialString: string, num: string, channelName: string, cfg: TrackerConfig): boolean {
  if (!num || isInternalNumber(num, cfg)) return false;
  const digits = num.replace(/^\+/, '');
  // a phone whose account is a number (SIP/150010002) carries its own name, not an outside number
  const ep = endpointKey(channelName);
  if (digits.length === 0 || ep.slice(ep.indexOf('/') + 1) === digits) return false;
  return dialString.includes(digits) && dialString !== digits && dialString !== num;
}

/** The channel is an external line: its name matches a configured trunk, it is the caller and entered an inbound context, or it was dialled to an external number. */
export function isTrunkChannel(ch: ChanModel, call: CallModel, cfg: TrackerConfig, known: Known = NOTHING_KNOWN): Verdict {
  return trunkVerdict(ch, call, cfg, known, true);
}

const NOT_A_TRUNK: Verdict = { no: '' };

/** isTrunkChannel without building the reason: for the decisions made at every stage (the reasons are for --explain). */
export function isTrunk(ch: ChanModel, call: CallModel, cfg: TrackerConfig, known: Known): boolean {
  return trunkVerdict(ch, call, cfg, known, false) === true;
}

function trunkVerdict(ch: ChanModel, call: CallModel, cfg: TrackerConfig, known: Known, why: boolean): Verdict {
  if (ch.local) return why ? { no: 'a Local channel is never a trunk' } : NOT_A_TRUNK;
  if (cfg.trunks.some((re) => re.test(ch.name))) return true;
  if (known.guessed.size > 0 && known.guessed.has(endpointKey(ch.name))) return true;
  // The party that placed the call (not the first leg an originate rang: that one was dialled).
  if (ch.id === call.origin && !call.originated) {
    if (ch.context && cfg.inboundContexts.includes(ch.context)) return true;
    return why ? { no: `the caller ${ch.name} matches no trunk pattern and entered context "${ch.context}", not an inbound one` } : NOT_A_TRUNK;
  }
  if (!cfg.externalByNumber) return why ? { no: `${ch.name} matches none of the trunks named in the configuration` } : NOT_A_TRUNK;
  // Once the traffic showed which endpoints are trunks, a phone rung with the DID it was reached by stays a phone.
  if (known.guessed.size > 0) return why ? { no: `${ch.name} is not among the endpoints taken for trunks (${[...known.guessed].join(', ')})` } : NOT_A_TRUNK;
  if (ch.dialled && ch.num && !isInternalNumber(ch.num, cfg)) {
    // a phone that picked the call up, or one rung as its own account (SIP/150010003 as 150010003), is no line
    if (ch.extra.hookline_absorbed !== undefined) return why ? { no: `${ch.name} picked the call up: a phone` } : NOT_A_TRUNK;
    const ep = endpointKey(ch.name);
    if (ep.slice(ep.indexOf('/') + 1) === ch.num) return why ? { no: `${ch.name} was rung as its own account ${ch.num}: a phone` } : NOT_A_TRUNK;
    return true;
  }
  return why ? { no: `${ch.name} matches no trunk pattern and was dialled as "${ch.num}", an internal number` } : NOT_A_TRUNK;
}

/** The call was originated (click-to-call): its primary channel is a Local channel, so the first phone it rings is the caller. */
export function isOriginatedCall(call: CallModel): Verdict {
  if (call.originated) return true;
  return { no: 'the primary channel is not a Local channel' };
}

/** A dialled channel is a conversation when it rings a device or a line: not a Local half, not the caller itself. */
export function isConversationLeg(ch: ChanModel, call: CallModel): Verdict {
  if (ch.local) return { no: 'Local channels only carry the dial to the real leg' };
  if (ch.id === call.origin) return { no: 'it is the party that placed the call' };
  return true;
}

/**
 * Call acceptance: a destination reached through the PBX answers at SIP level but must confirm (a key) before
 * the caller is connected. The call was not answered when the caller's own Dial ended without ANSWER and the
 * caller's channel never went Up, whatever the legs did.
 */
export function isUnacceptedCall(call: CallModel): Verdict {
  const caller = call.chans.get(call.origin);
  if (!caller) return { no: 'the caller is not known' };
  if (call.originated) return { no: 'an originated call has no caller Dial' };
  if (caller.answered) return { no: `the caller ${caller.name} went Up` };
  // a transfer can take the caller away first (a blonde transfer: its Dial ends NOANSWER, the leg answers later)
  if (!call.legUpWhileCallerWaited) return { no: 'no leg went Up while the caller still waited' };
  if (!caller.ownDial) return { no: `no Dial placed by the caller ${caller.name} was seen to end` };
  if (caller.ownDial === 'ANSWER') return { no: `the caller's Dial ended ANSWER` };
  return true;
}

/** A leg's answer counts as the call answered: it is not the first leg an originate rang (the PBX reaching the caller). */
export function answerCounts(ch: ChanModel, call: CallModel): Verdict {
  if (!ch.answered) return { no: `${ch.name} did not answer` };
  if (ch.id === call.origin) return { no: `${ch.name} is the first leg of the originate: its answer only reached the caller` };
  return true;
}

/** The leg that answered the call, in the order the legs rang; undefined when the call was not answered. */
export function answeringLeg(call: CallModel): ChanModel | undefined {
  if (isUnacceptedCall(call) === true) return undefined;
  for (const id of call.convs) {
    const ch = call.chans.get(id);
    if (ch && answerCounts(ch, call) === true) return ch;
  }
  return undefined;
}

/**
 * Another party of the call (another endpoint) shows the same number: a leg of a group or queue rung with the
 * group's number, or a leg showing the caller's number; either way not the phone's own.
 */
export function isSharedNumber(ch: ChanModel, call: CallModel): boolean {
  const ep = endpointKey(ch.name);
  const caller = call.chans.get(call.origin);
  if (caller && caller !== ch && caller.num === ch.num && endpointKey(caller.name) !== ep) return true;
  for (const id of call.convs) {
    const o = call.chans.get(id);
    if (o && o !== ch && o.num === ch.num && endpointKey(o.name) !== ep) return true;
  }
  return false;
}

/**
 * Who a phone leg is: the extension the recording ties its endpoint to (the internal number it showed when it
 * placed a call), else the number it was rung as when that is a `users` extension of the configuration, else the
 * internal number it was rung as when no other phone showed that number (a group's
 * or queue's number is shared), else its endpoint/account ("SIP/150010001-…" -> "150010001").
 * A trunk leg is an external party: null.
 */
export function partyOf(ch: ChanModel, call: CallModel, cfg: TrackerConfig, known: Known): string | null {
  if (isTrunk(ch, call, cfg, known)) return null;
  const ep = endpointKey(ch.name);
  const ext = known.phones.get(ep);
  if (ext) return ext;
  if (ch.num && cfg.extensions.has(ch.num)) return ch.num;
  if (ch.num && isInternalNumber(ch.num, cfg) && !isSharedNumber(ch, call)) return ch.num;
  const slash = ep.indexOf('/');
  return (slash >= 0 ? ep.slice(slash + 1) : ep) || ch.num || null;
}

/** The direction (directionWhy without the sentence: this runs at every stage). */
export function directionOf(call: CallModel, cfg: TrackerConfig, known: Known = NOTHING_KNOWN): Direction {
  if (call.marker) return call.marker;
  const origin = call.chans.get(call.origin);
  if (call.originated) {
    if (origin && isTrunk(origin, call, cfg, known)) return 'outbound';
  } else if (origin && isTrunk(origin, call, cfg, known)) return 'inbound';
  for (const id of call.convs) {
    const ch = call.chans.get(id);
    if (ch && isTrunk(ch, call, cfg, known)) return 'outbound';
  }
  return 'internal';
}

/** The direction and the sentence that decided it. */
export function directionWhy(call: CallModel, cfg: TrackerConfig, known: Known): { direction: Direction; why: string } {
  if (call.marker) return { direction: call.marker, why: `the PBX marked the call ${call.marker} (CEL user event)` };
  const origin = call.chans.get(call.origin);
  if (call.originated) {
    // An originate (click-to-call, call-me-now) reaches out: outbound when any leg it rang is a line.
    for (const ch of [origin, ...call.convs.map((id) => call.chans.get(id))]) {
      if (ch && isTrunkChannel(ch, call, cfg, known) === true) return { direction: 'outbound', why: `originated call; ${ch.name} is a trunk` };
    }
    return { direction: 'internal', why: 'originated call; every leg it rang is a phone' };
  }
  if (origin) {
    const v = isTrunkChannel(origin, call, cfg, known);
    if (v === true) return { direction: 'inbound', why: `the caller ${origin.name} is a trunk` };
    for (const id of call.convs) {
      const ch = call.chans.get(id);
      if (ch && isTrunkChannel(ch, call, cfg, known) === true) return { direction: 'outbound', why: `${v.no}; the leg ${ch.name} is a trunk` };
    }
    return { direction: 'internal', why: `${v.no}; no leg is a trunk` };
  }
  return { direction: 'internal', why: 'the caller is not known and no leg is a trunk' };
}
