/**
 * startPbx: an AMI server over real TCP that behaves like Asterisk where a client can tell (see
 * docs/design/ami.md), replays captures byte for byte or as fresh calls, records every action, and takes
 * faults for tests.
 */
import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AmiParser, type AmiMessage } from '../../ami-wire/index.ts';
import { answerAction, defaultPlan, originateProblem, type ActionContext } from './actions.ts';
import { loadCapture, rewriteCapture, splitBlocks, type CaptureSource, type RewriteCounters } from './capture.ts';
import { ChannelTable } from './channels.ts';
import { Session } from './session.ts';
import type { OriginatePlan, Pbx, PbxFaults, RecordedAction, ReplayOptions, ReplayResult, StartPbxOptions } from './types.ts';
import { formatBlock, getHeader, response, type WireFields } from './wire.ts';

export const DEFAULT_AMI_VERSION = '5.0.5';
export const DEFAULT_USERS = { hookline: { secret: 'hookline' } } as const;

export async function startPbx(options: StartPbxOptions = {}): Promise<Pbx> {
  const now = options.now ?? Date.now;
  const startedAtMs = now();
  const host = options.host ?? '127.0.0.1';
  const version = options.version ?? DEFAULT_AMI_VERSION;
  const faults: PbxFaults = { silentConnections: 0, ignoreLogins: 0, closeOnLogins: 0, refuseLogins: 0, splitLoginWrite: false, afterNextChannelList: '', ignoreChannelLists: 0, ignorePings: 0, ...options.faults };
  const sessions = new Map<number, Session>();
  const actions: RecordedAction[] = [];
  const maxActions = Math.max(1, options.maxActions ?? 10_000);
  const channels = new ChannelTable(now);
  const counters: RewriteCounters = { seq: 1, channel: 1, bridge: 1 };
  let nextId = 1;
  let connectionCount = 0;
  let loginCount = 0;
  let closed = false;
  let originatePlan = options.originate;

  const receivers = (to?: number): Session[] => {
    const out: Session[] = [];
    for (const s of sessions.values()) {
      if (to !== undefined && s.id !== to) continue;
      if (s.authenticated && s.eventsOn && !s.stalled && s.isOpen) out.push(s);
    }
    return out;
  };

  const trackChannels = (bytes: Buffer): void => {
    const parser = new AmiParser();
    for (const m of parser.push(bytes).messages) channels.apply(m);
  };

  const sendEvent = (block: string, to?: number): Promise<void>[] => receivers(to).map((s) => s.write(block));

  const originate = (session: Session, action: AmiMessage, id: string): void => {
    const problem = originateProblem(action);
    if (problem !== undefined) {
      void session.write(response('Error', id, [['Message', problem]]));
      return;
    }
    const isAsync = ['true', 'yes', '1', 'on'].includes(getHeader(action, 'Async').toLowerCase());
    if (isAsync) void session.write(response('Success', id, [['Message', 'Originate successfully queued']]));
    void (async () => {
      let plan: OriginatePlan;
      try {
        plan = await (originatePlan ?? defaultPlan)(action);
      } catch {
        plan = { response: 'Failure', reason: 0 };
      }
      if (plan.delayMs) await sleep(plan.delayMs);
      if (closed) return;
      if (plan.capture !== undefined) await replay(plan.capture, { rewrite: true });
      const ok = plan.response === 'Success';
      const reason = plan.reason ?? (ok ? 4 : 0);
      const channel = plan.channel ?? getHeader(action, 'Channel');
      const uniqueid = plan.uniqueid ?? (ok ? `${Math.floor(now() / 1000)}.${counters.seq++}` : '<unknown>');
      if (!isAsync) {
        void session.write(ok
          ? response('Success', id, [['Message', 'Originate successfully queued']])
          : response('Error', id, [['Message', 'Originate failed']]));
        return;
      }
      const fields: Array<[string, string]> = [['Event', 'OriginateResponse'], ['Privilege', 'call,all']];
      if (id !== '') fields.push(['ActionID', id]);
      fields.push(['Response', ok ? 'Success' : 'Failure'], ['Channel', channel]);
      const app = getHeader(action, 'Application');
      if (app !== '') fields.push(['Application', app], ['Data', getHeader(action, 'Data')]);
      else fields.push(['Context', getHeader(action, 'Context')], ['Exten', getHeader(action, 'Exten')]);
      fields.push(['Reason', String(reason)], ['Uniqueid', uniqueid]);
      const cid = getHeader(action, 'CallerID');
      const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(cid);
      fields.push(['CallerIDNum', m ? m[2]! || '<unknown>' : cid || '<unknown>'], ['CallerIDName', m ? m[1]! || '<unknown>' : '<unknown>']);
      // OriginateResponse goes to every session with call read permission, not only the one that asked
      await Promise.all(sendEvent(formatBlock(fields)));
    })();
  };

  const ctx: ActionContext = {
    users: options.users ?? DEFAULT_USERS,
    faults,
    loginFailureDelayMs: options.loginFailureDelayMs ?? 1000,
    fullyBooted: options.fullyBooted ?? true,
    startedAtMs,
    now,
    channels,
    onLogin: () => {
      loginCount++;
    },
    originate,
    onAction: options.onAction,
  };

  const server: Server = createServer((socket) => {
    connectionCount++;
    const session = new Session(nextId++, socket, {
      onAction: (s, action) => {
        actions.push({ client: s.id, atMs: now() - startedAtMs, action });
        // the engine pings every 15 s and the demo runs as long as hookline does
        if (actions.length > maxActions) actions.splice(0, actions.length - maxActions);
        answerAction(ctx, s, action);
      },
      onParseError: (s, message) => void s.write(response('Error', '', [['Message', message]])),
      onClose: (s) => sessions.delete(s.id),
    });
    sessions.set(session.id, session);
    if (faults.silentConnections > 0) {
      faults.silentConnections--;
      session.silent = true;
      return;
    }
    if (faults.ignoreLogins > 0) {
      faults.ignoreLogins--;
      session.ignoreLogin = true;
    }
    // the banner: one line, no empty line after it
    void session.write(`Asterisk Call Manager/${version}\r\n`);
  });
  server.on('error', () => {});

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  async function replay(capture: CaptureSource, opts: ReplayOptions = {}): Promise<ReplayResult> {
    let bytes = loadCapture(capture);
    if (opts.rewrite) bytes = Buffer.from(rewriteCapture(bytes.toString('utf8'), counters, now() / 1000), 'utf8');
    const pace = opts.pace ?? 'asap';
    if (pace === 'asap') {
      trackChannels(bytes);
      await Promise.all(receivers(opts.to).map((s) => s.write(bytes)));
      return { blocks: splitBlocks(bytes).length, bytes: bytes.length };
    }
    const blocks = splitBlocks(bytes);
    let prev: number | undefined;
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      let gap = 0;
      if ('everyMs' in pace) gap = i === 0 ? 0 : pace.everyMs;
      else if (prev !== undefined && b.time !== undefined) gap = Math.min(Math.max(0, (b.time - prev) * 1000 * pace.scale), pace.maxGapMs ?? 5000);
      if (b.time !== undefined) prev = b.time;
      if (gap > 0) await sleep(gap);
      if (closed) break;
      trackChannels(b.bytes);
      await Promise.all(receivers(opts.to).map((s) => s.write(b.bytes)));
    }
    return { blocks: blocks.length, bytes: bytes.length };
  }

  const pbx: Pbx = {
    host,
    port,
    actions,
    setOriginate(plan) {
      originatePlan = plan;
    },
    get clients() {
      return [...sessions.values()].filter((s) => s.isOpen).map((s) => s.info());
    },
    get connectionCount() {
      return connectionCount;
    },
    get loginCount() {
      return loginCount;
    },
    faults,
    replay,
    emit(event: WireFields | string, to?: number) {
      const block = typeof event === 'string' ? event : formatBlock(event);
      trackChannels(Buffer.from(block, 'utf8'));
      sendEvent(block, to);
    },
    sendRaw(bytes: Buffer | string, to?: number) {
      for (const s of sessions.values()) if (to === undefined || s.id === to) void s.write(bytes);
    },
    drop(clientId?: number) {
      for (const s of [...sessions.values()]) if (clientId === undefined || s.id === clientId) s.destroy();
    },
    stall(clientId?: number) {
      for (const s of sessions.values()) if (clientId === undefined || s.id === clientId) s.stalled = true;
    },
    setChannels(list) {
      channels.set(list);
    },
    channelCount: () => channels.size,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sessions.values()) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return pbx;
}



