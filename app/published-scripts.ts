/**
 * The engine's scripts: always the published versions from the store, never drafts. A newly published version
 * is compiled and its isolate warmed before it is swapped in, so the next invocation runs it without a
 * restart and without a cold start on the call path.
 */
import { HOOK_NAMES, isScriptFailure, type HookName } from '../contracts/index.ts';
import type { InvocationRecord, ScriptSource } from '../engine/hooks/index.ts';
import type { Logger } from '../log/index.ts';
import { compile, type HookScript, type Runner } from '../sandbox/index.ts';
import type { Store } from '../scripts-store/index.ts';

export interface PublishedScripts extends ScriptSource {
  /** Resolves when every published version present at start is compiled and warm. */
  ready: Promise<void>;
  /** Resolves when every version published so far is live (or refused). */
  settled(): Promise<void>;
  close(): void;
}

export function createPublishedScripts(store: Store, runner: Runner, log: Logger): PublishedScripts {
  const live = new Map<HookName, HookScript>();

  async function load(hook: HookName, version: number, source: string) {
    const c = await compile(source, { hook, version });
    if (!c.ok) {
      // The store refuses versions that do not compile, so this is an older file or a hand edit.
      log.error({ hook, version, code: c.error.code }, `${c.error.message}; the previous version stays in use`);
      return;
    }
    const script = { version, compiled: c.compiled };
    await runner.warm(hook, script);
    live.set(hook, script);
    log.info({ hook, version }, `${hook} v${version} is live`);
  }

  const ready = Promise.all(
    HOOK_NAMES.map((h) => {
      const v = store.published(h);
      return v ? load(h, v.version, v.source) : Promise.resolve();
    }),
  ).then(() => undefined);
  let loading: Promise<void> = ready;
  const off = store.onPublished((hook, v) => {
    // Loads are chained, so two quick publishes of one hook go live in their order.
    loading = loading.then(() => {
      if (!v.toDefault) return load(hook, v.version, v.source);
      // Back to the built-in default: no script runs for this hook any more.
      live.delete(hook);
      log.info({ hook, version: v.version }, `${hook} runs its built-in default again`);
    });
  });

  return {
    published: (hook) => live.get(hook) ?? null,
    ready,
    settled: () => loading,
    close: off,
  };
}

/** What the engine keeps of each invocation: the input for replay, and a failure in the failure log. */
export function recordInto(store: Store): (r: InvocationRecord) => void {
  return (r) => {
    store.capture({ hook: r.hook, linkedid: r.linkedid, input: r.input, now: r.now, seed: r.seed, ...(r.calls?.length ? { calls: r.calls } : {}) });
    if (r.error && isScriptFailure(r.error.code)) {
      store.recordFailure(r.hook, { code: r.error.code, message: r.error.message, version: r.version, linkedid: r.linkedid });
    }
  };
}
