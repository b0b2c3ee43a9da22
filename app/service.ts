/**
 * hookline assembled: the scripts store, the sandbox, the call engine (AMI → tracker → stage hooks →
 * registrar → Kommo), the status collector and the editor with its route modules (metrics, autodistribution,
 * click-to-call). In demo mode (no PBX and no Kommo configured) the built-in demo PBX loops the shipped captures
 * and the built-in Kommo emulator holds a demo account, all on loopback. `npm start` and `hookline demo` run this.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeError, type HookName } from '../contracts/index.ts';
import { adminFileProblem } from './admin-file.ts';
import { secret, type Config } from '../config/index.ts';
import { DEMO_PBX_SETTINGS, startDemoPbx, type DemoPbx } from '../demo/index.ts';
import { startEditor, type Editor } from '../editor/index.ts';
import { createAutodistribution } from '../engine/autodistribution/index.ts';
import { createClickToCall } from '../engine/click-to-call/index.ts';
import { createPublishedScripts, recordInto, type PublishedScripts } from '../engine/hooks/index.ts';
import { createEngine, type Engine, type EngineOptions, type RecordingLinker } from '../engine/index.ts';
import { createRecordings, recordingsCapabilities, type Recordings } from '../engine/recordings/index.ts';
import { createTokenFile, type KommoAuth, type TokenStore } from '../engine/kommo/index.ts';
import { createPhoneNormalizer } from '../engine/phone/index.ts';
import { createAuth, type Auth, type RouteModule } from '../http/index.ts';
import type { Logger } from '../log/index.ts';
import { createRunner, type Runner } from '../sandbox/index.ts';
import { openStore, type Store } from '../scripts-store/index.ts';
import { startKommo, type KommoSim } from '../sim/kommo/index.ts';
import { createStatus, kommoHealthOf, metricsRoutes, type Status } from '../status/index.ts';

/** Demo account users (sim/kommo 'demo') for the demo captures' extensions. */
export const DEMO_USERS: Record<string, number> = { '201': 5_001_001, '202': 5_001_002, '203': 5_001_003, '401': 5_001_004 };

export interface ServiceOptions {
  config: Config;
  demo: boolean;
  log: Logger;
  /** Start the editor (default true). `hookline demo` runs without it. */
  editor?: boolean;
  /** Demo: the captures folder (default demo/captures) and the pace; `once` plays each capture once, fast. */
  demoPbx?: { capturesDir?: string; paceMs?: number };
  /** Override where the engine connects (tests and `hookline demo` bring their own PBX). */
  pbxOverride?: { host: string; port: number; username: string; secret: string };
  kommoRateWindowMs?: number;
  engine?: Partial<Pick<EngineOptions, 'registrar' | 'fsync'>>;
  /** Every call the tracker finished, and whether it went to the registrar. */
  onCall?: EngineOptions['onCall'];
  /** A call registered, or failed for good. */
  onOutcome?: EngineOptions['onOutcome'];
}

export interface Service {
  store: Store;
  runner: Runner;
  scripts: PublishedScripts;
  engine: Engine;
  status: Status;
  auth: Auth | null;
  editor: Editor | null;
  demoPbx: DemoPbx | null;
  kommoSim: KommoSim | null;
  dataDir: string;
  /**
   * The demo's click-to-call token, generated at start when the demo runs without `clickToCall.token`, so that
   * click-to-call can be tried at once (the demo PBX answers an Originate with a call to the number). Else null.
   */
  demoClickToCallToken: string | null;
  /** The Kommo start check: ok, or why calls are not registered. */
  started: Awaited<ReturnType<Engine['start']>>;
  stop(): Promise<void>;
}

