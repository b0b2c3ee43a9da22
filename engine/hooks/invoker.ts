/**
 * The engine's HookInvoker: runs the published script of a hook in the sandbox (or the default when there is
 * none), captures the input for replay, and records and logs a failure with hook, version, code and linkedid.
 * A failing script never stops the call: the outcome always carries usable data.
 */
import type { HookLimits, HookName, HooklineError } from '../../contracts/index.ts';
import { isScriptFailure } from '../../contracts/index.ts';
import type { Logger } from '../../log/index.ts';
import type { HookScript, Runner } from '../../sandbox/index.ts';
import type { HookInvoker, HookOutcome } from '../stages/index.ts';

/** Where published scripts come from (the scripts store, or files given on the command line). */
export interface ScriptSource {
  published(hook: HookName): HookScript | null;
}

export interface InvocationRecord {
  hook: HookName;
  linkedid: string | null;
  version: number | string | null;
  input: unknown;
  now: number;
  seed: number;
  error: HooklineError | null;
  durationMs: number;
}

export interface InvokerOptions {
  runner: Runner;
  scripts: ScriptSource;
  log: Logger;
  limits?: Partial<Record<HookName, Partial<HookLimits>>>;
  /** Called after every invocation (captures for replay, failure log, metrics). Must not throw. */
  onInvocation?: (r: InvocationRecord) => void;
  now?: () => number;
}

export function createHookInvoker(o: InvokerOptions): HookInvoker {
  const now = o.now ?? Date.now;
  let seq = 0;
  return {
    async invoke(hook, input, linkedid) {
      const script = o.scripts.published(hook);
      const t = now();
      // The seed is derived, not random, so a captured input replays with the same Math.random sequence.
      const seed = (t ^ (++seq * 2654435761)) | 0;
      const r: { data: unknown; error: HooklineError | null; durationMs: number } = await o.runner.invoke(hook as HookName, script, input, { linkedid: linkedid ?? undefined, now: t, seed, limits: o.limits?.[hook] });
      const version = script?.version ?? null;
      // hooks.md: a failure is recorded with hook, script version, linkedid, code, message and duration.
      const durationMs = Math.round(r.durationMs);
      if (r.error && isScriptFailure(r.error.code)) {
        o.log.warn({ linkedid, hook, version, code: r.error.code, durationMs, hint: r.error.hint }, r.error.message);
      } else if (r.error && r.error.code !== 'NO_SCRIPT') {
        // Not the script's fault (an input hookline built that breaks the input contract):
        // the default was used; this is hookline's error and is logged as one.
        o.log.error({ linkedid, hook, version, code: r.error.code, durationMs, hint: r.error.hint }, r.error.message);
      }
      try {
        o.onInvocation?.({ hook, linkedid, version, input, now: t, seed, error: r.error, durationMs: r.durationMs });
      } catch (e) {
        o.log.error({ hook, linkedid, err: String(e) }, 'recording an invocation failed');
      }
      const outcome = { data: r.data, error: r.error, version, durationMs: r.durationMs };
      return outcome as unknown as HookOutcome<never>;
    },
  };
}
