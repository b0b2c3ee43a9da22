/**
 * The call engine assembled: AMI → tracker → stage decisions (need_registration, process_client_phone) →
 * at call_ended the registrar (outbox-journaled Kommo writes through the CRM hook points). `npm start`, the
 * `hookline demo` command and the end-to-end tests all build the engine here, so they run the same code.
 */
import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { connectAmi, type AmiClient } from './ami/index.ts';
import { followCalls, type CallFollower, type FinishedCall } from './calls/index.ts';
import type { HookInvoker } from './hooks/index.ts';
import type { AmiMessage } from '../ami-wire/index.ts';
import { createKommoClient, observeKommo, type KommoAuth, type KommoClient, type KommoObserver } from './kommo/index.ts';
import { openOutbox, type Outbox } from './outbox/index.ts';
import type { StageContext } from './stages/index.ts';
import { createPhoneNormalizer } from './phone/index.ts';
import { TRACKER_AMI_ONLY } from './tracker/index.ts';
import { createPhoneIndex, observeLookups, type PhoneIndex } from './phone-index/index.ts';
import { createRegistrar, notRegisteredReason, toRegistration, type CallToRegister, type RecordingLinker, type Registrar, type StartResult } from './registrar/index.ts';

export interface EngineOptions {
  config: Config;
  /** Where the outbox journal lives (the data folder). */
  dataDir: string;
  ami: { host: string; port: number; username: string; secret: string; pingIntervalMs?: number; loginTimeoutMs?: number };
  kommo: { baseUrl: string; auth: KommoAuth; requestsPerSecond?: number; rateWindowMs?: number; timeoutMs?: number; batchWindowMs?: number; observe?: KommoObserver };
  /** How hook points run (engine/hooks createHookInvoker, made in app/: published scripts, captures, failure log, status). */
  hooks: HookInvoker;
  log: Logger;
  /** Every call the tracker finished, with whether it went to the registrar. */
  onCall?: (call: FinishedCall, submitted: boolean) => void;
  /** Every AMI event as the tracker reads it (the call's story records them; stories/). */
  onEvent?: (msg: AmiMessage) => void;
  /** A call registered or failed for good. */
  onOutcome?: (o: { linkedid: string; ok: boolean; error?: { code: string; message: string } }) => void;
  recordings?: RecordingLinker;
  /** Registrar tuning (tests and benchmarks). */
  registrar?: { concurrency?: number; retryBaseMs?: number; retryMaxMs?: number; ambiguousSettleMs?: number; maxAttempts?: number };
  /** Outbox fsync (default true). */
  fsync?: boolean;
}

export interface Engine {
  ami: AmiClient;
  kommo: KommoClient;
  hooks: HookInvoker;
  registrar: Registrar;
  outbox: Outbox<CallToRegister>;
  follower: CallFollower;
  /** The stage decisions as live calls get them (cel/ rebuilds calls from CEL through the same). */
  stages: StageContext;
  /** Loads the Kommo account facts (PHONE field, users, pipelines) and starts registering (and the phone index). */
  start(): Promise<StartResult>;
  /** The account's phones (config `registration.phoneIndex`), or null when turned off. */
  phoneIndex: PhoneIndex | null;
  /** Calls followed but not yet handed over, plus the registrar's queue. */
  inFlight(): number;
  /** Resolves when every finished call so far is registered or failed (retries waiting included). */
  idle(): Promise<void>;
  /** AMI connection state and since when. */
  amiState(): { connected: boolean; since: number | null };
  close(): Promise<void>;
}

/**
 * The events and headers the engine's AMI parser decodes (the rest is skipped undecoded): the tracker's, and
 * click-to-call's OriginateResponse. `hookline calls` parses the same, so a capture replays as the engine read it.
 */
export const ENGINE_AMI_ONLY = {
  events: [...TRACKER_AMI_ONLY.events, 'OriginateResponse'],
  headers: [...TRACKER_AMI_ONLY.headers, 'ActionID', 'Response', 'Reason', 'CallerIDNum', 'Uniqueid'],
};

/** The config names trunks by endpoint ("PJSIP/provider"); the tracker matches channel names ("PJSIP/provider-0000002a"). */
export function trackerConfig(pbx: Config['pbx'], users: Config['users'] = {}) {
  const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    internalNumbers: new RegExp(pbx.internalNumbers),
    // trunks named: only they are; none named: the tracker takes them from the traffic and says which (TRACKER_TRUNK_GUESSED)
    ...(pbx.trunks.length ? { trunks: pbx.trunks.map((t) => new RegExp(`^${escape(t)}(-|$)`)) } : { guessTrunks: true }),
    inboundContexts: pbx.inboundContexts,
    extensions: new Set(Object.keys(users)),
    timezone: pbx.timezone,
  };
}

