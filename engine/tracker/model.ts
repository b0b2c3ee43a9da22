/**
 * The tracker's call model: small, mutable records owned by the tracker state (see track.ts for why the
 * state is threaded linearly instead of copied). One CallModel per linkedid in flight; dropped at call_ended.
 */
import type { CallFull, CallStage, ErrorCode } from '../../contracts/index.ts';

export type Direction = 'inbound' | 'outbound' | 'internal';

export interface TrackerConfig {
  /** An extension is internal when its number matches (call_full.md: 2 to 5 digits). */
  internalNumbers: RegExp;
  /** Channel names of external lines (trunks): a channel matching one of these is external. */
  trunks: RegExp[];
  /** Dialplan contexts a call from outside enters (mark the first channel as the trunk). */
  inboundContexts: string[];
  /** CEL user-defined event names that mark a call inbound / outbound (Wazo/XiVO). */
  inboundMarkers: string[];
  outboundMarkers: string[];
  /** IANA time zone for DateTime; 'UTC' by default (the PBX's Timestamp read as UTC). */
  timezone: string;
  /** How many finished linkedids are remembered, so late events for them are recognised (not treated as new calls). */
  rememberEnded: number;
  /**
   * With no trunk configured (`trunks` empty), take for a trunk an endpoint the traffic shows to be one: a
   * non-Local endpoint that places a call with an external number or into an inbound context, or is dialled
   * to an external number (see guessedTrunkOf in predicates.ts). Reported once per endpoint (TRACKER_TRUNK_GUESSED).
   */
  guessTrunks: boolean;
  /**
   * A dialled leg whose number is not internal is a trunk. On when no trunk is named (`trunks` not given):
   * with trunks named, a phone rung with the DID it was reached by (+31150010004) stays a phone.
   */
  externalByNumber: boolean;
  /** The extensions of the configuration's `users`: a leg rung as one of them is that person's phone. */
  extensions: ReadonlySet<string>;
}

export const DEFAULT_TRACKER_CONFIG: TrackerConfig = {
  internalNumbers: /^\d{2,5}$/,
  trunks: [/^(PJSIP|SIP|IAX2|DAHDI)\/(trunk|provider|pstn|gw|gateway|operator)[^/]*-[0-9a-f]+$/i, /^DAHDI\//i],
  inboundContexts: ['from-trunk', 'from-pstn', 'from-external', 'from-did-direct', 'incoming', 'did'],
  inboundMarkers: ['XIVO_INCALL'],
  outboundMarkers: ['XIVO_OUTCALL'],
  timezone: 'UTC',
  rememberEnded: 1024,
  guessTrunks: false,
  externalByNumber: true,
  extensions: new Set(),
};

export interface ChanModel {
  id: string;
  name: string;
  /** CallerID of the channel: for a dialled leg, the number it was dialled as (the extension or the external number). */
  num: string;
  cname: string;
  /** The extension the channel first asked for (Newchannel/CHAN_START Exten), '' if 's' or none. */
  exten: string;
  context: string;
  start: string;
  answer: string;
  end: string;
  state: 'ringing' | 'talking' | 'ended';
  extra: Record<string, string | number>;
  local: boolean;
  dialled: boolean;
  /** The leg was answered (kept when it ends; times may be unknown). */
  answered: boolean;
  dialStatus: string;
  cause: number;
  /** The number this leg presents to the far end (ConnectedLineNum when external): the trunk CallerID outbound. */
  connected: string;
  /** 0 not a conversation, 1 requested, 2 accepted, 3 ended. */
  conv: 0 | 1 | 2 | 3;
  /** The DialStatus of every Dial this channel placed (the caller's own Dial outcome), in order; '' none yet. */
  ownDial: string;
}

export interface CallModel {
  linkedid: string;
  chans: Map<string, ChanModel>;
  /** Conversation uniqueids, in the order they rang. */
  convs: string[];
  /** The uniqueid of the party that placed the call ('' until known). */
  origin: string;
  /** The primary channel is a Local channel: the call was originated (click-to-call). */
  originated: boolean;
  /** Fed by CEL: ends at LINKEDID_END rather than when the last channel hangs up. */
  cel: boolean;
  marker: Direction | '';
  record: string;
  lastTime: string;
  extra: Record<string, string | number>;
  abandoned: boolean;
  /**
   * Originated call: whether the first leg rung (the caller, `origin`) is also a conversation. '' not decided
   * yet, 'yes' it is one, 'no' it only places the call (a phone calling out: see requestFirstLeg in ops.ts).
   */
  firstLeg: '' | 'yes' | 'no';
  /** Originated call: its first leg was seen Ringing (AMI Newstate; CEL has no ringing state). */
  firstLegRang: boolean;
  /** A leg answered while the caller was still waiting (not Up, not gone): call acceptance is then possible. */
  legUpWhileCallerWaited: boolean;
}

export interface CallSummary {
  linkedid: string;
  direction: Direction;
  from: string;
  to: string;
  answered: boolean;
  answered_by: string | null;
  conversations: { id: string; from: string; to: string; answered: boolean; start_time: string; answer_time: string; end_time: string }[];
  result: number;
  trunk: string | null;
}

export interface StageEvent {
  stage: CallStage;
  linkedid: string;
  /** '' for call_ended. */
  conversationId: string;
  call: CallFull;
  summary: CallSummary;
  /** call_ended only: why its direction, numbers, answerer and result were decided (`hookline calls --explain`). */
  why?: CallExplanation;
}

/** One sentence per decision of a finished call. */
export interface CallExplanation {
  direction: string;
  from: string;
  to: string;
  answered: string;
  result: string;
}

/** Listed in the error catalogue (contracts/errors-service.ts). */
export type TrackerProblemCode = Extract<ErrorCode, 'TRACKER_HANDLER_FAILED' | 'TRACKER_LATE_EVENT' | 'TRACKER_UNKNOWN_CALL' | 'TRACKER_RESYNC_CLOSED' | 'TRACKER_TRUNK_GUESSED'>;

export interface TrackerProblem {
  code: TrackerProblemCode;
  linkedid: string;
  message: string;
}

export interface TrackerState {
  config: TrackerConfig;
  calls: Map<string, CallModel>;
  /** uniqueid -> linkedid of every channel in flight (events without Linkedid, e.g. transfers, find their call). */
  chanCall: Map<string, string>;
  /** Recently finished linkedids (bounded by config.rememberEnded), oldest first; true once a late event was reported. */
  ended: Map<string, boolean>;
  /**
   * Linkedids absorbed into another call (bounded like `ended`): the call a phone started by dialling a
   * pickup code (*8, **202) becomes part of the call it picked up; its later events go to that call.
   */
  absorbed: Map<string, string>;
  /**
   * endpoint ("SIP/150010001") -> the extension the recording ties it to: the internal CallerIDNum it showed
   * when it placed a call (201). Bounded (MAX_PHONES): phones are few, this only guards against a flood.
   */
  phones: Map<string, string>;
  /** Endpoints taken for trunks from the traffic (config.guessTrunks), each reported once. */
  guessed: Set<string>;
}

export const MAX_PHONES = 100_000;
/** Trunks guessed are few; past this many the traffic is not what the guess assumes and guessing stops. */
export const MAX_GUESSED_TRUNKS = 64;

export interface TrackResult {
  state: TrackerState;
  emitted: StageEvent[];
  problems: TrackerProblem[];
}
