import type { AmiMessage } from '../../ami-wire/index.ts';
import type { CaptureSource } from './capture.ts';
import type { WireFields } from './wire.ts';

export interface PbxUser {
  secret: string;
  /** Read classes; the default `all` receives every event. */
  read?: string;
}

/** Faults to inject. Counters apply to the next N connections / logins and count down; use Infinity for always. */
export interface PbxFaults {
  /** Accept TCP and never send anything (no banner, no answers). */
  silentConnections: number;
  /** Send the banner, never answer Login. */
  ignoreLogins: number;
  /** Close the connection as soon as Login arrives (as an Asterisk that restarts during login). */
  closeOnLogins: number;
  /** Answer Login with Authentication failed (then close) whatever the credentials, as an Asterisk still loading manager.conf. */
  refuseLogins: number;
  /** Send the Login response and the next queued events in separate writes instead of one (Asterisk usually sends them together). */
  splitLoginWrite: boolean;
  /**
   * Raw event blocks written once, in the same write right after the next CoreShowChannelsComplete (as
   * Asterisk flushes events raised during the action right after the list), then cleared. Their channels
   * are applied to the PBX's channel table after the list is taken.
   */
  afterNextChannelList: string;
  /** Leave the next N CoreShowChannels unanswered (as an Asterisk too busy to list its channels). */
  ignoreChannelLists: number;
  /** Leave the next N Pings unanswered while events still flow (as an Asterisk whose manager is slow to answer actions). */
  ignorePings: number;
}

export interface OriginatePlan {
  response: 'Success' | 'Failure';
  /** pbx_dial_reason: 0 failure, 1 hangup, 3 ring no answer, 4 answered, 5 busy, 8 congestion. Default 4 or 0. */
  reason?: number;
  /** Wait this long before answering (ms). Default 0. */
  delayMs?: number;
  channel?: string;
  uniqueid?: string;
  /** A capture to replay (rewritten as a fresh call) just before the OriginateResponse. */
  capture?: CaptureSource;
}

export interface StartPbxOptions {
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The AMI version in the banner. Default 5.0.5 (Asterisk 16). */
  version?: string;
  /** Accepted logins. Default { hookline: { secret: 'hookline' } }. */
  users?: Record<string, PbxUser>;
  /** How long a failed Login waits before its error and the close (Asterisk: 1000 ms). */
  loginFailureDelayMs?: number;
  /** Send `Event: FullyBooted` right after a successful Login, in the same write. Default true. */
  fullyBooted?: boolean;
  /** Decide the outcome of each Originate. Default: answered (reason 4). */
  originate?: (action: AmiMessage) => OriginatePlan | Promise<OriginatePlan>;
  /** Answer actions this simulator does not know; return undefined for the usual "Invalid/unknown command". */
  onAction?: (action: AmiMessage, client: PbxClientInfo) => WireFields | undefined;
  faults?: Partial<PbxFaults>;
  /** Clock for Duration/Uptime and recorded times. Default Date.now. */
  now?: () => number;
  /** How many received actions `actions` keeps (oldest dropped first): the demo runs for months. Default 10,000. */
  maxActions?: number;
}

export interface PbxClientInfo {
  id: number;
  authenticated: boolean;
  username: string | undefined;
  remotePort: number;
  /** Events are sent to this client (Login `Events:` / the Events action). */
  eventsOn: boolean;
  stalled: boolean;
}

export interface RecordedAction {
  client: number;
  /** ms since the PBX started (its clock). */
  atMs: number;
  action: AmiMessage;
}

export type ReplayPace =
  | 'asap'
  /** The capture's own gaps (Timestamp:/EventTime:) multiplied by `scale` (0.1 = ten times faster), each gap at most `maxGapMs`. */
  | { scale: number; maxGapMs?: number }
  /** A fixed gap between blocks. */
  | { everyMs: number };

export interface ReplayOptions {
  pace?: ReplayPace;
  /** Make the capture a fresh call: new uniqueids/linkedids, channel suffixes, times moved to now. Default false (byte for byte). */
  rewrite?: boolean;
  /** Send to this client only; default every logged-in client with events on (at the time of each write). */
  to?: number;
}

export interface ReplayResult {
  blocks: number;
  bytes: number;
}

export interface Pbx {
  readonly host: string;
  readonly port: number;
  /** The actions received, from every client, in order (Login included): the most recent `maxActions`. */
  readonly actions: RecordedAction[];
  /** Decide the outcome of the next Originates (as StartPbxOptions.originate; undefined: answered). */
  setOriginate(plan: StartPbxOptions['originate']): void;
  /** Connected clients now. */
  readonly clients: PbxClientInfo[];
  /** TCP connections accepted since start. */
  readonly connectionCount: number;
  /** Successful logins since start. */
  readonly loginCount: number;
  /** Mutable: change to inject faults for the next connections. */
  readonly faults: PbxFaults;
  /** Send a capture's blocks to the logged-in clients; resolves when the last block is written. */
  replay(capture: CaptureSource, options?: ReplayOptions): Promise<ReplayResult>;
  /** Send one event (fields or raw block text) to the logged-in clients with events on. */
  emit(event: WireFields | string, to?: number): void;
  /** Write raw bytes to a client (default: every connected client, logged in or not). Nothing is added. */
  sendRaw(bytes: Buffer | string, to?: number): void;
  /** Close client connections (default all); the server keeps listening. */
  drop(clientId?: number): void;
  /** A client (default all current) stops answering and receives nothing more: a half-open connection. */
  stall(clientId?: number): void;
  /** The channels CoreShowChannels lists: kept from events sent; set or clear it here. */
  setChannels(list: ReadonlyArray<Record<string, string>>): void;
  channelCount(): number;
  close(): Promise<void>;
}
