/**
 * startDemoPbx: sim/pbx on loopback, looping the demo captures forever, each replay a fresh call at the
 * current time, paced so a person can follow it, sent to every logged-in client. A call starts only when a
 * client is listening (so the engine, connecting a moment after the PBX starts, sees whole calls).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/index.ts';
import { header, type AmiMessage } from '../ami-wire/index.ts';
import { startPbx, type OriginatePlan, type Pbx, type RewriteCounters } from '../sim/pbx/index.ts';
import { loadDemoCaptures, type DemoCapture, type DemoProblem } from './captures.ts';
import { freshCall, stampBlock } from './fresh-call.ts';
import type { ErrorCode } from '../contracts/index.ts';

export interface DemoCredentials {
  username: string;
  secret: string;
}

export interface DemoCallStarted {
  /** Capture name, e.g. `caco-inbound-queue-answered`. */
  capture: string;
  /** This replay's linkedids, the call's own first (the capture's metadata order). */
  linkedids: string[];
  /** What the capture's metadata says happened to the first linkedid. */
  direction: DemoCapture['direction'];
  answered: boolean;
  /** 1 for the first call the demo started. */
  n: number;
}

export interface StartDemoPbxOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The AMI login the PBX accepts. Default user `hookline` with a random secret. */
  credentials?: DemoCredentials;
  /** Gap between two events of a call (ms); the pause between calls is PAUSE_IN_PACES × paceMs. Default 60. */
  paceMs?: number;
  log: Logger;
  /** Told of each call as it starts (also logged at info). */
  onCallStarted?: (call: DemoCallStarted) => void;
  /** Captures folder; default demo/captures. */
  capturesDir?: string;
}

export interface DemoPbx {
  port: number;
  host: string;
  credentials: DemoCredentials;
  /** Stops the loop (the call being replayed is cut short) and closes the PBX and its connections. */
  stop(): Promise<void>;
  /** Calls (capture replays) started so far, click-to-call ones included. */
  callsStarted(): number;
  /** Originates answered with a demo call (click-to-call in the demo). */
  clicksAnswered(): number;
}

/**
 * Click-to-call in the demo: an Originate is answered by replaying the click-to-dial capture (the agent at
 * extension 201 rings first, then the number is dialled through the trunk and answers) with the clicked number
 * in place of the one the capture dialled, so the call the engine follows and registers is the one asked for.
 */
export const DEMO_CLICK_CAPTURE = 'caco-originate-ctd-outbound-answered';
/** The number the click-to-dial capture dialled: every occurrence is the callee (its metadata's `what_happened.to`). */
export const DEMO_CLICK_CAPTURE_NUMBER = '+31260010001';
/** What the demo dials in place of the capture's number; anything else (a name, an odd form) plays the capture as recorded. */
const DIALLABLE = /^\+?[0-9]{3,20}$/;

export const DEFAULT_PACE_MS = 60;
/** Pause between two calls, in paces: 25 × 60 ms = 1.5 s; a capture of 30-146 events takes 2-9 s at 60 ms. */
export const PAUSE_IN_PACES = 25;

/**
 * What the configuration needs to read the demo captures as the demo means them (pbx section): the
 * cacofonisk platform's trunk, so calls through it are inbound/outbound; the extensions (201, 202, …) match
 * the default internalNumbers.
 */
export const DEMO_PBX_SETTINGS = { trunks: ['SIP/voipgrid-siproute-docker'] } as const;

/** Thrown when the demo cannot start (captures missing, port taken): `code` and `hint` say which and what to do. */
export class DemoStartError extends Error {
  readonly code: DemoProblem['code'] | Extract<ErrorCode, 'DEMO_PBX_LISTEN'>;
  readonly hint: string;
  constructor(code: DemoStartError['code'], message: string, hint: string) {
    super(message);
    this.name = 'DemoStartError';
    this.code = code;
    this.hint = hint;
  }
}

export async function startDemoPbx(o: StartDemoPbxOptions): Promise<DemoPbx> {
  const loaded = loadDemoCaptures(o.capturesDir);
  if (!loaded.ok) throw new DemoStartError(loaded.error.code, loaded.error.message, loaded.error.hint);
  const captures = loaded.value;
  const host = o.host ?? '127.0.0.1';
  const credentials = o.credentials ?? { username: 'hookline', secret: randomBytes(12).toString('base64url') };
  const paceMs = Math.max(0, o.paceMs ?? DEFAULT_PACE_MS);
  const log = o.log.child({ module: 'demo' });
  let pbx: Pbx;
  try {
    pbx = await startPbx({ host, port: o.port ?? 0, users: { [credentials.username]: { secret: credentials.secret } } });
  } catch (e) {
    throw new DemoStartError('DEMO_PBX_LISTEN', `the demo PBX cannot listen on ${host}:${o.port ?? 0}: ${(e as Error).message}`, 'choose another port, or stop what uses it');
  }
  const abort = new AbortController();
  const counters: RewriteCounters = { seq: 1, channel: 1, bridge: 1 };
  let started = 0;

  let clicks = 0;
  const clickCapture = captures.find((c) => c.name === DEMO_CLICK_CAPTURE);
  // Asterisk emits the originated call's events before its OriginateResponse: the plan resolves after the replay.
  pbx.setOriginate(async (action: AmiMessage): Promise<OriginatePlan> => {
    if (!clickCapture) return { response: 'Failure', reason: 0 };
    const exten = header(action, 'Exten') ?? '';
    const number = DIALLABLE.test(exten) ? exten : DEMO_CLICK_CAPTURE_NUMBER;
    clicks++;
    await playOne({ ...clickCapture, text: clickCapture.text.split(DEMO_CLICK_CAPTURE_NUMBER).join(number), summary: `201 (click-to-call) -> ${number}` }, 'click-to-call');
    return { response: 'Success', reason: 4 };
  });

  const listening = () => pbx.clients.some((c) => c.authenticated && c.eventsOn && !c.stalled);
  const pause = (ms: number) => sleep(ms, undefined, { signal: abort.signal });

  async function playOne(capture: DemoCapture, why = 'loop'): Promise<void> {
    while (!listening()) await pause(100);
    const call = freshCall(capture.text, counters, Date.now() / 1000);
    const linkedids = capture.linkedids.map((id) => call.linkedids.get(id) ?? id);
    const info: DemoCallStarted = { capture: capture.name, linkedids, direction: capture.direction, answered: capture.answered, n: ++started };
    log.info({ linkedid: linkedids[0], linkedids, capture: capture.name, direction: capture.direction, answered: capture.answered, call: capture.summary, why }, 'demo call started');
    o.onCallStarted?.(info);
    for (let i = 0; i < call.blocks.length; i++) {
      if (i > 0 && paceMs > 0) await pause(paceMs);
      pbx.emit(stampBlock(call.blocks[i]!, Date.now()));
    }
  }

  const loop = (async () => {
    try {
      for (;;) {
        for (const capture of captures) {
          await playOne(capture);
          await pause(PAUSE_IN_PACES * paceMs);
        }
      }
    } catch (e) {
      if (!abort.signal.aborted) log.error({ err: String(e) }, 'the demo call loop stopped; the demo PBX stays up without new calls');
    }
  })();

  log.info({ host, port: pbx.port, captures: captures.length, paceMs }, 'demo PBX listening: replaying the demo captures as fresh calls');
  return {
    port: pbx.port,
    host,
    credentials,
    callsStarted: () => started,
    clicksAnswered: () => clicks,
    async stop() {
      abort.abort();
      await loop;
      await pbx.close();
    },
  };
}
