/**
 * The AMI client: one TCP connection to Asterisk at a time, logged in, kept alive with Ping and a
 * deadline, reconnected with backoff and jitter for as long as the client is open. Our own code on
 * node:net: asterisk-ami-client fails the conformance suite at every layer (tests/ami/conformance.test.ts,
 * docs/design/ami.md). Errors are values (AmiResult); stream faults are `problem` events; nothing throws.
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { AmiParser, formatAction, header, type AmiAction, type AmiMessage, type AmiParserOptions, type AmiProblem } from '../../ami-wire/index.ts';
import { silentLogger, type Logger } from '../../log/index.ts';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { TypedEmitter } from './emitter.ts';
import { amiError, fail, type AmiError, type AmiResult } from './errors.ts';

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  /** The Login `Events:` header (event mask): `on`, `off` or a class list. Default `on`. */
  events?: string;
  /** TCP connect + banner + Login answer must take less than this. Default 10 s. */
  loginTimeoutMs?: number;
  /** Default time limit of an action. Default 10 s. */
  actionTimeoutMs?: number;
  /** Ping this often while connected; 0 turns the keepalive off. Default 15 s. */
  pingIntervalMs?: number;
  /**
   * A Ping unanswered this long, with not one byte received since it was sent, means the connection is dead:
   * it is closed and reconnected. While bytes still arrive (a backlog of events ahead of the Pong, or the
   * engine too busy to read in time) the connection is alive, and only `pingMisses` Pings in a row left
   * unanswered close it. Default 5 s.
   */
  pingTimeoutMs?: number;
  /** Pings in a row left unanswered, while events still arrive, before the connection is closed. Default 3. */
  pingMisses?: number;
  backoff?: BackoffOptions;
  /** After each login, list the channels (CoreShowChannels) and emit `resync`. Default true. */
  resyncOnConnect?: boolean;
  /** A CoreShowChannels that failed is asked again after this long, doubling up to 60 s. Default 5000. */
  resyncRetryMs?: number;
  /**
   * Parser options. `parser.only` (e.g. the tracker's TRACKER_AMI_ONLY) lets the parser skip the events and
   * headers no listener reads, undecoded; it is a hint: while an action waits for its answer every event
   * comes whole, so `message` listeners may see more than `only` names.
   */
  parser?: AmiParserOptions;
  logger?: Logger;
  /** For the jitter; default Math.random. */
  random?: () => number;
}

export interface AmiConnectedInfo {
  /** The version in the banner (`Asterisk Call Manager/<version>`). */
  banner: string | undefined;
  /** False for the first login of this client, true for every later one (events may have been missed). */
  reconnect: boolean;
  connectionId: number;
}

export interface AmiDisconnectedInfo {
  error: AmiError;
  /** True when this connection had logged in (a `connected` came before); false for a failed attempt. */
  wasConnected: boolean;
  /** When the next attempt starts; undefined when the client is closed. */
  retryInMs: number | undefined;
  connectionId: number;
}

export interface AmiResyncInfo {
  reconnect: boolean;
  /** The CoreShowChannel items: every channel Asterisk has up right now. */
  channels: AmiMessage[];
}

export interface AmiClientEvents {
  /** Every event from Asterisk, in wire order (responses and our own list items are not included). */
  message: AmiMessage;
  connected: AmiConnectedInfo;
  disconnected: AmiDisconnectedInfo;
  /** A fault in the byte stream (reported once each); the stream goes on. */
  problem: AmiProblem;
  /** The channels up after a (re)connect, for the engine to close calls whose end it missed. */
  resync: AmiResyncInfo;
}

export interface AmiActionReply {
  response: AmiMessage;
  /** For list actions (EventList: start … Complete): the items; for originate: the OriginateResponse. */
  events: AmiMessage[];
}

export interface OriginateInput {
  channel: string;
  context?: string;
  exten?: string;
  priority?: string | number;
  application?: string;
  data?: string;
  callerId?: string;
  /** Ring time in ms (the Originate `Timeout`). Default 30 s. */
  timeoutMs?: number;
  variables?: Record<string, string>;
  account?: string;
  channelId?: string;
  otherChannelId?: string;
}

