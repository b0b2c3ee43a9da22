/**
 * Replay: the draft and the published version of a hook run against the inputs captured from real calls,
 * each with the capture's time and seed, and compared output by output.
 */
import { createTwoFilesPatch } from 'diff';
import { canonicalJson, limitsFor, makeError, type HookLimits, type HookName, type HooklineError } from '../contracts/index.ts';
import { compile, type HookScript, type InvocationResult, type Runner } from '../sandbox/index.ts';
import type { Capture, Store } from '../scripts-store/index.ts';
import type { CapabilityCall, CapabilityHost, WouldSend } from '../capabilities/index.ts';

export interface ReplayRun {
  ok: boolean;
  data: unknown;
  error: { code: string; message: string; hint: string } | null;
  logs: { level: string; text: string }[];
  durationMs: number;
  /** The published side's result was reused from an earlier replay (same version, same capture). */
  cached?: boolean;
  /**
   * The writes the script would have sent (non-GET fetch, Kommo writes, store.set): a replay never sends them
   * (issue 19; capabilities/ `recorded` mode). Absent when there were none.
   */
  wouldSend?: WouldSend[];
}

export interface ReplayResult {
  id: string;
  linkedid: string | null;
  time: string;
  /** failed: the draft failed; changed: its output differs from the published one's; unchanged: same. */
  verdict: 'changed' | 'unchanged' | 'failed';
  draft: ReplayRun;
  published: ReplayRun;
  /**
   * A unified diff of the published output against the draft's (canonical JSON); "" when unchanged. For a
   * failed draft the draft side is its error ({error: {code, message}}), not the default data the engine
   * would fall back to: what changed is that the draft fails.
   */
  diff: string;
}

export interface ReplayReport {
  summary: { total: number; changed: number; unchanged: number; failed: number };
  results: ReplayResult[];
}

export type ReplayOutcome = { ok: true; report: ReplayReport } | { ok: false; error: HooklineError };

/**
 * Invocations kept in flight at once. The sandbox child answers them one after another, but a window hides
 * the IPC round trip between them (measured: 1,000 invocations issued at once take about half the time of
 * 1,000 awaited one by one), and with a pool the draft and the published version run in two children.
 */
const WINDOW = 32;

/**
 * Each side runs as this many copies of its script (the same code under distinct hashes), and capture i uses
 * copy i % SHARDS. A runner pool pins a script to one child by hash, round-robin when first seen, so with the
 * two-child replay runner each child gets one copy of the draft and one of the published version: the work is
 * split evenly whether the published side runs (first replay after a publish) or is reused (then the draft
 * alone uses both children). With a one-child runner it costs one more warm isolate, nothing else.
 */
const SHARDS = 2;

function copies(s: HookScript): HookScript[] {
  return Array.from({ length: SHARDS }, (_, k) => (k === 0 ? s : { ...s, compiled: { ...s.compiled, hash: `${s.compiled.hash}#${k}` } }));
}

/** Outcomes that depend on the machine (load, memory), not on the script and its input: never reused. */
const TRANSIENT = new Set(['TIMEOUT', 'MEMORY_LIMIT', 'SANDBOX_CRASH']);

/**
 * The published side's runs, per store and hook, for one published version (by its source hash). A capture is
 * immutable and a replay pins its time and seed, so a version's output for it is the same every time: an
 * operator who edits the draft and replays again only pays for the draft. A new published version (publish,
 * rollback) replaces the hook's entry; entries for captures that left the ring are dropped when it grows.
 */
const publishedRuns = new WeakMap<Store, Map<HookName, { hash: string; runs: Map<string, ReplayRun> }>>();

function runsFor(store: Store, hook: HookName, hash: string): Map<string, ReplayRun> {
  let byHook = publishedRuns.get(store);
  if (!byHook) publishedRuns.set(store, (byHook = new Map()));
  let entry = byHook.get(hook);
  if (!entry || entry.hash !== hash) byHook.set(hook, (entry = { hash, runs: new Map() }));
  return entry.runs;
}

const view = (r: InvocationResult): ReplayRun => ({
  ok: r.ok,
  data: r.data,
  error: r.error && r.error.code !== 'NO_SCRIPT' ? { code: r.error.code, message: r.error.message, hint: r.error.hint } : null,
  logs: r.logs,
  durationMs: r.durationMs,
});

