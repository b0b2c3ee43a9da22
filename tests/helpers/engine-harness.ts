/**
 * The whole engine over loopback for end-to-end tests: sim/pbx (AMI over TCP) → engine (tracker, stage hooks,
 * registrar, outbox) → sim/kommo (HTTP), with a real scripts store and real isolates. Nothing is mocked.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig, type Config } from '../../config/index.ts';
import type { HookName } from '../../contracts/index.ts';
import { createEngine, type Engine, type EngineOptions, type RecordingLinker } from '../../engine/index.ts';
import { createPublishedScripts, recordInto, type PublishedScripts } from '../../app/index.ts';
import { createCapabilities, type CapabilityHost, type KommoRequester } from '../../capabilities/index.ts';
import { createHookInvoker, type HookInvoker, type InvocationRecord, type Quarantine } from '../../engine/hooks/index.ts';
import { createMemoryLogger, type Logger } from '../../log/index.ts';
import { compile, createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';
import { startKommo, type KommoSim, type StartKommoOptions } from '../../sim/kommo/index.ts';
import { startPbx, type Pbx } from '../../sim/pbx/index.ts';
import type { StoryRecorder } from '../../stories/index.ts';

export const FIXTURES = new URL('../fixtures/ami/', import.meta.url).pathname;
export const CACO_TRUNK = 'SIP/voipgrid-siproute-docker';

export interface Harness {
  pbx: Pbx;
  kommo: KommoSim;
  store: Store;
  runner: Runner;
  scripts: PublishedScripts;
  /** The hook invoker the engine and the recordings linker share. */
  hooks: HookInvoker;
  /** The capability layer the invoker uses (HarnessOptions.capabilities), else null. */
  capabilities: CapabilityHost | null;
  /** Every invocation the invoker made, in order. */
  invocations: InvocationRecord[];
  engine: Engine;
  dir: string;
  log: Logger;
  logLines: () => Record<string, unknown>[];
  outcomes: { linkedid: string; ok: boolean; error?: { code: string; message: string }; steps?: string[] }[];
  /** Publishes a script for a hook (compiled, warmed, live for the next call). */
  publish(hook: HookName, source: string): Promise<void>;
  /** Replays a capture (rewritten to fresh linkedids when `fresh`), waits until every call is registered or failed. */
  play(file: string, o?: { fresh?: boolean; stampEverySec?: number }): Promise<void>;
  /**
   * Puts the emulator back to a starting account and has the engine forget what it cached of the old one (its
   * phone answers and its phone index, built again in the background), as a hookline restarted against a new account would.
   */
  resetKommo(account?: Parameters<KommoSim['reset']>[0]): Promise<void>;
  /** Stops the engine only (the store, runner, pbx and kommo stay), and starts a new one on the same data folder. */
  restartEngine(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  config?: Record<string, unknown>;
  /** The emulator's options, and `timeoutMs`: the engine's Kommo client timeout per request (default 10 s). */
  kommo?: StartKommoOptions & { timeoutMs?: number };
  dir?: string;
  engine?: Partial<Pick<EngineOptions, 'registrar' | 'fsync'>> & {
    /** The registrar's recording linker, made from the harness's hook invoker (engine/recordings createRecordings). */
    recordings?: (hooks: HookInvoker) => RecordingLinker;
  };
  /** The sandbox runner (default: a new one, closed with the harness); a test's own is not closed. */
  runner?: Runner;
  /** Hooks whose contract's default script runs when none is published (app/: recordings.convertToMp3). */
  defaultScripts?: HookName[];
  /** Quarantine of runaway versions, lifted by a publish or a rollback as app/ wires it (default: none). */
  quarantine?: Quarantine;
  /** Rate window of both sides (ms); default 100 so tests run at 7 requests per 100 ms. */
  rateWindowMs?: number;
  /**
   * Scripts' fetch / kommo.request / store as app/ wires them (issue 19): grants from `config.hooks`, Kommo through
   * the engine's own client, the store under the data folder. Default: none offered.
   */
  capabilities?: boolean;
  /** Records each call's story as app/ wires it (stories/: invocations, Kommo operations, events, calls, outcomes). */
  stories?: StoryRecorder;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'hl-e2e-'));
  const rateWindowMs = o.rateWindowMs ?? 100;
  const checked = checkConfig({ pbx: { trunks: [CACO_TRUNK] }, ...(o.config ?? {}) }, null, {});
  if (!checked.ok) throw new Error(checked.error.message);
  const config: Config = checked.value.config;
  const memory = createMemoryLogger();
  const log = memory.log;
  const pbx = await startPbx();
  const { timeoutMs: kommoTimeoutMs, ...simOptions } = o.kommo ?? {};
  const kommo = await startKommo({ account: 'demo', ...simOptions, limits: { rateWindowMs, ...(o.kommo?.limits ?? {}) } });
  const s = await openStore(dir, { flushMs: 20 });
  if (!s.ok) throw new Error(s.error.message);
  const store = s.value;
  const runner = o.runner ?? createRunner();
  const scripts = createPublishedScripts(store, runner, log);
  const quarantine = o.quarantine;
  const offPublished = quarantine ? store.onPublished((hook, v) => quarantine.lift(hook, `v${v.version} was published`)) : () => undefined;
  const invocations: InvocationRecord[] = [];
  const record = recordInto(store);
  let engineKommo: KommoRequester | null = null;
  const capabilities = o.capabilities ? createCapabilities({ hooks: config.hooks, storeDir: join(dir, 'hook-store'), kommo: () => engineKommo }) : null;
  const hooks = createHookInvoker({
    runner, scripts, log, limits: config.hooks, defaultScripts: o.defaultScripts ?? [], ...(quarantine ? { quarantine } : {}), ...(capabilities ? { capabilities } : {}),
    onInvocation: (r) => {
      invocations.push(r);
      record(r);
      o.stories?.invocation(r);
    },
  });
  const recordings = o.engine?.recordings?.(hooks);
  const outcomes: Harness['outcomes'] = [];
  let lastMessage = Date.now();

  async function makeEngine() {
    const e = await createEngine({
      config, dataDir: dir, hooks, log,
      ami: { host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0 },
      kommo: { baseUrl: kommo.url, auth: { kind: 'long-lived', token: 'sim-long-lived-token' }, rateWindowMs, batchWindowMs: 20, ...(kommoTimeoutMs !== undefined ? { timeoutMs: kommoTimeoutMs } : {}), ...(o.stories ? { observe: o.stories.kommo } : {}) },
      onOutcome: (x) => {
        outcomes.push(x);
        o.stories?.outcome(x);
      },
      ...(o.stories ? { onEvent: o.stories.event, onCall: o.stories.call } : {}),
      registrar: { retryBaseMs: 50, retryMaxMs: 500, ambiguousSettleMs: 300, ...(o.engine?.registrar ?? {}) },
      ...(o.engine?.fsync !== undefined ? { fsync: o.engine.fsync } : {}),
      ...(recordings ? { recordings } : {}),
    });
    e.ami.on('message', () => {
      lastMessage = Date.now();
    });
    o.stories?.setKnown(() => e.follower.known());
    const ready = await e.ami.ready(5_000);
    if (!ready.ok) throw new Error(ready.error.message);
    const started = await e.start();
    if (!started.ok) throw new Error(started.error.message);
    engineKommo = e.kommo;
    // The phone index is built in the background; tests start from a built one (refresh() joins that build).
    await e.phoneIndex?.refresh();
    return e;
  }

  const h: Harness = {
    pbx, kommo, store, runner, scripts, hooks, invocations, dir, log, logLines: memory.lines, outcomes, capabilities,
    engine: await makeEngine(),
    async publish(hook, source) {
      const r = await store.publish(hook, {
        message: 'test', author: 'test', source,
        check: async (src) => {
          const c = await compile(src, { hook });
          return c.ok ? null : c.error;
        },
      });
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      await scripts.settled();
    },
    async play(file, p = {}) {
      let text = readFileSync(file.includes('/') ? file : join(FIXTURES, file), 'utf8');
      // As with timestampevents=yes: every event block gets a Timestamp, `stampEverySec` apart.
      if (p.stampEverySec) text = stamp(text, p.stampEverySec);
      lastMessage = Date.now();
      await pbx.replay(text, { pace: 'asap', rewrite: p.fresh ?? false });
      // A barrier: the PBX answers a Ping after the events it has already written on this connection, so when
      // the Pong is here every replayed event has been read (a quiet period alone is not enough on a busy machine).
      const pong = await h.engine.ami.action({ Action: 'Ping' });
      if (!pong.ok) throw new Error(`the PBX did not answer a Ping after the replay: ${pong.error.message}`);
      while (Date.now() - lastMessage < 100) await new Promise((r) => setTimeout(r, 25));
      await h.engine.follower.idle();
      h.engine.follower.finish();
      await h.engine.idle();
    },
    resetKommo(account) {
      kommo.reset(account);
      h.engine.kommo.clearPhoneCache();
      return h.engine.phoneIndex?.reset() ?? Promise.resolve();
    },
    async restartEngine() {
      await h.engine.close();
      h.engine = await makeEngine();
    },
    async close() {
      await h.engine.close();
      scripts.close();
      offPublished();
      await store.close();
      if (!o.runner) await runner.close();
      await pbx.close();
      await kommo.close();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

function stamp(text: string, every: number): string {
  const base = Math.floor(Date.now() / 1000) - 3600;
  let i = 0;
  return text.split('\r\n\r\n').map((b) => (b.startsWith('Event:') ? `${b}\r\nTimestamp: ${(base + every * i++).toFixed(6)}` : b)).join('\r\n\r\n');
}
