/**
 * Shadow runs wired (issue 17, item 7): the shadows (shadow/) run drafts through a runner of their own, a sandbox
 * child apart from the engine's, at a lower scheduling priority, so a shadow never takes a core from a live call;
 * a publish (or a return to the default) of a hook ends its shadow.
 *
 * `shadowExecute` is the one function through which every shadow invocation runs. It gives the runner no host
 * capabilities, so a shadow cannot act (process_record_file_path's draft gets no convertToMp3 and fails as
 * without an encoder). The scripts' capabilities (issue 19: fetch, kommo, store) reach a shadow only in their
 * `recorded` mode: answered from the live invocation's calls, writes listed as `wouldSend`, nothing carried out.
 */
import type { CapabilityHost } from '../capabilities/index.ts';
import { limitsFor, type HookLimits, type HookName } from '../contracts/index.ts';
import type { Logger } from '../log/index.ts';
import { createRunner, type Runner } from '../sandbox/index.ts';
import type { Store } from '../scripts-store/index.ts';
import { createShadows, type ShadowExecute, type Shadows } from '../shadow/index.ts';

/** The shadow child's nice: below the engine's sandbox children (0) and a misbehaving script's own child (10). */
export const SHADOW_NICE = 15;

export function shadowExecute(runner: Runner, capabilities?: CapabilityHost, limits?: Partial<Record<HookName, Partial<HookLimits>>>): ShadowExecute {
  return async (hook, script, input, opts, recorded) => {
    if (!capabilities) return runner.invoke(hook, script, input, opts);
    // Recorded mode only: the live invocation's answers served back, writes listed, nothing carried out.
    const session = capabilities.session({ hook, linkedid: opts.linkedid ?? null, timeoutMs: limitsFor(hook, limits?.[hook]).timeoutMs, mode: { kind: 'recorded', calls: recorded } });
    const r = await runner.invoke(hook, script, input, { ...opts, host: session });
    session.end();
    return { ...r, wouldSend: session.wouldSend() };
  };
}

export function createShadowRuns(o: { store: Store; bundleDir: string; log: Logger; limits?: Partial<Record<HookName, Partial<HookLimits>>>; capabilities?: CapabilityHost }): { shadows: Shadows; close(): Promise<void> } {
  const runner = createRunner({
    bundleDir: o.bundleDir,
    supervisor: {
      nice: SHADOW_NICE,
      onCrash: (detail) => o.log.warn({ detail }, 'the shadow runs\' sandbox process died; live calls are not affected, the next shadow invocation starts it again'),
    },
  });
  const shadows = createShadows({ execute: shadowExecute(runner, o.capabilities, o.limits), warm: (hook, script) => runner.warm(hook, script, o.limits?.[hook]), log: o.log, ...(o.limits ? { limits: o.limits } : {}) });
  const off = o.store.onPublished((hook, v) => shadows.stop(hook, v.toDefault ? 'the hook went back to its built-in default' : `v${v.version} was published`));
  return {
    shadows,
    async close() {
      off();
      await runner.close();
    },
  };
}
