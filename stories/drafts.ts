/**
 * The scripts a dry run runs: each hook's draft where it has one that differs from its published version
 * (compiled now), else its published version. The invoker made from them records nothing (no captures, no
 * failure log, no quarantine): a dry run leaves no trace.
 */
import { HOOK_NAMES, type HookLimits, type HookName } from '../contracts/index.ts';
import { createHookInvoker, type HookInvoker, type ScriptSource } from '../engine/hooks/index.ts';
import { silentLogger } from '../log/index.ts';
import { compile, type HookScript, type Runner } from '../sandbox/index.ts';
import type { Store } from '../scripts-store/index.ts';

export interface DraftScripts {
  scripts: ScriptSource;
  /** The hooks that run a draft (error: the draft does not compile, so its published version runs). */
  drafts: { hook: HookName; error: { code: string; message: string } | null }[];
}

export async function draftScripts(store: Store, published: ScriptSource): Promise<DraftScripts> {
  const map = new Map<HookName, HookScript>();
  const drafts: DraftScripts['drafts'] = [];
  for (const hook of HOOK_NAMES) {
    const d = store.draft(hook);
    if (!d || d.source === store.published(hook)?.source) continue;
    const c = await compile(d.source, { hook, version: 'draft' });
    if (c.ok) map.set(hook, { version: 'draft', compiled: c.compiled });
    drafts.push({ hook, error: c.ok ? null : { code: c.error.code, message: c.error.message } });
  }
  return { scripts: { published: (hook) => map.get(hook) ?? published.published(hook) }, drafts };
}

export function draftInvoker(runner: Runner, scripts: ScriptSource, limits?: Partial<Record<HookName, Partial<HookLimits>>>, defaultScripts?: HookName[]): HookInvoker {
  return createHookInvoker({ runner, scripts, log: silentLogger, ...(limits ? { limits } : {}), ...(defaultScripts ? { defaultScripts } : {}) });
}
