/**
 * Shadow runs (issue 17, item 7): a draft put in shadow runs on live calls beside the published version, with the
 * live invocation's input, time and seed, after the live invocation has returned (never before, never awaited
 * by it), through `execute`: a runner of its own (app/ gives one in its own sandbox child, at a lower priority,
 * without host capabilities), so a shadow that loops, throws or runs out of memory touches no live call. Its
 * output is compared with the live one and recorded, never used. Bounded: the time its invocations take in a
 * sliding window (at most `share` of it; wall time in the isolate, an upper bound on its CPU), invocations in
 * flight (`maxInFlight`), and results kept per hook (`maxRecords`); what the bounds skip is counted.
 * Stopping it, or a publish of the hook (app/ calls stop), ends it; its results stay readable until the next start.
 */
import { createTwoFilesPatch } from 'diff';
import type { CapabilityCall, WouldSend } from '../capabilities/index.ts';
import { canonicalJson, type HookLimits, type HookName, type HooklineError } from '../contracts/index.ts';
import type { Logger } from '../log/index.ts';
import { compile, type HookScript, type InvocationResult, type InvokeOptions } from '../sandbox/index.ts';

/**
 * How a shadow invocation runs: the one seam between shadows and the sandbox (app/shadow-runs.ts). Whatever it
 * runs must not act on the world: no host capabilities, or capabilities in a recording mode only.
 */
/**
 * Runs one shadow invocation. `recorded`: the live invocation's capability calls (fetch, kommo.request, store) with
 * their answers: the shadow's are answered from them and never carried out; its writes come back as `wouldSend`.
 */
export type ShadowExecute = (hook: HookName, script: HookScript, input: unknown, opts: InvokeOptions, recorded: readonly CapabilityCall[]) => Promise<InvocationResult & { wouldSend?: WouldSend[] }>;

/** What the engine's hook invoker saw of one live invocation (engine/hooks InvocationRecord, with its data). */
export interface LiveInvocation {
  hook: HookName;
  linkedid: string | null;
  version: number | string | null;
  input: unknown;
  now: number;
  seed: number;
  data?: unknown;
  error: HooklineError | null;
  /** Its script's capability calls with their answers (issue 19): what the shadow's are answered from. */
  calls?: readonly CapabilityCall[];
}

export interface ShadowResult {
  /** 1, 2, 3… per shadow. */
  seq: number;
  time: string;
  linkedid: string | null;
  /** same: the draft returned what the live version returned; differs; failed: the draft failed. */
  verdict: 'same' | 'differs' | 'failed';
  input: unknown;
  live: { version: number | string | null; data: unknown; error: string | null };
  shadow: { data: unknown; error: { code: string; message: string } | null; durationMs: number; wouldSend?: WouldSend[] };
  /** Live → shadow, unified; "" when the same. */
  diff: string;
}

export interface ShadowInfo {
  hook: HookName;
  active: boolean;
  since: string;
  author: string;
  /** The draft's source hash (sha of the compiled code), so the page can tell which draft it is. */
  hash: string;
  runs: number;
  same: number;
  differs: number;
  failed: number;
  /** Live invocations not shadowed: the time share was used up (cpu), or too many were in flight (busy). */
  skipped: { cpu: number; busy: number };
  /** Time spent in shadow invocations in the last window, in ms, and the most allowed. */
  windowMs: number;
  usedMs: number;
  budgetMs: number;
  stoppedAt: string | null;
  stopReason: string | null;
}

export interface ShadowsOptions {
  execute: ShadowExecute;
  /** Prepares the draft's isolate when the shadow starts, so a cold start is not paid on (or counted against) the first call. */
  warm?: (hook: HookName, script: HookScript) => Promise<void>;
  log: Logger;
  /** The hooks' limits as the engine applies them (config hooks.<hook>), for the shadow too. */
  limits?: Partial<Record<HookName, Partial<HookLimits>>>;
  /** Share of the window the shadow invocations may take. Default 0.25. */
  share?: number;
  /** The window of that share, ms. Default 10 000. */
  windowMs?: number;
  /** Shadow invocations in flight at once, over all hooks (the shadow's child runs them one at a time anyway). Default 2. */
  maxInFlight?: number;
  /** Results kept per hook (newest). Default 200. */
  maxRecords?: number;
  now?: () => number;
}

/** A result as kept: the diff is made when it is read (never on the event loop the live calls share, per call). */
type Kept = Omit<ShadowResult, 'diff'> & { diff?: string; before: string; after: string };

interface Running {
  info: ShadowInfo;
  script: HookScript;
  results: Kept[];
  /** [end time, duration] of the invocations in the window. */
  spent: [number, number][];
  seq: number;
}

const text = (v: unknown) => `${canonicalJson(v, 2)}\n`;

