/**
 * Replay: the draft and the published version of a hook run against the inputs captured from real calls,
 * each with the capture's time and seed, and compared output by output.
 */
import { createTwoFilesPatch } from 'diff';
import { canonicalJson, makeError, type HookName, type HooklineError } from '../contracts/index.ts';
import { compile, type HookScript, type InvocationResult, type Runner } from '../sandbox/index.ts';
import type { Capture, Store } from '../scripts-store/index.ts';

export interface ReplayRun {
  ok: boolean;
  data: unknown;
  error: { code: string; message: string; hint: string } | null;
  logs: { level: string; text: string }[];
  durationMs: number;
}

export interface ReplayResult {
  id: string;
  linkedid: string | null;
  time: string;
  /** failed: the draft failed; changed: its output differs from the published one's; unchanged: same. */
  verdict: 'changed' | 'unchanged' | 'failed';
  draft: ReplayRun;
  published: ReplayRun;
  /** A unified diff of the published output against the draft's (canonical JSON); "" when unchanged. */
  diff: string;
}

export interface ReplayReport {
  summary: { total: number; changed: number; unchanged: number; failed: number };
  results: ReplayResult[];
}

export type ReplayOutcome = { ok: true; report: ReplayReport } | { ok: false; error: HooklineError };

const view = (r: InvocationResult): ReplayRun => ({
  ok: r.ok,
  data: r.data,
  error: r.error && r.error.code !== 'NO_SCRIPT' ? { code: r.error.code, message: r.error.message, hint: r.error.hint } : null,
  logs: r.logs,
  durationMs: r.durationMs,
});

export async function replay(
  o: { store: Store; runner: Runner; hook: HookName; draftSource: string; limit?: number; ids?: string[]; onResult?: (r: ReplayResult) => void },
): Promise<ReplayOutcome> {
  const draft = await compile(o.draftSource, { hook: o.hook, version: 'draft' });
  if (!draft.ok) return { ok: false, error: draft.error };
  const pub = o.store.published(o.hook);
  let published: HookScript | null = null;
  if (pub) {
    const c = await compile(pub.source, { hook: o.hook, version: pub.version });
    if (!c.ok) return { ok: false, error: makeError('COMPILE_ERROR', { hook: o.hook, version: pub.version, detail: c.error.message }) };
    published = { version: pub.version, compiled: c.compiled };
  }
  const draftScript = { version: 'draft', compiled: draft.compiled };
  const captures: Capture[] = o.store.captures(o.hook, { limit: o.limit, ids: o.ids });
  const results: ReplayResult[] = [];
  for (const c of captures) {
    const opts = { now: c.now, seed: c.seed, linkedid: c.linkedid ?? undefined };
    const [d, p] = await Promise.all([o.runner.invoke(o.hook, draftScript, c.input, opts), o.runner.invoke(o.hook, published, c.input, opts)]);
    const before = `${canonicalJson(p.data, 2)}\n`;
    const after = `${canonicalJson(d.data, 2)}\n`;
    const verdict = !d.ok ? 'failed' : before === after ? 'unchanged' : 'changed';
    const r: ReplayResult = {
      id: c.id,
      linkedid: c.linkedid,
      time: c.time,
      verdict,
      draft: view(d),
      published: view(p),
      diff: before === after ? '' : createTwoFilesPatch(`published${pub ? ` v${pub.version}` : ' (default)'}`, 'draft', before, after),
    };
    results.push(r);
    o.onResult?.(r);
  }
  const count = (v: ReplayResult['verdict']) => results.filter((r) => r.verdict === v).length;
  return { ok: true, report: { summary: { total: results.length, changed: count('changed'), unchanged: count('unchanged'), failed: count('failed') }, results } };
}
