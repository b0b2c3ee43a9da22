/**
 * The one way hookline runs a hook point: `invoke(hook, input, ctx)`. The script is the hook's published
 * version, else the contract's default script where the hook has one and it is enabled (process_record_file_path
 * converts WAV to MP3), else none (the contract's default data, NO_SCRIPT). It runs in the sandbox; the input
 * is captured and a failure recorded and logged with hook, version, code and linkedid. A failing script never
 * stops the caller: the outcome always carries usable data. The engine's stages, the registrar, recordings,
 * click-to-call and autodistribution all take this interface; app/ makes the one instance.
 */
import { DEFAULT_RECORD_SCRIPT, isScriptFailure, limitsFor, makeError, type HookInput, type HookLimits, type HookName, type HooklineError } from '../../contracts/index.ts';
import type { CapabilityCall, CapabilityHost, CapabilityMode, WouldSend } from '../../capabilities/index.ts';
import type { Logger } from '../../log/index.ts';
import { compile, type HookScript, type InvocationResult, type Runner } from '../../sandbox/index.ts';
import type { Quarantine } from './quarantine.ts';

/** Where published scripts come from (the scripts store through app/, or files given on the command line). */
export interface ScriptSource {
  published(hook: HookName): HookScript | null;
}

/** Where an invocation happens: the call it is for (null for click-to-call and the like). */
export interface HookContext {
  linkedid: string | null;
}

export interface HookOutcome<H extends HookName> extends Pick<InvocationResult<H>, 'data' | 'error' | 'durationMs'> {
  /**
   * data: the data the caller goes on with: the script's output, or the hook's default on failure or without a
   * script. error: null when the script ran and its output was used; NO_SCRIPT when no script ran (neither
   * published nor default).
   */
  /** The published version that ran, "default" for the contract's default script, null when none ran. */
  version: number | string | null;
}

export interface HookInvoker {
  invoke<H extends HookName>(hook: H, input: HookInput<H>, ctx: HookContext): Promise<HookOutcome<H>>;
}

export interface InvocationRecord {
  hook: HookName;
  linkedid: string | null;
  version: number | string | null;
  input: unknown;
  now: number;
  seed: number;
  /** The data the caller goes on with (the script's output, or the default): shadow runs compare with it, the call's story records it. */
  data: unknown;
  error: HooklineError | null;
  durationMs: number;
  /** The script's capability calls (fetch, kommo.request, store) with their answers, for replay (issue 19). */
  calls?: CapabilityCall[];
  /** The writes a `recorded` session kept instead of performing (dry runs, issue 16); absent when none. */
  wouldSend?: WouldSend[];
  /** The script's console lines (the call's story records them). */
  logs?: readonly unknown[];
}

/** The hooks whose contract ships a default script, run when none is published (when enabled). */
const DEFAULT_SCRIPTS: Partial<Record<HookName, string>> = { process_record_file_path: DEFAULT_RECORD_SCRIPT };

export interface InvokerOptions {
  runner: Runner;
  scripts: ScriptSource;
  log: Logger;
  limits?: Partial<Record<HookName, Partial<HookLimits>>>;
  /**
   * Hooks whose contract's default script runs when no version is published (config: recordings.convertToMp3
   * enables process_record_file_path's WAV → MP3). Others without a script get the contract's default data.
   */
  defaultScripts?: readonly HookName[];
  /**
   * Suspends a published version that keeps timing out or running out of memory (quarantine.ts): its
   * invocations then take the failure policy at once (QUARANTINED), without running.
   */
  quarantine?: Quarantine;
  /**
   * What scripts may do outside their isolate (issue 19): fetch, kommo.request, store, as the config grants per
   * hook. Each invocation gets a live session; its calls are logged and recorded with the capture.
   */
  capabilities?: CapabilityHost;
  /**
   * The mode of each invocation's session (default live). The dry run answers a call's capability calls from its
   * story (`recorded`): nothing is carried out, and writes are listed instead.
   */
  capabilityMode?: (hook: HookName, linkedid: string | null) => CapabilityMode | undefined;
  /** Called after every invocation (captures for replay, failure log, metrics). Must not throw. */
  onInvocation?: (r: InvocationRecord) => void;
  now?: () => number;
}