export interface OriginateOutcome {
  /** OriginateResponse `Response: Success`. */
  success: boolean;
  /** pbx_dial_reason: 0 failure, 1 hangup, 3 ring no answer, 4 answered, 5 busy, 8 congestion. */
  reason: number;
  channel: string | undefined;
  uniqueid: string | undefined;
  event: AmiMessage;
}

export interface AmiClient {
  on<K extends keyof AmiClientEvents & string>(name: K, fn: (arg: AmiClientEvents[K]) => void): () => void;
  off<K extends keyof AmiClientEvents & string>(name: K, fn: (arg: AmiClientEvents[K]) => void): void;
  readonly connected: boolean;
  readonly banner: string | undefined;
  /** Send an action; resolves with its response (and list items for EventList actions). A CR/LF in a value is refused, nothing sent. */
  action(action: AmiAction, options?: { timeoutMs?: number }): Promise<AmiResult<AmiActionReply>>;
  /** Async Originate; resolves when OriginateResponse arrives. */
  originate(input: OriginateInput): Promise<AmiResult<OriginateOutcome>>;
  /** The channels Asterisk has up now (CoreShowChannels items). */
  coreShowChannels(): Promise<AmiResult<AmiMessage[]>>;
  /** Resolves when logged in (now or later), or with AMI_TIMEOUT. */
  ready(timeoutMs?: number): Promise<AmiResult<void>>;
  /** Log off, close, stop reconnecting; pending actions end with AMI_CLOSED. */
  close(): Promise<void>;
}

interface Connection {
  id: number;
  socket: Socket;
  parser: AmiParser;
  state: 'login' | 'up';
  loginId: string;
  banner: string | undefined;
  loginTimer: NodeJS.Timeout | undefined;
  pingTimer: NodeJS.Timeout | undefined;
  /** Bytes received on this connection (a Ping's deadline asks whether any arrived since it was sent). */
  bytesIn: number;
  /** Pings in a row that timed out while bytes still arrived; a late Pong for one of them resets it. */
  pingMissed: number;
  missedPingIds: Set<string>;
  /** The next CoreShowChannels after one failed. */
  resyncTimer: NodeJS.Timeout | undefined;
  closeReason: AmiError | undefined;
  tcpConnected: boolean;
  socketError: Error | undefined;
}

interface Pending {
  id: string;
  connectionId: number;
  name: string;
  resolve: (r: AmiResult<AmiActionReply>) => void;
  timer: NodeJS.Timeout;
  response: AmiMessage | undefined;
  events: AmiMessage[];
  listing: boolean;
  waitEvent: string | undefined;
  /** Called synchronously when the action ends, before the next message of the same read is handled. */
  settled: ((r: AmiResult<AmiActionReply>) => void) | undefined;
}

export function connectAmi(options: AmiClientOptions): AmiClient {
  return new NetAmiClient(options);
}

class NetAmiClient implements AmiClient {
  private readonly opts: AmiClientOptions;
  private readonly log: Logger;
  private readonly emitter: TypedEmitter<AmiClientEvents>;
  private readonly idPrefix = `hl-${randomBytes(4).toString('hex')}-`;
  private nextActionId = 0;
  private connectionSeq = 0;
  private conn: Connection | undefined;
  private failures = 0;
  private everConnected = false;
  private isClosed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Map<string, Pending>();
  private readyWaiters = new Set<() => void>();

  constructor(options: AmiClientOptions) {
    this.opts = options;
    this.log = (options.logger ?? silentLogger).child({ module: 'ami' });
    this.emitter = new TypedEmitter((name, e) => this.log.error({ code: 'AMI_LISTENER_THREW', err: e }, `a listener of "${name}" threw; the client went on`));
    this.startAttempt();
  }

  on<K extends keyof AmiClientEvents & string>(name: K, fn: (arg: AmiClientEvents[K]) => void): () => void {
    return this.emitter.on(name, fn);
  }

  off<K extends keyof AmiClientEvents & string>(name: K, fn: (arg: AmiClientEvents[K]) => void): void {
    this.emitter.off(name, fn);
  }

