/**
 * Reprocess a period: the calls that ended in it rebuilt from CEL, compared with what the outbox knows, and the
 * missing ones registered (or, dry, listed with what would be written). One run at a time, in the service (its
 * outbox, its scripts); its progress is kept in the data folder (`cel-reprocess.json`), so a run stopped (DELETE
 * /api/reprocess, Ctrl-C in `hookline reprocess`, or hookline stopped) resumes where it stopped when the same
 * period is asked again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../durable/index.ts';
import type { Logger } from '../log/index.ts';
import { runPeriod, type PeriodProgress, type PeriodReport, type PeriodTarget, type WouldWrite } from './period.ts';
import { celError, type CelError, type CelResult, type CelSource } from './source.ts';

export const REPROCESS_FILE = 'cel-reprocess.json';
/** Calls listed by a dry run at most (the counts cover them all). */
const LIST_MAX = 5_000;

export interface ReprocessState {
  from: string;
  to: string;
  dryRun: boolean;
  state: 'running' | 'stopped' | 'done' | 'failed';
  found: number;
  read: number;
  registered: number;
  already: number;
  skipped: number;
  left: number;
  /** Where a stopped run goes on from (ISO), or null. */
  resumeFrom: string | null;
  /** How many times it was resumed. */
  resumed: number;
  problems: string[];
  error: CelError | null;
  startedAt: string;
  updatedAt: string;
  /** A dry run's list (at most 5,000; `found` counts them all). */
  wouldWrite?: WouldWrite[];
}

export interface ReprocessRequest {
  from: number;
  to: number;
  dryRun?: boolean;
  /** Start the period again from its beginning rather than resume a stopped run of it. */
  restart?: boolean;
}

export interface Reprocessor {
  start(r: ReprocessRequest): CelResult<ReprocessState>;
  /** The run going on, or the last one. */
  state(): ReprocessState | null;
  /** Stops the run after the batch in progress; it can be resumed. */
  stop(): Promise<ReprocessState | null>;
  /** Resolves when no run is going on. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface ReprocessorOptions {
  source: CelSource;
  target: PeriodTarget & { describe?: (call: Parameters<PeriodTarget['submit']>[0]) => string | null };
  dataDir: string;
  log: Logger;
  batch?: number;
}

function load(path: string): ReprocessState | null {
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as ReprocessState;
    // a run that was going on when hookline stopped: stopped, so it resumes
    return s.state === 'running' ? { ...s, state: 'stopped' } : s;
  } catch {
    return null;
  }
}

export function createReprocessor(o: ReprocessorOptions): Reprocessor {
  const log = o.log.child({ module: 'cel-reprocess' });
  const path = join(o.dataDir, REPROCESS_FILE);
  let current = load(path);
  let running: Promise<void> | null = null;
  let abort: AbortController | null = null;
  let saving = Promise.resolve();

  const save = () => {
    const snapshot = current;
    saving = saving.then(() => writeFileAtomic(path, JSON.stringify(snapshot)).then(() => undefined)).catch((e: unknown) => log.warn({ file: path, err: String(e) }, 'could not write the reprocess progress; a stopped run may start from the beginning'));
    return saving;
  };

  async function run(s: ReprocessState, from: number, to: number, base: Pick<PeriodProgress, 'read' | 'registered' | 'already' | 'skipped'>) {
    const signal = (abort = new AbortController()).signal;
    let r: PeriodReport;
    const apply = (x: PeriodProgress) => {
      // counts of a resumed run add to what the stopped run did; `found` is the whole period's
      Object.assign(s, {
        found: base.read + x.found, read: base.read + x.read, registered: base.registered + x.registered, already: base.already + x.already, skipped: base.skipped + x.skipped,
        left: x.left, resumeFrom: x.resumeFrom === null ? null : new Date(x.resumeFrom).toISOString(), updatedAt: new Date().toISOString(),
      });
      void save();
    };
    try {
      r = await runPeriod(o.source, o.target, {
        from, to, signal, onProgress: apply, ...(s.dryRun ? { dryRun: true } : {}), ...(o.batch ? { batch: o.batch } : {}),
        ...(o.target.describe ? { describe: o.target.describe } : {}),
      });
    } catch (e) {
      r = { from, to, found: 0, read: 0, registered: 0, already: 0, skipped: 0, left: 0, resumeFrom: from, problems: [], error: { code: 'CEL_UNREACHABLE', message: `the reprocess failed: ${String(e)}`, hint: '' }, stopped: false };
    }
    apply(r);
    s.problems = [...s.problems, ...r.problems].slice(0, 100);
    s.error = r.error;
    if (r.wouldWrite) s.wouldWrite = [...(s.wouldWrite ?? []), ...r.wouldWrite].slice(0, LIST_MAX);
    s.state = r.error ? 'failed' : r.stopped ? 'stopped' : 'done';
    if (s.state === 'done') s.resumeFrom = null;
    log.info({ from: s.from, to: s.to, state: s.state, found: s.found, registered: s.registered, already: s.already, skipped: s.skipped, dryRun: s.dryRun }, `reprocess ${s.state}`);
    await save();
  }

  return {
    start(req) {
      if (running) return celError('CEL_REPROCESS_BUSY', `${current?.from} to ${current?.to}, ${current?.left ?? '?'} calls left`);
      if (!Number.isFinite(req.from) || !Number.isFinite(req.to) || req.from >= req.to) return celError('CEL_BAD_PERIOD', `from ${String(req.from)} to ${String(req.to)}: --from must be a time before --to`);
      const fromIso = new Date(req.from).toISOString();
      const toIso = new Date(req.to).toISOString();
      const dryRun = req.dryRun === true;
      const prior = current;
      const resume = !req.restart && prior && prior.from === fromIso && prior.to === toIso && prior.dryRun === dryRun && (prior.state === 'stopped' || prior.state === 'failed') && prior.resumeFrom;
      const now = new Date().toISOString();
      const s: ReprocessState = resume
        ? { ...prior, state: 'running', resumed: prior.resumed + 1, error: null, updatedAt: now }
        : { from: fromIso, to: toIso, dryRun, state: 'running', found: 0, read: 0, registered: 0, already: 0, skipped: 0, left: 0, resumeFrom: fromIso, resumed: 0, problems: [], error: null, startedAt: now, updatedAt: now, ...(dryRun ? { wouldWrite: [] } : {}) };
      current = s;
      const from = resume ? Date.parse(prior.resumeFrom as string) : req.from;
      const base = resume ? { read: prior.read, registered: prior.registered, already: prior.already, skipped: prior.skipped } : { read: 0, registered: 0, already: 0, skipped: 0 };
      log.info({ from: fromIso, to: toIso, dryRun, resumedFrom: resume ? prior.resumeFrom : null }, resume ? 'reprocess resumed' : 'reprocess started');
      running = run(s, from, req.to, base).finally(() => {
        running = null;
        abort = null;
      });
      return { ok: true, value: { ...s } };
    },
    state: () => (current ? { ...current } : null),
    async stop() {
      abort?.abort();
      await running;
      return current ? { ...current } : null;
    },
    async idle() {
      await running;
    },
    async close() {
      abort?.abort();
      await running;
      await saving;
    },
  };
}