export function createHookInvoker(o: InvokerOptions): HookInvoker {
  const now = o.now ?? Date.now;
  const enabled = new Set(o.defaultScripts ?? []);
  const defaults = new Map<HookName, Promise<HookScript | null>>();
  let seq = 0;

  /** The contract's default script of a hook, compiled once; null when it has none or it is not enabled. */
  function defaultScript(hook: HookName): Promise<HookScript | null> {
    const source = DEFAULT_SCRIPTS[hook];
    if (!source || !enabled.has(hook)) return Promise.resolve(null);
    let p = defaults.get(hook);
    if (!p) {
      p = compile(source, { hook, version: 'default' }).then((c) => {
        if (!c.ok) o.log.error({ hook, code: c.error.code }, `the default ${hook} script does not compile: ${c.error.message}`);
        return c.ok ? { version: 'default', compiled: c.compiled } : null;
      });
      defaults.set(hook, p);
    }
    return p;
  }

  return {
    async invoke<H extends HookName>(hook: H, input: HookInput<H>, ctx: HookContext): Promise<HookOutcome<H>> {
      const published = o.scripts.published(hook);
      const script = published ?? (await defaultScript(hook));
      const linkedid = ctx.linkedid;
      const t = now();
      // The seed is derived, not random, so a captured input replays with the same Math.random sequence.
      const seed = (t ^ (++seq * 2654435761)) | 0;
      const suspended = published && o.quarantine ? o.quarantine.active(hook, published.version, t) : null;
      const options = { linkedid: linkedid ?? undefined, now: t, seed, limits: o.limits?.[hook] };
      let r: InvocationResult<H>;
      let session: ReturnType<CapabilityHost['session']> | null = null;
      if (suspended) {
        // Not run: the default data (the input checked as for any invocation), with why.
        const skipped: InvocationResult<H> = await o.runner.invoke(hook, null, input, options);
        const error = makeError('QUARANTINED', { hook, version: suspended.version, linkedid: linkedid ?? undefined, until: new Date(suspended.until).toISOString(), failures: suspended.failures, reason: suspended.reason });
        r = { ...skipped, ok: false, error: skipped.error?.code === 'INVALID_INPUT' ? skipped.error : error, durationMs: 0 };
      } else {
        const timeoutMs = limitsFor(hook, o.limits?.[hook]).timeoutMs;
        const mode = script && o.capabilities ? o.capabilityMode?.(hook, linkedid) : undefined;
        session = script && o.capabilities ? o.capabilities.session({ hook, linkedid, timeoutMs, ...(mode ? { mode } : {}) }) : null;
        r = await o.runner.invoke(hook, script, input, session ? { ...options, host: session } : options);
        session?.end();
        if (published && o.quarantine) o.quarantine.record(hook, published.version, r.error ? r.error.code : null, now());
      }
      const version = script?.version ?? null;
      // hooks.md: a failure is recorded with hook, script version, linkedid, code, message and duration.
      const durationMs = Math.round(r.durationMs);
      if (r.error?.code === 'QUARANTINED') {
        // Said once when the quarantine began (quarantine.ts), not for every call it skips.
        o.log.debug({ linkedid, hook, version, code: r.error.code }, r.error.message);
      } else if (r.error && isScriptFailure(r.error.code)) {
        o.log.warn({ linkedid, hook, version, code: r.error.code, durationMs, hint: r.error.hint }, r.error.message);
      } else if (r.error && r.error.code !== 'NO_SCRIPT') {
        // Not the script's fault (an input hookline built that breaks the input contract):
        // the default was used; this is hookline's error and is logged as one.
        o.log.error({ linkedid, hook, version, code: r.error.code, durationMs, hint: r.error.hint }, r.error.message);
      }
      const calls = session?.calls() ?? [];
      const wouldSend = session?.wouldSend() ?? [];
      // Each request the script made (method, URL without query values, status, bytes, ms), with the call's linkedid.
      for (const line of session?.logs() ?? []) o.log[line.level]({ linkedid, hook, version }, line.text);
      const seen: { data: unknown; logs: readonly unknown[] } = r;
      try {
        o.onInvocation?.({ hook, linkedid, version, input, now: t, seed, error: r.error, durationMs: r.durationMs, data: seen.data, logs: seen.logs, ...(calls.length ? { calls } : {}), ...(wouldSend.length ? { wouldSend } : {}) });
      } catch (e) {
        o.log.error({ hook, linkedid, err: String(e) }, 'recording an invocation failed');
      }
      const { ok: _ok, logs: _logs, ...outcome } = r;
      return { ...outcome, version };
    },
  };
}