  get connected(): boolean {
    return this.conn?.state === 'up';
  }

  get banner(): string | undefined {
    return this.conn?.banner;
  }

  action(action: AmiAction, options: { timeoutMs?: number } = {}): Promise<AmiResult<AmiActionReply>> {
    return this.send(action, options.timeoutMs ?? this.opts.actionTimeoutMs ?? 10_000, undefined);
  }

  async originate(input: OriginateInput): Promise<AmiResult<OriginateOutcome>> {
    const ringMs = input.timeoutMs ?? 30_000;
    const action: AmiAction = {
      Action: 'Originate',
      Channel: input.channel,
      Context: input.context,
      Exten: input.exten,
      Priority: input.priority === undefined ? undefined : String(input.priority),
      Application: input.application,
      Data: input.data,
      CallerID: input.callerId,
      Timeout: String(ringMs),
      Account: input.account,
      ChannelId: input.channelId,
      OtherChannelId: input.otherChannelId,
      Variable: input.variables ? Object.entries(input.variables).map(([k, v]) => `${k}=${v}`) : undefined,
      Async: 'true',
    };
    const r = await this.send(action, ringMs + (this.opts.actionTimeoutMs ?? 10_000), 'OriginateResponse');
    if (!r.ok) return r;
    const event = r.value.events[0] ?? r.value.response;
    const reason = Number(header(event, 'Reason') ?? '0');
    return {
      ok: true,
      value: {
        success: header(event, 'Response') === 'Success',
        reason: Number.isFinite(reason) ? reason : 0,
        channel: header(event, 'Channel'),
        uniqueid: header(event, 'Uniqueid'),
        event,
      },
    };
  }

  async coreShowChannels(): Promise<AmiResult<AmiMessage[]>> {
    const r = await this.action({ Action: 'CoreShowChannels' });
    return r.ok ? { ok: true, value: r.value.events.filter((m) => m['Event'] === 'CoreShowChannel') } : r;
  }

