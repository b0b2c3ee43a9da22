/**
 * Special shapes, as predicates that read as sentences. Each answers `true` or the reason it said no, so a
 * surprising direction or a missing conversation can be explained from the call model alone.
 */
import type { CallModel, ChanModel, Direction, TrackerConfig } from './model.ts';

export type Verdict = true | { no: string };

export function isLocalChannel(name: string): boolean {
  return name.startsWith('Local/');
}

export function isInternalNumber(num: string, cfg: TrackerConfig): boolean {
  return cfg.internalNumbers.test(num);
}

/** The channel is an external line: its name matches a configured trunk, it is the caller and entered an inbound context, or it was dialled to an external number. */
export function isTrunkChannel(ch: ChanModel, call: CallModel, cfg: TrackerConfig): Verdict {
  if (ch.local) return { no: 'a Local channel is never a trunk' };
  if (cfg.trunks.some((re) => re.test(ch.name))) return true;
  if (ch.id === call.origin) {
    if (ch.context && cfg.inboundContexts.includes(ch.context)) return true;
    return { no: `the caller ${ch.name} matches no trunk pattern and entered context "${ch.context}", not an inbound one` };
  }
  if (ch.dialled && ch.num && !isInternalNumber(ch.num, cfg)) return true;
  return { no: `${ch.name} matches no trunk pattern and was dialled as "${ch.num}", an internal number` };
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

export function directionOf(call: CallModel, cfg: TrackerConfig): Direction {
  if (call.marker) return call.marker;
  const origin = call.chans.get(call.origin);
  if (origin && isTrunkChannel(origin, call, cfg) === true) return 'inbound';
  for (const id of call.convs) {
    const ch = call.chans.get(id);
    if (ch && isTrunkChannel(ch, call, cfg) === true) return 'outbound';
  }
  return 'internal';
}