export class ServiceError extends Error {
  readonly code: string;
  readonly hint: string;
  constructor(code: string, message: string, hint: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

function kommoAuth(config: Config, dataDir: string): KommoAuth {
  const k = config.kommo;
  const token = secret(k?.token as never);
  if (token) return { kind: 'long-lived', token };
  const o = k?.oauth;
  if (o) {
    return {
      kind: 'oauth', clientId: o.clientId, clientSecret: secret(o.clientSecret as never) ?? '', redirectUri: o.redirectUri,
      tokens: seededTokens(createTokenFile(join(dataDir, 'kommo-tokens.json')), secret(o.refreshToken as never)),
    };
  }
  throw new ServiceError('CONFIG_INVALID', 'kommo needs a long-lived `token` or an `oauth` section', 'Add kommo.token (Kommo → Settings → Integrations → your private integration → Keys and scopes → long-lived token), or kommo.oauth.');
}

/**
 * The OAuth pair kept in the data folder. Before the first refresh there is none yet: the refresh token of the
 * code exchange (kommo.oauth.refreshToken) starts it, with no access token, so the first request refreshes at
 * once and the new pair is saved. From then on the saved pair is used (the configured refresh token is spent).
 */
function seededTokens(file: TokenStore, refreshToken: string | undefined): TokenStore {
  return {
    async load() {
      const kept = await file.load();
      if (kept || !refreshToken) return kept;
      return { accessToken: '', refreshToken, expiresAt: 0 };
    },
    save: (t) => file.save(t),
  };
}

export async function startService(o: ServiceOptions): Promise<Service> {
  const log = o.log;
  const dataDir = resolve(o.config.dataDir);
  // The demo reads its captures as the demo means them: the captures' trunk, and their extensions as Kommo users.
  const config: Config = o.demo
    ? { ...o.config, pbx: { ...o.config.pbx, trunks: o.config.pbx.trunks.length ? o.config.pbx.trunks : [...DEMO_PBX_SETTINGS.trunks] }, users: Object.keys(o.config.users).length ? o.config.users : DEMO_USERS }
    : o.config;
  const cleanups: (() => Promise<void> | void)[] = [];
  // The admin password generated by this start: only shown once hookline runs, so a start that fails forgets it.
  let generatedAdminFile: string | null = null;
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (e) {
        log.error({ err: String(e) }, 'stopping a part of hookline failed');
      }
    }
  };
  try {
    const s = await openStore(dataDir, { captureRing: config.captures.ringSize, captureEnabled: config.captures.enabled });
    if (!s.ok) throw new ServiceError(s.error.code, s.error.message, s.error.hint);
    const store = s.value;
    cleanups.push(async () => {
      await store.close();
    });
    // Before anything starts: the editor's admin.json, when it is the one the admin logs in with.
    const adminConfig = config.editor.admin;
    if (o.editor !== false && !adminConfig?.passwordHash && secret(adminConfig?.password as never) === undefined) {
      const bad = adminFileProblem(dataDir);
      if (bad) throw new ServiceError(bad.code, bad.message, bad.hint);
    }
    const runner = createRunner({
      supervisor: { onCrash: (detail) => log.error({ detail }, 'the sandbox process died and was restarted') },
      // WAV → MP3 for process_record_file_path only (engine/recordings).
      capabilities: recordingsCapabilities({ dir: config.recordings.dir, dataDir }),
    });
    cleanups.push(() => runner.close());
    const scripts = createPublishedScripts(store, runner, log);
    cleanups.push(() => scripts.close());
    const status = createStatus();

    let demoPbx: DemoPbx | null = null;
    let kommoSim: KommoSim | null = null;
    let ami: EngineOptions['ami'];
    let kommo: EngineOptions['kommo'];
    if (o.pbxOverride) ami = { ...o.pbxOverride, pingIntervalMs: 0 };
    else if (config.ami) {
      ami = { host: config.ami.host, port: config.ami.port, username: config.ami.username, secret: secret(config.ami.secret as never) ?? '', pingIntervalMs: config.ami.pingIntervalMs, loginTimeoutMs: config.ami.loginTimeoutMs };
    } else {
      demoPbx = await startDemoPbx({ log, ...(o.demoPbx ?? {}) });
      cleanups.push(() => demoPbx?.stop());
      ami = { host: demoPbx.host, port: demoPbx.port, username: demoPbx.credentials.username, secret: demoPbx.credentials.secret };
    }
    if (config.kommo) {
      const baseUrl = config.kommo.baseUrl ?? (config.kommo.subdomain ? `https://${config.kommo.subdomain}.kommo.com` : '');
      if (!baseUrl) throw new ServiceError('CONFIG_INVALID', 'kommo needs `baseUrl` or `subdomain`', 'Set kommo.subdomain to your account\'s subdomain (https://<subdomain>.kommo.com), or kommo.baseUrl.');
      kommo = { baseUrl: baseUrl.replace(/\/+$/, ''), auth: kommoAuth(config, dataDir) };
    } else {
      kommoSim = await startKommo({ account: 'demo', ...(o.kommoRateWindowMs ? { limits: { rateWindowMs: o.kommoRateWindowMs } } : {}) });
      cleanups.push(() => kommoSim?.close());
      kommo = { baseUrl: kommoSim.url, auth: { kind: 'long-lived', token: 'sim-long-lived-token' } };
    }
    if (o.kommoRateWindowMs) kommo.rateWindowMs = o.kommoRateWindowMs;

    const record = recordInto(store);
    // The recordings module needs the engine's hooks, and the engine needs the linker: bound after both exist.
    let recordings: Recordings | null = null;
    const linker: RecordingLinker = {
      linkFor: async (input, linkedid) => (recordings ? { url: (await recordings.linkFor(input, linkedid)).url } : { url: null }),
    };
    const engine = await createEngine({
      recordings: linker,
      config, dataDir, ami, kommo, runner, scripts, log,
      onInvocation(r) {
        record(r);
        status.hookInvoked({ hook: r.hook, version: r.version, code: r.error?.code ?? null, durationMs: r.durationMs, at: r.now });
      },
      onOutcome(x) {
        status.callFinished({ linkedid: x.linkedid, ok: x.ok, at: Date.now() });
        o.onOutcome?.(x);
      },
      ...(o.onCall ? { onCall: o.onCall } : {}),
      ...(o.engine ?? {}),
    });
    cleanups.push(() => engine.close());
    const rc = config.recordings;
    recordings = createRecordings({
      dir: rc.dir, dataDir, ttlHours: rc.linkTtlHours, convertToMp3: rc.convertToMp3, invoker: engine.hooks, runner, log,
      ...(rc.publicBaseUrl ? { publicBaseUrl: rc.publicBaseUrl } : {}), ...(rc.pbxDir ? { pbxDir: rc.pbxDir } : {}),
      ...(config.hooks.process_record_file_path ? { limits: config.hooks.process_record_file_path } : {}),
      onInvocation(r) {
        record(r);
        status.hookInvoked({ hook: r.hook, version: r.version, code: r.error?.code ?? null, durationMs: r.durationMs, at: r.now });
      },
    });
    const rec = recordings;
    cleanups.push(() => rec.close());
    engine.ami.on('connected', () => status.ami(true, Date.now()));
    engine.ami.on('disconnected', () => status.ami(false, Date.now()));
    status.outboxDepth(() => engine.outbox.depth());
    status.callsInFlight(() => engine.inFlight());
    status.publishedVersion((h) => store.published(h)?.version ?? null);
    status.rateLimit(() => {
      const l = engine.kommo.stats().limiter as { inFlight?: number; cooling?: number; limit?: number };
      return { used: (l.inFlight ?? 0) + (l.cooling ?? 0), limit: l.limit ?? 7 };
    });

    const started = await engine.start();
    status.kommo(kommoHealthOf(started.phoneField));
    // Every 5 minutes: the PHONE field (status page), the account's users (one deleted in Kommo is no longer sent)
    // and whether it holds companies (only then are they searched by phone).
    const recheck = setInterval(() => {
      void engine.kommo.checkPhoneField().then((c) => status.kommo(kommoHealthOf(c)));
      void engine.registrar.refreshAccount();
    }, 5 * 60_000);
    recheck.unref();
    cleanups.push(() => clearInterval(recheck));

    let editor: Editor | null = null;
    let auth: Auth | null = null;
    let demoClickToCallToken: string | null = null;
    if (o.editor !== false) {
      const users = config.users;
      const userExtensions = config.clickToCall.users;
      const routes: RouteModule[] = [metricsRoutes(status, { token: secret(config.metrics.token as never) }), recordings.route];
      routes.push(createAutodistribution({
        kommo: engine.kommo, invoker: engine.hooks, users, userExtensions, allowFrom: config.autodistribution.allowFrom, deadlineMs: config.autodistribution.deadlineMs,
        normalizePhone: createPhoneNormalizer(config.phone), log,
      }).route);
      const c2c = config.clickToCall;
      const configured = secret(c2c.token as never);
      if (!configured && demoPbx) demoClickToCallToken = randomBytes(18).toString('base64url');
      const token = configured ?? demoClickToCallToken ?? undefined;
      const clickToCall = createClickToCall({
        ami: engine.ami, invoker: engine.hooks, users, userExtensions, context: c2c.context, log,
        ...(token ? { token } : {}), ...(c2c.channel ? { channel: c2c.channel } : {}), ...(c2c.callerId ? { callerId: c2c.callerId } : {}),
        ...(c2c.ringTimeoutSec ? { ringTimeoutSec: c2c.ringTimeoutSec } : {}),
      });
      routes.push(clickToCall.route);
      cleanups.push(() => (clickToCall as { close?: () => void | Promise<void> }).close?.());
      // Replays get their own two children (started on first use): the draft and the published version run side by side.
      // With the same capability as the engine's runner, so a draft of process_record_file_path replays as it runs.
      const replayRunner = createRunner({ children: 2, capabilities: recordingsCapabilities({ dir: config.recordings.dir, dataDir }) });
      cleanups.push(() => replayRunner.close());
      const admin = config.editor.admin;
      auth = createAuth(dataDir, { username: admin?.username, password: secret(admin?.password as never), passwordHash: admin?.passwordHash });
      if (auth.generatedPassword) generatedAdminFile = join(dataDir, 'admin.json');
      try {
        editor = await startEditor({
          store, runner, replayRunner, hookLimits: config.hooks as Partial<Record<HookName, never>>, auth, host: config.editor.host, port: config.editor.port, trustProxy: config.editor.trustProxy, log, routes,
          status: () => ({ ...status.snapshot(), demo: o.demo, registrar: engine.registrar.stats(), ...(demoPbx ? { demoCallsStarted: demoPbx.callsStarted() } : {}) }),
        });
      } catch (e) {
        const errno = (e as NodeJS.ErrnoException).code;
        if (errno !== 'EADDRINUSE' && errno !== 'EADDRNOTAVAIL' && errno !== 'EACCES') throw e;
        const err = makeError('EDITOR_LISTEN_FAILED', { host: config.editor.host, port: config.editor.port, errno, detail: (e as Error).message });
        throw new ServiceError(err.code, err.message, err.hint);
      }
      cleanups.push(() => editor?.close());
    }
    return { store, runner, scripts, engine, status, auth, editor, demoPbx, kommoSim, dataDir, demoClickToCallToken, started, stop: stopAll };
  } catch (e) {
    await stopAll();
    // Never shown: the next start must generate (and print) a new one rather than find this one's hash.
    if (generatedAdminFile) rmSync(generatedAdminFile, { force: true });
    throw e;
  }
}