export function createShadows(o: ShadowsOptions) {
  const now = o.now ?? Date.now;
  const share = o.share ?? 0.25;
  const windowMs = o.windowMs ?? 10_000;
  const maxInFlight = o.maxInFlight ?? 2;
  const maxRecords = o.maxRecords ?? 200;
  const byHook = new Map<HookName, Running>();
  let inFlight = 0;

  const used = (r: Running, t: number) => {
    while (r.spent.length && (r.spent[0] as [number, number])[0] < t - windowMs) r.spent.shift();
    return r.spent.reduce((s, [, d]) => s + d, 0);
  };
  const snapshot = (r: Running): ShadowInfo => ({ ...r.info, skipped: { ...r.info.skipped }, usedMs: Math.round(used(r, now())) });

  async function shadowOne(r: Running, live: LiveInvocation, input: unknown, liveData: unknown): Promise<void> {
    const res = await o.execute(live.hook, r.script, input, { linkedid: live.linkedid ?? undefined, now: live.now, seed: live.seed, ...(o.limits?.[live.hook] ? { limits: o.limits[live.hook] } : {}) }, live.calls ?? []);
    r.spent.push([now(), res.durationMs]);
    if (byHook.get(live.hook) !== r || !r.info.active) return; // stopped meanwhile: not counted
    const error = res.error && res.error.code !== 'NO_SCRIPT' ? { code: res.error.code, message: res.error.message } : null;
    const before = text(liveData);
    const after = error ? text({ error }) : text(res.data);
    const verdict = error ? 'failed' : before === after ? 'same' : 'differs';
    r.info.runs++;
    r.info[verdict]++;
    r.results.unshift({
      seq: ++r.seq, time: new Date(live.now).toISOString(), linkedid: live.linkedid, verdict, input,
      live: { version: live.version, data: liveData, error: live.error?.code ?? null },
      shadow: { data: res.data, error, durationMs: res.durationMs, ...(res.wouldSend?.length ? { wouldSend: res.wouldSend } : {}) },
      before, after,
    });
    if (r.results.length > maxRecords) r.results.length = maxRecords;
  }

  return {
    /** Puts a draft in shadow for a hook (replacing any shadow of it); refused when it does not compile. */
    async start(hook: HookName, source: string, author: string): Promise<{ ok: true; value: ShadowInfo } | { ok: false; error: HooklineError }> {
      const c = await compile(source, { hook, version: 'shadow' });
      if (!c.ok) return { ok: false, error: c.error };
      const info: ShadowInfo = {
        hook, active: true, since: new Date(now()).toISOString(), author, hash: c.compiled.hash, runs: 0, same: 0, differs: 0, failed: 0,
        skipped: { cpu: 0, busy: 0 }, windowMs, usedMs: 0, budgetMs: Math.round(share * windowMs), stoppedAt: null, stopReason: null,
      };
      const script: HookScript = { version: 'shadow', compiled: c.compiled };
      await o.warm?.(hook, script).catch(() => {}); // a failure shows on the runs
      byHook.set(hook, { info, script, results: [], spent: [], seq: 0 });
      o.log.info({ hook, author }, `a draft of ${hook} runs in shadow: on live calls beside the published version, its output recorded and never used`);
      return { ok: true, value: { ...info } };
    },
    /** Ends the hook's shadow (its results stay readable); null when none runs. */
    stop(hook: HookName, reason: string): ShadowInfo | null {
      const r = byHook.get(hook);
      if (!r?.info.active) return null;
      r.info.active = false;
      r.info.stoppedAt = new Date(now()).toISOString();
      r.info.stopReason = reason;
      o.log.info({ hook, runs: r.info.runs, differs: r.info.differs, failed: r.info.failed }, `the shadow of ${hook} ended: ${reason}`);
      return snapshot(r);
    },
    /**
     * Called with every live invocation (the hook invoker's onInvocation), on the call path: without a shadow of
     * the hook it returns at once; with one, it copies the input and the live output and starts the shadow
     * invocation without waiting for it. Never throws.
     */
    observe(live: LiveInvocation): void {
      const r = byHook.get(live.hook);
      if (!r?.info.active) return;
      if (inFlight >= maxInFlight) {
        r.info.skipped.busy++;
        return;
      }
      if (used(r, now()) >= share * windowMs) {
        r.info.skipped.cpu++;
        return;
      }
      let input: unknown;
      let liveData: unknown;
      try {
        // The caller goes on with these objects: the shadow works on copies.
        input = structuredClone(live.input);
        liveData = structuredClone(live.data ?? null);
      } catch {
        return;
      }
      inFlight++;
      // Started on the next turn of the event loop: the caller of the live invocation goes on first (a runner's
      // invoke checks the input and sends it to its child before its first await: not on the live call's time).
      setImmediate(() => {
        shadowOne(r, live, input, liveData)
          .catch((e) => o.log.warn({ hook: live.hook, err: String(e) }, 'a shadow invocation failed inside hookline'))
          .finally(() => {
            inFlight--;
          });
      });
    },
    /** The hook's shadow (active or the last ended) and its results, newest first; null when none was started. */
    get(hook: HookName): { shadow: ShadowInfo; results: ShadowResult[] } | null {
      const r = byHook.get(hook);
      if (!r) return null;
      const results = r.results.map((k): ShadowResult => {
        k.diff ??= k.verdict === 'same' ? '' : createTwoFilesPatch(`live${k.live.version === null ? ' (default)' : ` v${k.live.version}`}`, k.shadow.error ? 'shadow (failed)' : 'shadow', k.before, k.after);
        const { before: _b, after: _a, ...shown } = k;
        return { ...shown, diff: k.diff };
      });
      return { shadow: snapshot(r), results };
    },
    /** Every hook's shadow, active or last ended (the status page). */
    list(): ShadowInfo[] {
      return [...byHook.values()].map(snapshot);
    },
    /** Shadow invocations running now. */
    inFlight: () => inFlight,
  };
}

export type Shadows = ReturnType<typeof createShadows>;