  ready(timeoutMs = this.opts.loginTimeoutMs ?? 10_000): Promise<AmiResult<void>> {
    if (this.isClosed) return Promise.resolve(fail('AMI_CLOSED', 'the AMI client is closed'));
    if (this.connected) return Promise.resolve({ ok: true, value: undefined });
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.readyWaiters.delete(done);
        resolve(this.connected ? { ok: true, value: undefined } : fail('AMI_CLOSED', 'the AMI client is closed'));
      };
      const timer = setTimeout(() => {
        this.readyWaiters.delete(done);
        resolve(fail('AMI_TIMEOUT', `not logged in to ${this.where()} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.readyWaiters.add(done);
    });
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    clearTimeout(this.reconnectTimer);
    for (const w of [...this.readyWaiters]) w();
    const conn = this.conn;
    if (conn === undefined) return;
    conn.closeReason = amiError('AMI_CLOSED', 'the AMI client was closed');
    const closed = new Promise<void>((resolve) => conn.socket.once('close', () => resolve()));
    if (conn.state === 'up') {
      const logoff = formatAction({ Action: 'Logoff', ActionID: this.newActionId() });
      if (logoff.ok) conn.socket.end(logoff.value);
      setTimeout(() => conn.socket.destroy(), 500).unref();
    } else {
      conn.socket.destroy();
    }
    await closed;
  }

  // ---- connection lifecycle ----

  private where(): string {
    return `AMI ${this.opts.host}:${this.opts.port}`;
  }

  private newActionId(): string {
    return `${this.idPrefix}${++this.nextActionId}`;
  }

  private startAttempt(): void {
    if (this.isClosed) return;
    const socket = netConnect({ host: this.opts.host, port: this.opts.port });
    socket.setNoDelay(true);
    const conn: Connection = {
      id: ++this.connectionSeq,
      socket,
      parser: new AmiParser(this.opts.parser),
      state: 'login',
      loginId: this.newActionId(),
      banner: undefined,
      loginTimer: undefined,
      pingTimer: undefined,
      bytesIn: 0,
      pingMissed: 0,
      missedPingIds: new Set(),
      resyncTimer: undefined,
      closeReason: undefined,
      tcpConnected: false,
      socketError: undefined,
    };
    this.conn = conn;
    const loginTimeoutMs = this.opts.loginTimeoutMs ?? 10_000;
    conn.loginTimer = setTimeout(() => {
      this.dropConnection(conn, amiError('AMI_LOGIN_TIMEOUT', `${this.where()} did not ${conn.tcpConnected ? 'answer the Login' : 'accept the TCP connection'} within ${loginTimeoutMs} ms`));
    }, loginTimeoutMs);
    socket.on('connect', () => {
      conn.tcpConnected = true;
      const login = formatAction({ Action: 'Login', ActionID: conn.loginId, Username: this.opts.username, Secret: this.opts.secret, Events: this.opts.events ?? 'on' });
      if (!login.ok) {
        this.dropConnection(conn, amiError('AMI_LOGIN_FAILED', `the AMI username or secret cannot be sent: ${login.error.message}`));
        return;
      }
      socket.write(login.value);
    });
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', (e) => {
      conn.socketError = e;
    });
    socket.on('close', () => this.onClose(conn));
  }

  private dropConnection(conn: Connection, reason: AmiError): void {
    if (conn.closeReason === undefined) conn.closeReason = reason;
    conn.socket.destroy();
  }

  private onClose(conn: Connection): void {
    clearTimeout(conn.loginTimer);
    clearTimeout(conn.pingTimer);
    clearTimeout(conn.resyncTimer);
    if (this.conn !== conn) return;
    this.conn = undefined;
    const wasConnected = conn.state === 'up';
    if (wasConnected) {
      // a block cut off by the close is reported, never delivered
      for (const p of conn.parser.end().problems) this.reportProblem(conn, p);
    }
    const error = conn.closeReason ?? (conn.tcpConnected
      ? amiError('AMI_CONNECTION_LOST', `${this.where()} closed the connection${conn.socketError ? `: ${conn.socketError.message}` : ''}`)
      : amiError('AMI_CONNECT_FAILED', `cannot connect to ${this.where()}${conn.socketError ? `: ${conn.socketError.message}` : ''}`));
    for (const p of [...this.pending.values()]) {
      if (p.connectionId === conn.id) this.finish(p, fail(this.isClosed ? 'AMI_CLOSED' : 'AMI_DISCONNECTED', `${p.name}: the AMI connection ended before the answer (${error.message})`));
    }
    let retryInMs: number | undefined;
    if (!this.isClosed) {
      this.failures = wasConnected ? 1 : this.failures + 1;
      retryInMs = backoffDelay(this.failures, this.opts.backoff, this.opts.random);
      this.reconnectTimer = setTimeout(() => this.startAttempt(), retryInMs);
    }
    const level = this.isClosed ? 'info' : 'warn';
    this.log[level]({ code: error.code, connection: conn.id, retryInMs }, wasConnected ? `AMI disconnected: ${error.message}` : `AMI connection attempt failed: ${error.message}`);
    this.emitter.emit('disconnected', { error, wasConnected, retryInMs, connectionId: conn.id });
  }

  private onData(conn: Connection, chunk: Buffer): void {
    if (this.conn !== conn) return;
    conn.bytesIn += chunk.length;
    const { messages, problems } = conn.parser.push(chunk);
    if (conn.banner === undefined && conn.parser.banner !== undefined) conn.banner = conn.parser.banner;
    for (const p of problems) this.reportProblem(conn, p);
    for (const m of messages) {
      if (this.conn !== conn) return;
      this.handleMessage(conn, m);
    }
  }

  private reportProblem(conn: Connection, p: AmiProblem): void {
    this.log.warn({ code: p.code, connection: conn.id }, `AMI stream from ${this.where()}: ${p.message}`);
    this.emitter.emit('problem', p);
  }

  private handleMessage(conn: Connection, m: AmiMessage): void {
    const event = m['Event'];
    const actionId = header(m, 'ActionID');
    if (conn.state === 'login' && event === undefined) {
      if (actionId !== conn.loginId) return;
      if (header(m, 'Response') === 'Success') this.loggedIn(conn);
      else this.dropConnection(conn, amiError('AMI_LOGIN_FAILED', `${this.where()} refused the login of ${JSON.stringify(this.opts.username)}: ${header(m, 'Message') ?? 'no message'}`, m));
      return;
    }
    if (event !== undefined) {
      const p = actionId === undefined ? undefined : this.pending.get(actionId);
      if (p !== undefined && p.listing) {
        if ((header(m, 'EventList') ?? '').toLowerCase() === 'complete') this.finish(p, { ok: true, value: { response: p.response ?? m, events: p.events } });
        else p.events.push(m);
        return;
      }
      if (p !== undefined && p.waitEvent === event) this.finish(p, { ok: true, value: { response: p.response ?? m, events: [m] } });
      this.emitter.emit('message', m);
      return;
    }
    const p = actionId === undefined ? undefined : this.pending.get(actionId);
    if (p === undefined) {
      if (actionId !== undefined && conn.missedPingIds.has(actionId)) {
        // the Pong came late (a backlog ahead of it): the PBX still answers actions
        this.pingAnswered(conn);
        return;
      }
      this.log.debug({ connection: conn.id, actionId }, 'AMI response for no pending action (late, or not ours)');
      return;
    }
    if (header(m, 'Response') === 'Error') {
      this.finish(p, fail('AMI_ACTION_ERROR', `${p.name}: Asterisk answered Error: ${header(m, 'Message') ?? 'no message'}`, m));
      return;
    }
    p.response = m;
    if ((header(m, 'EventList') ?? '').toLowerCase() === 'start') {
      p.listing = true;
      return;
    }
    if (p.waitEvent !== undefined) return;
    this.finish(p, { ok: true, value: { response: m, events: [] } });
  }

  private loggedIn(conn: Connection): void {
    clearTimeout(conn.loginTimer);
    conn.state = 'up';
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.failures = 0;
    this.log.info({ connection: conn.id, banner: conn.banner, reconnect }, `AMI logged in to ${this.where()}`);
    for (const w of [...this.readyWaiters]) w();
    this.emitter.emit('connected', { banner: conn.banner, reconnect, connectionId: conn.id });
    this.schedulePing(conn);
    if (this.opts.resyncOnConnect ?? true) this.resync(conn, reconnect, 0);
  }

  /**
   * CoreShowChannels, then `resync`. A list that fails (a timeout on a busy PBX) is asked again on the same
   * connection after resyncRetryMs, doubling up to a minute, until it answers: without it the calls whose end
   * was missed while AMI was down would stay open until the next reconnect.
   */
  private resync(conn: Connection, reconnect: boolean, failures: number): void {
    // resync is emitted synchronously when the list completes: events behind the list in the same read were
    // raised after Asterisk took it (a call they start is not listed), so they must reach listeners after it
    void this.send({ Action: 'CoreShowChannels' }, this.opts.actionTimeoutMs ?? 10_000, undefined, (r) => {
      if (r.ok) {
        this.emitter.emit('resync', { reconnect, channels: r.value.events.filter((m) => m['Event'] === 'CoreShowChannel') });
        return;
      }
      if (this.conn !== conn || conn.state !== 'up') return;
      const wait = Math.min(60_000, (this.opts.resyncRetryMs ?? 5_000) * 2 ** failures);
      this.log.warn({ code: r.error.code, connection: conn.id, retryInMs: wait }, `AMI resync (CoreShowChannels) failed: ${r.error.message}; asked again in ${wait} ms`);
      conn.resyncTimer = setTimeout(() => {
        if (this.conn === conn && conn.state === 'up') this.resync(conn, reconnect, failures + 1);
      }, wait);
      conn.resyncTimer.unref();
    });
  }

  private pingAnswered(conn: Connection): void {
    conn.pingMissed = 0;
    conn.missedPingIds.clear();
  }

  private schedulePing(conn: Connection): void {
    const interval = this.opts.pingIntervalMs ?? 15_000;
    if (interval <= 0) return;
    const timeoutMs = this.opts.pingTimeoutMs ?? 5_000;
    const misses = Math.max(1, this.opts.pingMisses ?? 3);
    conn.pingTimer = setTimeout(() => {
      const bytesAtSend = conn.bytesIn;
      const pingId = this.newActionId();
      void this.send({ Action: 'Ping', ActionID: pingId }, timeoutMs, undefined).then((r) => {
        if (this.conn !== conn) return;
        if (r.ok || r.error.code !== 'AMI_TIMEOUT') {
          if (r.ok) this.pingAnswered(conn);
          this.schedulePing(conn);
          return;
        }
        // Decide after the poll phase: when the event loop was blocked past the deadline, the timer runs
        // before the bytes already waiting in the socket (the Pong among them) are read.
        conn.missedPingIds.add(pingId);
        setImmediate(() => {
          if (this.conn !== conn) return;
          if (!conn.missedPingIds.has(pingId)) {
            this.schedulePing(conn); // its Pong was read meanwhile
            return;
          }
          if (conn.bytesIn === bytesAtSend) {
            this.dropConnection(conn, amiError('AMI_PING_TIMEOUT', `${this.where()} did not answer a Ping within ${timeoutMs} ms and sent nothing else; the connection is taken as dead`));
            return;
          }
          conn.pingMissed++;
          if (conn.pingMissed >= misses) {
            this.dropConnection(conn, amiError('AMI_PING_TIMEOUT', `${this.where()} left ${conn.pingMissed} Pings in a row unanswered for ${timeoutMs} ms each while still sending events; the connection is taken as stuck and opened again`));
            return;
          }
          this.log.warn({ code: 'AMI_PING_TIMEOUT', connection: conn.id, missed: conn.pingMissed, of: misses }, `AMI ${this.where()} did not answer a Ping within ${timeoutMs} ms but is still sending; kept (${conn.pingMissed} of ${misses})`);
          this.schedulePing(conn);
        });
      });
    }, interval);
  }

  // ---- actions ----

  private send(action: AmiAction, timeoutMs: number, waitEvent: string | undefined, settled?: (r: AmiResult<AmiActionReply>) => void): Promise<AmiResult<AmiActionReply>> {
    const name = typeof action['Action'] === 'string' ? action['Action'] : '(no Action)';
    if (this.isClosed) return Promise.resolve(fail('AMI_CLOSED', `${name}: the AMI client is closed`));
    const conn = this.conn;
    if (conn === undefined || conn.state !== 'up') return Promise.resolve(fail('AMI_NOT_CONNECTED', `${name}: not logged in to ${this.where()} (reconnecting)`));
    const given = action['ActionID'];
    if (given !== undefined && typeof given !== 'string') return Promise.resolve(fail('AMI_BAD_ACTION', `${name}: ActionID must be a string; nothing was sent`));
    if (given !== undefined && this.pending.has(given)) return Promise.resolve(fail('AMI_BAD_ACTION', `${name}: ActionID ${JSON.stringify(given)} is already waiting for its answer; nothing was sent`));
    const id = given ?? this.newActionId();
    const { Action: act, ActionID: _drop, ...rest } = action;
    const text = formatAction({ Action: act, ActionID: id, ...rest });
    if (!text.ok) return Promise.resolve(text as AmiResult<never>);
    return new Promise((resolve) => {
      const p: Pending = {
        id,
        connectionId: conn.id,
        name,
        resolve,
        timer: setTimeout(() => this.finish(p, fail('AMI_TIMEOUT', `${name}: no answer from ${this.where()} within ${timeoutMs} ms`)), timeoutMs),
        response: undefined,
        events: [],
        listing: false,
        waitEvent,
        settled,
      };
      this.pending.set(id, p);
      this.syncFilter();
      conn.socket.write(text.value);
    });
  }

  private finish(p: Pending, result: AmiResult<AmiActionReply>): void {
    if (this.pending.get(p.id) !== p) return;
    clearTimeout(p.timer);
    this.pending.delete(p.id);
    this.syncFilter();
    p.settled?.(result);
    p.resolve(result);
  }

  /** `parser.only` applies while no action waits for its answer, so that list items and OriginateResponse come whole. */
  private syncFilter(): void {
    const conn = this.conn;
    if (conn !== undefined && this.opts.parser?.only !== undefined) conn.parser.filtering = this.pending.size === 0;
  }
}
