/**
 * The scripts a dry run runs: each hook's draft where it has one that differs from its published version
 * (compiled now), else its published version. The invoker made from them records nothing (no captures, no
 * failure log, no quarantine): a dry run leaves no trace.
 */
import { HOOK_NAMES, type HookLimits, type HookName } from '../contracts/index.ts';
import { redactUrl, type CapabilityCall, type CapabilityHost, type CapabilityMode } from '../capabilities/index.ts';
import { createHookInvoker, type HookInvoker, type InvocationRecord, type ScriptSource } from '../engine/hooks/index.ts';
import { silentLogger } from '../log/index.ts';
import { compile, type HookScript, type Runner } from '../sandbox/index.ts';
import type { Store } from '../scripts-store/index.ts';
import type { DryRunWrite } from './dry-run.ts';
import type { Story } from './types.ts';

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

export interface DraftInvoker {
  /** The invoker for one recorded call: its scripts' capability calls answered from its story, never carried out. */
  forStory(story: Story): HookInvoker;
  /** The capability writes (fetch, kommo.request, store.set) the call's scripts would send, taken once. */
  scriptWrites(linkedid: string): DryRunWrite[];
}

/** A script's capability write as a dry run lists it beside the registrar's Kommo writes. */
export const scriptWrite = (w: { kind: string; method: string; target: string; body: string | null }): DryRunWrite => ({
  op: `script ${w.kind}`,
  method: w.method,
  route: w.kind === 'fetch' ? redactUrl(w.target) : w.target,
  body: parsedBody(w.body),
});

function parsedBody(body: string | null): unknown {
  if (body === null) return null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/**
 * One invoker for a whole dry run. With `capabilities` (the config's grants), each invocation's session is
 * `recorded`: reads answered from the calls the story kept for that hook (issue 19), writes listed, nothing sent.
 */
export function draftInvoker(runner: Runner, scripts: ScriptSource, limits?: Partial<Record<HookName, Partial<HookLimits>>>, defaultScripts?: HookName[], capabilities?: CapabilityHost): DraftInvoker {
  const recorded = new Map<string, Map<string, CapabilityCall[]>>();
  const writes = new Map<string, DryRunWrite[]>();
  const invoker = createHookInvoker({
    runner, scripts, log: silentLogger, ...(limits ? { limits } : {}), ...(defaultScripts ? { defaultScripts } : {}),
    ...(capabilities
      ? {
          capabilities,
          capabilityMode: (hook: HookName, linkedid: string | null): CapabilityMode => ({ kind: 'recorded', calls: (linkedid ? recorded.get(linkedid)?.get(hook) : undefined) ?? [] }),
          onInvocation: (r: InvocationRecord) => {
            if (!r.linkedid || !r.wouldSend?.length) return;
            const list = writes.get(r.linkedid) ?? [];
            list.push(...r.wouldSend.map(scriptWrite));
            writes.set(r.linkedid, list);
          },
        }
      : {}),
  });
  return {
    forStory(story) {
      const byHook = new Map<string, CapabilityCall[]>();
      for (const h of story.hooks) if (h.calls?.length) byHook.set(h.hook, [...(byHook.get(h.hook) ?? []), ...h.calls]);
      recorded.set(story.summary.linkedid, byHook);
      return invoker;
    },
    scriptWrites(linkedid) {
      const list = writes.get(linkedid) ?? [];
      writes.delete(linkedid);
      recorded.delete(linkedid);
      return list;
    },
  };
}
