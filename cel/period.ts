/**
 * The calls that ended in a period, read from CEL and registered where they are missing: the catch-up after a
 * gap and `hookline reprocess` both run this. Calls the outbox knows (registered, or queued) are counted and left
 * alone before anything runs for them; the others are rebuilt (rebuild.ts) and handed to `submit`, batch after
 * batch in the order they ended, so a run stopped between batches resumes from the first call not done.
 */
import type { AmiMessage } from '../ami-wire/index.ts';
import type { FinishedCall } from '../engine/calls/index.ts';
import type { Logger } from '../log/index.ts';
import { rebuildCalls, type RebuildOptions } from './rebuild.ts';
import type { CelError, CelSource } from './source.ts';

export type SubmitOutcome = 'queued' | 'known' | 'skipped';

export interface PeriodTarget extends RebuildOptions {
  /** Registered or queued already (the outbox's record). */
  known(linkedid: string): boolean;
  /** Register a rebuilt call (toRegistration, then the registrar): queued, already known, or not one to register. */
  submit(call: FinishedCall): Promise<SubmitOutcome>;
  log: Logger;
  /** Since when the record behind `known` is whole (null: it never dropped anything). */
  recordSince?: () => number | null;
  /**
   * The calls read back and written, as the call's story sees live ones (stories/ recorder: `event`, `call`):
   * only those submitted (a call already known keeps the story it has; a dry run records nothing).
   */
  observe?: { event(msg: AmiMessage): void; call(call: FinishedCall, submitted: boolean): void };
}

/** What one call would become, for --dry-run. */
export interface WouldWrite {
  linkedid: string;
  endedAt: string;
  direction: string;
  from: string;
  to: string;
  answered: boolean;
  /** Why it is not registered (filters, internal call), or null when it would be written. */
  notRegistered: string | null;
}

export interface PeriodProgress {
  from: number;
  to: number;
  /** Calls that ended in the period (LINKEDID_END found). */
  found: number;
  /** Calls read so far (known ones included). */
  read: number;
  /** Handed to the registrar (new in the outbox). */
  registered: number;
  /** Already registered or queued: not written again. */
  already: number;
  /** Rebuilt, but not ones to register (internal, filtered out) or without a call_ended. */
  skipped: number;
  left: number;
  /** The end time of the first call not yet done: resume from here. null when done. */
  resumeFrom: number | null;
}

export interface PeriodReport extends PeriodProgress {
  problems: string[];
  error: CelError | null;
  stopped: boolean;
  /** --dry-run: what would be written (and what would not, with why). */
  wouldWrite?: WouldWrite[];
}

export interface PeriodOptions {
  from: number;
  to: number;
  dryRun?: boolean;
  /** Calls rebuilt together. Default 200. */
  batch?: number;
  signal?: AbortSignal;
  onProgress?: (p: PeriodProgress) => void;
  /** Turn a rebuilt call into what would be written, or why not (toRegistration's reason). */
  describe?: (call: FinishedCall) => string | null;
}

export async function runPeriod(source: CelSource, target: PeriodTarget, o: PeriodOptions): Promise<PeriodReport> {
  const report: PeriodReport = { from: o.from, to: o.to, found: 0, read: 0, registered: 0, already: 0, skipped: 0, left: 0, resumeFrom: o.from, problems: [], error: null, stopped: false };
  if (o.dryRun) report.wouldWrite = [];
  const since = target.recordSince?.() ?? null;
  if (since !== null && o.from < since) {
    report.problems.push(`the outbox remembers registered calls only since ${new Date(since).toISOString()} (cel.catchUp.maxGapHours): a call of this period that ended before then and was registered may be written again`);
  }
  const ended = await source.endedIn(o.from, o.to);
  if (!ended.ok) return { ...report, error: ended.error };
  report.problems.push(...ended.value.problems);
  const calls = ended.value.calls;
  report.found = calls.length;
  report.left = calls.length;
  const size = o.batch ?? 200;
  const progress = () => o.onProgress?.({ from: report.from, to: report.to, found: report.found, read: report.read, registered: report.registered, already: report.already, skipped: report.skipped, left: report.left, resumeFrom: report.resumeFrom });
  progress();
  for (let i = 0; i < calls.length; i += size) {
    if (o.signal?.aborted) {
      report.stopped = true;
      return report;
    }
    const part = calls.slice(i, i + size);
    const fresh = part.filter((c) => !target.known(c.linkedid));
    report.already += part.length - fresh.length;
    if (fresh.length) {
      const rows = await source.rowsOf(fresh.map((c) => c.linkedid));
      if (!rows.ok) return { ...report, error: rows.error };
      report.problems.push(...rows.value.problems);
      const wanted = new Set(fresh.map((c) => c.linkedid));
      const endedAt = new Map(fresh.map((c) => [c.linkedid, c.at]));
      const rebuilt = await rebuildCalls(rows.value.rows, !o.dryRun && target.observe ? { ...target, onEvent: target.observe.event } : target);
      const got = new Set<string>();
      const toSubmit: FinishedCall[] = [];
      for (const call of rebuilt) {
        if (!wanted.has(call.linkedid) || got.has(call.linkedid)) continue;
        got.add(call.linkedid);
        if (o.dryRun) {
          const why = o.describe?.(call) ?? null;
          report.wouldWrite?.push({
            linkedid: call.linkedid, endedAt: new Date(endedAt.get(call.linkedid) ?? 0).toISOString(), direction: call.direction, from: call.from, to: call.to,
            answered: call.answered, notRegistered: why,
          });
          if (why) report.skipped += 1;
          else report.registered += 1;
        } else toSubmit.push(call);
      }
      // submitted together, in the order they ended: the outbox writes them in one group commit (one fsync), not one each
      const outcomes = await Promise.all(toSubmit.map((call) => target.submit(call)));
      toSubmit.forEach((call, k) => target.observe?.call(call, outcomes[k] === 'queued'));
      for (const r of outcomes) {
        if (r === 'queued') report.registered += 1;
        else if (r === 'known') report.already += 1;
        else report.skipped += 1;
      }
      for (const id of wanted) {
        if (got.has(id)) continue;
        report.skipped += 1;
        report.problems.push(`call ${id}: its rows gave no call of its own (a pickup or transfer took it into another call, or rows are missing); not registered on its own`);
      }
    }
    report.read += part.length;
    report.left = calls.length - report.read;
    report.resumeFrom = calls[i + size]?.at ?? null;
    progress();
  }
  report.resumeFrom = null;
  return report;
}
