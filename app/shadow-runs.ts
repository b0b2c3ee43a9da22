/**
 * Shadow runs wired (issue 17, item 7): the shadows (shadow/) run drafts through a runner of their own, a sandbox
 * child apart from the engine's, at a lower scheduling priority, so a shadow never takes a core from a live call;
 * a publish (or a return to the default) of a hook ends its shadow.
 *
 * `shadowExecute` is the one function through which every shadow invocation runs. It gives the runner no host
 * capabilities, so a shadow cannot act (process_record_file_path's draft gets no convertToMp3 and fails as
 * without an encoder). Capabilities that act on the world (issue 19: fetch, kommo, store) must reach a shadow
 * only in their `recorded` mode: wire that here, and nowhere else.
 */
import type { HookLimits, HookName } from '../contracts/index.ts';
import type { Logger } from '../log/index.ts';
import { createRunner, type Runner } from '../sandbox/index.ts';
import type { Store } from '../scripts-store/index.ts';
import { createShadows, type ShadowExecute, type Shadows } from '../shadow/index.ts';

/** The shadow child's nice: below the engine's sandbox children (0) and a misbehaving script's own child (10). */
export const SHADOW_NICE = 15;

export function shadowExecute(runner: Runner): ShadowExecute {
  return (hook, script, input, opts) => runner.invoke(hook, script, input, opts);
}

export function createShadowRuns(o: { store: Store; bundleDir: string; log: Logger; limits?: Partial<Record<HookName, Partial<HookLimits>>> }): { shadows: Shadows; close(): Promise<void> } {
  const runner = createRunner({
    bundleDir: o.bundleDir,
    supervisor: {
      nice: SHADOW_NICE,
      onCrash: (detail) => o.log.warn({ detail }, 'the shadow runs\' sandbox process died; live calls are not affected, the next shadow invocation starts it again'),
    },
  });
  const shadows = createShadows({ execute: shadowExecute(runner), warm: (hook, script) => runner.warm(hook, script, o.limits?.[hook]), log: o.log, ...(o.limits ? { limits: o.limits } : {}) });
  const off = o.store.onPublished((hook, v) => shadows.stop(hook, v.toDefault ? 'the hook went back to its built-in default' : `v${v.version} was published`));
  return {
    shadows,
    async close() {
      off();
      await runner.close();
    },
  };
}