export async function replay(
  o: {
    store: Store; runner: Runner; hook: HookName; draftSource: string; limit?: number; ids?: string[]; onResult?: (r: ReplayResult) => void;
    /** The hook's limits as the engine applies them (config hooks.<hook>), for both versions. */
    limits?: Partial<HookLimits>;
    /**
     * The capability layer (issue 19): each side's fetch / kommo.request / store calls are answered from the
     * capture's recorded calls, and writes listed as "would send", never performed. Without it they are refused.
     */
    capabilities?: CapabilityHost;
  },
): Promise<ReplayOutcome> {
  const draft = await compile(o.draftSource, { hook: o.hook, version: 'draft' });
  if (!draft.ok) return { ok: false, error: draft.error };
  const pub = o.store.published(o.hook);
  const captures: Capture[] = o.store.captures(o.hook, { limit: o.limit, ids: o.ids });
  // The cache lives in this process, where the compiler does not change: the source's hash names the version.
  const cache = runsFor(o.store, o.hook, pub ? pub.hash : 'default');
  // Taken once: another replay running meanwhile may prune the cache, and a run missing here must not meet a null script.
  const known = new Map(captures.flatMap((c) => { const r = cache.get(c.id); return r ? [[c.id, r] as const] : []; }));
  const needPublished = pub !== null && known.size < captures.length;
  let published: HookScript | null = null;
  if (pub && needPublished) {
    const c = await compile(pub.source, { hook: o.hook, version: pub.version });
    if (!c.ok) return { ok: false, error: makeError('COMPILE_ERROR', { hook: o.hook, version: pub.version, detail: c.error.message }) };
    published = { version: pub.version, compiled: c.compiled };
  }
  const draftScripts = copies({ version: 'draft', compiled: draft.compiled });
  const publishedScripts = published ? copies(published) : [null];
  const label = `published${pub ? ` v${pub.version}` : ' (default)'}`;
  const results: ReplayResult[] = new Array(captures.length);

  async function one(c: Capture, i: number): Promise<ReplayResult> {
    const opts = { now: c.now, seed: c.seed, linkedid: c.linkedid ?? undefined, ...(o.limits ? { limits: o.limits } : {}) };
    const reused = known.get(c.id);
    // Replay never acts: each side gets a session that serves the capture's recorded answers (issue 19).
    const recorded = () => o.capabilities?.session({ hook: o.hook, linkedid: c.linkedid, timeoutMs: limitsFor(o.hook, o.limits).timeoutMs, mode: { kind: 'recorded', calls: (c.calls ?? []) as CapabilityCall[] } });
    const side = (script: HookScript | null) => {
      const session = script ? recorded() : undefined;
      return o.runner.invoke(o.hook, script, c.input, session ? { ...opts, host: session } : opts).then((r) => {
        const would = session?.wouldSend() ?? [];
        return { ...view(r), ...(would.length ? { wouldSend: would } : {}) };
      });
    };
    const [d, p] = await Promise.all([
      side(draftScripts[i % SHARDS] as HookScript),
      reused ? { ...reused, cached: true } : side(publishedScripts[i % publishedScripts.length] ?? null),
    ]);
    if (!reused && !(p.error && TRANSIENT.has(p.error.code))) cache.set(c.id, p);
    const before = `${canonicalJson(p.data, 2)}\n`;
    const failed = !d.ok && d.error !== null;
    const after = failed && d.error ? `${canonicalJson({ error: { code: d.error.code, message: d.error.message } }, 2)}\n` : `${canonicalJson(d.data, 2)}\n`;
    const same = before === after;
    return {
      id: c.id,
      linkedid: c.linkedid,
      time: c.time,
      verdict: !d.ok ? 'failed' : same ? 'unchanged' : 'changed',
      draft: d,
      published: p,
      diff: same ? '' : createTwoFilesPatch(label, failed ? 'draft (failed)' : 'draft', before, after),
    };
  }

  // Start each copy's isolate first, so a cold start is not counted in the first inputs' durations.
  await Promise.all([...draftScripts, ...(published ? (publishedScripts as HookScript[]) : [])].map((sc) => o.runner.warm(o.hook, sc).catch(() => {}))); // a failure shows on the runs

  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(WINDOW, captures.length) }, async () => {
      while (next < captures.length) {
        const i = next++;
        const r = await one(captures[i] as Capture, i);
        results[i] = r;
        o.onResult?.(r);
      }
    }),
  );
  if (cache.size > 2 * captures.length + 1_000) {
    const keep = new Set(captures.map((c) => c.id));
    for (const id of cache.keys()) if (!keep.has(id)) cache.delete(id);
  }
  const summary = { total: results.length, changed: 0, unchanged: 0, failed: 0 };
  for (const r of results) summary[r.verdict]++;
  return { ok: true, report: { summary, results } };
}
