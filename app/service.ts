/**
 * hookline assembled: the scripts store, the sandbox, the hook invoker (published scripts, captures, failure
 * log), the call engine (AMI → tracker → stage hooks → registrar → Kommo), the status collector and the HTTP
 * server with its route modules (editor, metrics, recordings, autodistribution, click-to-call). In demo mode (no
 * PBX and no Kommo configured) the built-in demo PBX loops the shipped captures and the built-in Kommo emulator
 * holds a demo account, all on loopback. `npm start` and `hookline demo` run this.
 */
import { join, resolve } from 'node:path';
import { rmSync } from 'node:fs';
import { makeError, type HookLimits, type HookName } from '../contracts/index.ts';
import { startEngineCatchUp, startEngineReprocess, type CatchUp } from '../cel/index.ts';
import type { Config } from '../config/index.ts';
import { DEMO_PBX_SETTINGS, startDemoPbx, type DemoPbx } from '../demo/index.ts';
import { editorRoutes } from '../editor/index.ts';
import { createHookInvoker, createQuarantine, type HookInvoker } from '../engine/hooks/index.ts';
import { createEngine, type Engine, type EngineOptions } from '../engine/index.ts';
import { createRecordings, recordingsCapabilities } from '../engine/recordings/index.ts';
import { createAuth, startHttp, type Auth, type HttpServer } from '../http/index.ts';
import type { Logger } from '../log/index.ts';
import { chooseMp3Encoder, createRunner, describeMp3Encoder, type Mp3Encoder, type Runner } from '../sandbox/index.ts';
import { openStore, type Store } from '../scripts-store/index.ts';
import { startKommo, type KommoSim } from '../sim/kommo/index.ts';
import { createStatus, kommoHealthOf, statusRoutes, type Status } from '../status/index.ts';
import { adminFileProblem } from './admin-file.ts';
import { ServiceError } from './errors.ts';
import { featureRoutes } from './feature-routes.ts';
import { serviceHosts } from './hosts.ts';
import { LISTEN_ERRNOS, probeListen } from './listen-probe.ts';
import { kommoAuth, kommoBaseUrl } from './kommo-target.ts';
import { createPublishedScripts, recordInto, type PublishedScripts } from './published-scripts.ts';

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
  /** How every hook point runs (published version, else the contract's default), for the engine and the features. */
  hooks: HookInvoker;
  engine: Engine;
  status: Status;
  auth: Auth | null;
  /** The HTTP server: the editor and the features' routes (null with `editor: false`). */
  editor: HttpServer | null;
  demoPbx: DemoPbx | null;
  kommoSim: KommoSim | null;
  dataDir: string;
  /**
   * The demo's click-to-call token, generated at start when the demo runs without `clickToCall.token`, so that
   * click-to-call can be tried at once (the demo PBX answers an Originate with a call to the number). Else null.
   */
  demoClickToCallToken: string | null;
  /**
   * What converts recordings to MP3 (sandbox/encoder.ts: system lame, system ffmpeg, the npm-shipped ffmpeg, or
   * none: linked as recorded), or null when recordings.convertToMp3 is off.
   */
  mp3Encoder: Mp3Encoder | null;
  /** Calls that ended while hookline was not following, read from CEL (null without `cel`). */
  catchUp: CatchUp | null;
  /** The Kommo start check: ok, or why calls are not registered. */
  started: Awaited<ReturnType<Engine['start']>>;
  stop(): Promise<void>;
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
  // The editor's address first: a refusal then leaves everything as it was (no data folder, no demo, no AMI login).
  if (o.editor !== false) {
    const refused = await probeListen(config.editor.host, config.editor.port);
    if (refused && LISTEN_ERRNOS.has(refused.errno)) {
      const err = makeError('EDITOR_LISTEN_FAILED', { host: config.editor.host, port: config.editor.port, errno: refused.errno, detail: refused.message });
      throw new ServiceError(err.code, err.message, err.hint);
    }
  }
  try {
    const s = await openStore(dataDir, { captureRing: config.captures.ringSize, captureEnabled: config.captures.enabled });
    if (!s.ok) throw new ServiceError(s.error.code, s.error.message, s.error.hint);
    const store = s.value;
    cleanups.push(async () => {
      await store.close();
    });
    // Before anything starts: the editor's admin.json, when it is the one the admin logs in with.
    const admin = config.editor.admin;
    if (o.editor !== false && !admin?.passwordHash && admin?.password === undefined) {
      const bad = adminFileProblem(dataDir);
      if (bad) throw new ServiceError(bad.code, bad.message, bad.hint);
    }
    // The sandbox child's bundle is written under the data folder (named by its hash; the data folder is the one place
    // hookline may write under systemd).
    const bundleDir = join(dataDir, 'sandbox');
    // Decided once, logged, and given to both runners, so the engine and replays convert alike.
    const mp3Encoder = config.recordings.convertToMp3 ? chooseMp3Encoder() : null;
    if (mp3Encoder) log[mp3Encoder.source === 'none' ? 'warn' : 'info']({ encoder: mp3Encoder }, describeMp3Encoder(mp3Encoder));
    const capabilities = recordingsCapabilities({ dir: config.recordings.dir, dataDir, ...(mp3Encoder ? { encoder: mp3Encoder } : {}) });
    const runner = createRunner({
      bundleDir,
      supervisor: {
        onCrash: (detail) => log.error({ detail }, 'the sandbox process died or could not start; the next invocation starts it again'),
        // SIGINT/SIGTERM from outside (a service manager stopping the whole cgroup): a stop, not a crash.
        onStopped: (detail) => log.info({ detail }, 'the sandbox process was stopped by a signal from outside hookline; the next invocation starts it again'),
        // Issue 14: a script that timed out, ran out of memory or crashed runs in a sandbox process of its own.
        onMove: (m) =>
          m.to === 'own'
            ? log.warn({ hook: m.hook, script: m.hash.slice(0, 12), why: m.why }, `${m.hook}'s script now runs in a sandbox process of its own (${m.why}), so that it cannot delay or fail other hooks`)
            : log.info({ hook: m.hook, script: m.hash.slice(0, 12), why: m.why }, `${m.hook}'s script runs in the shared sandbox process again (${m.why})`),
      },
      // WAV → MP3 for process_record_file_path only (engine/recordings).
      capabilities,
    });
    cleanups.push(() => runner.close());
    const scripts = createPublishedScripts(store, runner, log);
    cleanups.push(() => scripts.close());
    const status = createStatus();
    const record = recordInto(store);
    const hookLimits: Partial<Record<HookName, Partial<HookLimits>>> = config.hooks;
    const q = config.quarantine;
    const quarantine = createQuarantine({ after: q.after, baseMs: q.seconds * 1000, maxMs: q.maxSeconds * 1000 }, log);
    // A new version (published, or rolled back to) runs at once, whatever its predecessor did.
    const offPublished = store.onPublished((hook, v) => quarantine.lift(hook, v.toDefault ? 'the built-in default was restored' : `v${v.version} was published`));
    cleanups.push(offPublished);
    status.quarantined(() => quarantine.list(Date.now()));
    const hooks = createHookInvoker({
      runner, scripts, log, limits: hookLimits, quarantine,
      // The contract's default of process_record_file_path converts WAV to MP3 (recordings.convertToMp3); with no
      // encoder at all it would only fail on every call, so the original is linked without trying.
      defaultScripts: mp3Encoder && mp3Encoder.source !== 'none' ? ['process_record_file_path'] : [],
      onInvocation(r) {
        record(r);
        status.hookInvoked({ hook: r.hook, version: r.version, code: r.error?.code ?? null, durationMs: r.durationMs, at: r.now });
      },
    });

    let demoPbx: DemoPbx | null = null;
    let kommoSim: KommoSim | null = null;
    let ami: EngineOptions['ami'];
    let kommo: EngineOptions['kommo'];
    if (o.pbxOverride) ami = { ...o.pbxOverride, pingIntervalMs: 0 };
    else if (config.ami) {
      ami = { host: config.ami.host, port: config.ami.port, username: config.ami.username, secret: config.ami.secret, pingIntervalMs: config.ami.pingIntervalMs, loginTimeoutMs: config.ami.loginTimeoutMs };
    } else {
      demoPbx = await startDemoPbx({ log, ...(o.demoPbx ?? {}) });
      cleanups.push(() => demoPbx?.stop());
      ami = { host: demoPbx.host, port: demoPbx.port, username: demoPbx.credentials.username, secret: demoPbx.credentials.secret };
    }
    if (config.kommo) {
      kommo = { baseUrl: kommoBaseUrl(config.kommo), auth: kommoAuth(config.kommo, dataDir) };
    } else {
      kommoSim = await startKommo({ account: 'demo', ...(o.kommoRateWindowMs ? { limits: { rateWindowMs: o.kommoRateWindowMs } } : {}) });
      cleanups.push(() => kommoSim?.close());
      kommo = { baseUrl: kommoSim.url, auth: { kind: 'long-lived', token: 'sim-long-lived-token' } };
    }
    if (o.kommoRateWindowMs) kommo.rateWindowMs = o.kommoRateWindowMs;

    const rc = config.recordings;
    const recordings = createRecordings({
      dir: rc.dir, dataDir, ttlHours: rc.linkTtlHours, invoker: hooks, log,
      ...(rc.publicBaseUrl ? { publicBaseUrl: rc.publicBaseUrl } : {}), ...(rc.pbxDir ? { pbxDir: rc.pbxDir } : {}),
    });
    cleanups.push(() => recordings.close());
    const engine = await createEngine({
      config, dataDir, ami, kommo, hooks, log, recordings,
      onOutcome(x) {
        status.callFinished({ linkedid: x.linkedid, ok: x.ok, at: Date.now() });
        o.onOutcome?.(x);
      },
      ...(o.onCall ? { onCall: o.onCall } : {}),
      ...(o.engine ?? {}),
    });
    cleanups.push(() => engine.close());
    feedStatus(status, engine, store);
    const catchUp = startEngineCatchUp(config, engine, dataDir, log);
    if (catchUp) cleanups.push(() => catchUp.close());
    const reprocess = startEngineReprocess(config, engine, dataDir, log);
    cleanups.push(() => reprocess.close());

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

    let editor: HttpServer | null = null;
    let auth: Auth | null = null;
    let demoClickToCallToken: string | null = null;
    if (o.editor !== false) {
      const features = featureRoutes({ config, engine, hooks, recordings, status, demo: demoPbx !== null, log });
      demoClickToCallToken = features.demoClickToCallToken;
      cleanups.push(() => features.close());
      // Replays get their own two children (started on first use): the draft and the published version run side by side.
      // With the same capability as the engine's runner, so a draft of process_record_file_path replays as it runs.
      // Synchronous calls into the isolates: a replay needs no isolation between hooks, and the thread hop of
      // asynchronous calls (issue 14) took the first replay after a publish over its 1 s (docs/design/sandbox.md).
      const replayRunner = createRunner({ children: 2, calls: 'sync', bundleDir, capabilities });
      cleanups.push(() => replayRunner.close());
      auth = createAuth(dataDir, { username: admin?.username, password: admin?.password, passwordHash: admin?.passwordHash });
      if (auth.generatedPassword) generatedAdminFile = join(dataDir, 'admin.json');
      try {
        const snapshot = () => ({ ...status.snapshot(), demo: o.demo, registrar: engine.registrar.stats(), ...(catchUp ? { celCatchUp: catchUp.status() } : {}), ...(demoPbx ? { demoCallsStarted: demoPbx.callsStarted() } : {}) });
        editor = await startHttp({
          auth, host: config.editor.host, port: config.editor.port, trustProxy: config.editor.trustProxy, hosts: serviceHosts(config), log,
          routes: [
            editorRoutes({ store, runner, replayRunner, hookLimits, auth, log, quarantine: (hook) => quarantine.list(Date.now()).find((x) => x.hook === hook) ?? null }),
            statusRoutes(snapshot),
            reprocess.route,
            ...features.routes,
          ],
        });
      } catch (e) {
        const errno = (e as NodeJS.ErrnoException).code;
        if (!errno || !LISTEN_ERRNOS.has(errno)) throw e;
        // Free when probed at the start, taken since: what had started is stopped, but the data folder was opened.
        const err = makeError('EDITOR_LISTEN_FAILED', { host: config.editor.host, port: config.editor.port, errno, detail: (e as Error).message, late: true });
        throw new ServiceError(err.code, err.message, err.hint);
      }
      cleanups.push(() => editor?.close());
    }
    return { store, runner, scripts, hooks, engine, status, auth, editor, demoPbx, kommoSim, dataDir, demoClickToCallToken, mp3Encoder, catchUp, started, stop: stopAll };
  } catch (e) {
    await stopAll();
    // Never shown: the next start must generate (and print) a new one rather than find this one's hash.
    if (generatedAdminFile) rmSync(generatedAdminFile, { force: true });
    throw e;
  }
}

/** What the status page reads from the engine and the store. */
function feedStatus(status: Status, engine: Engine, store: Store) {
  engine.ami.on('connected', () => status.ami(true, Date.now()));
  engine.ami.on('disconnected', () => status.ami(false, Date.now()));
  status.outboxDepth(() => engine.outbox.depth());
  status.callsInFlight(() => engine.inFlight());
  status.publishedVersion((h) => store.published(h)?.version ?? null);
  status.rateLimit(() => {
    const l = engine.kommo.stats().limiter;
    return { used: l.inFlight + l.cooling, limit: l.limit };
  });
}