export async function createEngine(o: EngineOptions): Promise<Engine> {
  const log = o.log;
  const c = o.config;
  const hooks = o.hooks;
  const client = createKommoClient({
    baseUrl: o.kommo.baseUrl, auth: o.kommo.auth, logger: log,
    requestsPerSecond: o.kommo.requestsPerSecond ?? c.kommo?.requestsPerSecond ?? 7,
    ...(o.kommo.rateWindowMs ? { rateWindowMs: o.kommo.rateWindowMs } : {}),
    timeoutMs: o.kommo.timeoutMs ?? c.kommo?.timeoutMs ?? 10_000,
    ...(o.kommo.batchWindowMs !== undefined ? { batch: { windowMs: o.kommo.batchWindowMs } } : {}),
  });
  // With CEL configured, registered calls are remembered for the longest gap the catch-up reads (cel/), so a call
  // read again from CEL is found here and not written twice.
  const rememberDoneMs = c.cel ? Math.ceil(c.cel.catchUp.maxGapHours * 3_600_000) : 0;
  // Every request and its answer, seen by the call's story (stories/): the client's methods, with their linkedid.
  const kommo = o.kommo.observe ? observeKommo(client, o.kommo.observe) : client;
  const outbox = await openOutbox<CallToRegister>(o.dataDir, { log, fsync: o.fsync ?? true, rememberDoneMs });
  const r = c.registration;
  const phoneIndex = r.phoneIndex.enabled
    ? createPhoneIndex({ kommo, dir: o.dataDir, account: o.kommo.baseUrl, refreshMs: r.phoneIndex.refreshSeconds * 1000, log })
    : undefined;
  const registrar = createRegistrar({
    kommo, hooks, outbox, log, users: c.users,
    settings: {
      mode: r.mode, createLead: r.createLead, tags: r.tags, updateResponsible: r.updateResponsible, tasks: r.tasks, timezone: c.pbx.timezone,
      ...(r.pipelineId !== undefined ? { pipelineId: r.pipelineId } : {}),
      ...(r.statusId !== undefined ? { statusId: r.statusId } : {}),
      ...(r.defaultUserId !== undefined ? { defaultUserId: r.defaultUserId } : {}),
    },
    ...(o.recordings ? { recordings: o.recordings } : {}),
    // each lookup of a call reported with its Kommo requests (the call's story; the dry run answers it the same)
    ...(phoneIndex ? { phoneIndex: o.kommo.observe ? observeLookups(phoneIndex, o.kommo.observe) : phoneIndex } : {}),
    ...(o.registrar ?? {}),
    onOutcome: (x) => o.onOutcome?.(x),
  });

  const ami = connectAmi({
    host: o.ami.host, port: o.ami.port, username: o.ami.username, secret: o.ami.secret, logger: log,
    // Events the tracker does not read are skipped before their headers are decoded (bench: ami, tracker).
    // OriginateResponse is click-to-call's answer to its async Originate (it arrives after the action's reply).
    parser: { only: ENGINE_AMI_ONLY },
    ...(o.ami.pingIntervalMs !== undefined ? { pingIntervalMs: o.ami.pingIntervalMs } : {}),
    ...(o.ami.loginTimeoutMs !== undefined ? { loginTimeoutMs: o.ami.loginTimeoutMs } : {}),
  });
  let amiConnected = false;
  let amiSince: number | null = null;
  ami.on('connected', () => {
    amiConnected = true;
    amiSince = Date.now();
  });
  ami.on('disconnected', () => {
    amiConnected = false;
    amiSince = Date.now();
  });

  const submissions = new Set<Promise<unknown>>();
  const stages: StageContext = {
    filters: c.filters, normalizePhone: createPhoneNormalizer(c.phone), hooks, users: (ext) => registrar.userByExtension(ext),
    needRegistrationOnFailure: c.hooks.need_registration?.onFailure ?? 'register',
  };
  const follower = followCalls({
    ami,
    tracker: trackerConfig(c.pbx, c.users),
    stages,
    // with the CEL catch-up on, a call that ended while AMI was down is registered whole from CEL, not as AMI half saw it
    ...(c.cel?.catchUp.enabled ? { resyncClosed: 'leave-to-cel' as const } : {}),
    log,
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    onCall(call) {
      const registration = toRegistration(call);
      o.onCall?.(call, registration !== null);
      if (!registration) {
        log.debug({ linkedid: call.linkedid, reason: notRegisteredReason(call) }, 'call not registered');
        return;
      }
      const p = registrar
        .submit(registration)
        .catch((e: unknown) => log.error({ linkedid: call.linkedid, err: String(e) }, 'could not queue the call for registration; it is retried when the engine restarts only if the PBX replays it'))
        .finally(() => submissions.delete(p));
      submissions.add(p);
    },
  });

  return {
    ami, kommo, hooks, registrar, outbox, follower, stages,
    async start() {
      const started = await registrar.start();
      // Built (or read from the data folder) in the background: calls are searched for until it is ready.
      if (started.ok) void phoneIndex?.start();
      return started;
    },
    phoneIndex: phoneIndex ?? null,
    inFlight: () => follower.inFlight() + registrar.stats().inProgress,
    async idle() {
      await follower.idle();
      while (submissions.size) await Promise.all([...submissions]);
      await registrar.idle();
    },
    amiState: () => ({ connected: amiConnected, since: amiSince }),
    async close() {
      follower.stop();
      await ami.close();
      while (submissions.size) await Promise.all([...submissions]);
      await registrar.close();
      await phoneIndex?.close();
      await outbox.close();
    },
  };
}
