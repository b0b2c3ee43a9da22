/**
 * The catch-up: AMI has no replay, so the calls that ended while hookline was not following (stopped, killed,
 * restarting, cut off from Asterisk) are read from CEL. The time of the last AMI event seen is kept in the data
 * folder (`cel-catch-up.json`, written at most once a second and at stop); at start and after every reconnect the
 * calls whose LINKEDID_END falls between it (less `overlapMs`: a call that ended just before a crash may not have
 * reached the outbox) and now are registered where the outbox does not know them. A catch-up that fails (the
 * database is down) is tried again every minute, its gap merged with any later one; live AMI following goes on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../durable/index.ts';
import type { AmiClient } from '../engine/ami/index.ts';
import type { Logger } from '../log/index.ts';
import { runPeriod, type PeriodReport, type PeriodTarget } from './period.ts';
import type { CelError, CelSource } from './source.ts';

export const CATCH_UP_FILE = 'cel-catch-up.json';

export interface CatchUpSettings {
  overlapMs: number;
  maxGapHours: number;
  delayMs: number;
  /** After a failed catch-up, try again this much later (default 60 s). */
  retryMs?: number;
}

/** The last catch-up, as /api/status shows it. */
export interface CatchUpStatus {
  reason: 'start' | 'reconnect' | 'retry';
  state: 'waiting' | 'running' | 'done' | 'failed';
  /** The period read (ISO): from the last event seen (less the overlap) to the reconnect. */
  from: string;
  to: string;
  found: number;
  registered: number;
  already: number;
  skipped: number;
  /** The gap was longer than maxGapHours: the part before `from` was not read (use `hookline reprocess`). */
  cutShort: string | null;
  problems: string[];
  error: CelError | null;
  at: string;
}

export interface CatchUp {
  /** The last catch-up (null: none yet, e.g. the first start ever). */
  status(): CatchUpStatus | null;
  /** Resolves when no catch-up is waiting or running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface Saved {
  lastSeen: number | null;
  last: CatchUpStatus | null;
}

function readSaved(path: string): Saved {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<Saved>;
    return { lastSeen: typeof v.lastSeen === 'number' ? v.lastSeen : null, last: v.last ?? null };
  } catch {
    return { lastSeen: null, last: null };
  }
}

export interface CatchUpOptions {
  source: CelSource;
  target: PeriodTarget;
  ami: Pick<AmiClient, 'on'>;
  /** Whether AMI is connected now (a connection made before this was wired counts as the start's). */
  connected: () => boolean;
  dataDir: string;
  settings: CatchUpSettings;
  log: Logger;
  now?: () => number;
}

export function startCatchUp(o: CatchUpOptions): CatchUp {
  const now = o.now ?? Date.now;
  const log = o.log.child({ module: 'cel' });
  const path = join(o.dataDir, CATCH_UP_FILE);
  const saved = readSaved(path);
  let lastSeen = saved.lastSeen;
  let last = saved.last;
  let dirty = false;
  let closed = false;
  /** The gap not yet caught up (merged when another comes before it is done). */
  let pending: { from: number; reason: CatchUpStatus['reason'] } | null = null;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let started = false;

  const save = async () => {
    dirty = false;
    await writeFileAtomic(path, JSON.stringify({ lastSeen, last } satisfies Saved)).catch((e: unknown) => log.warn({ file: path, err: String(e) }, 'could not write the catch-up file; the next catch-up may read a longer period'));
  };
  const flusher = setInterval(() => {
    if (dirty) void save();
  }, 1000);
  flusher.unref();

  const offMessage = o.ami.on('message', () => {
    lastSeen = now();
    dirty = true;
  });

  function gap(reason: CatchUpStatus['reason']) {
    if (lastSeen === null) {
      log.info('first start with CEL configured: nothing to catch up; from now on the calls that end while hookline is not following are read from CEL');
      return;
    }
    const from = lastSeen - o.settings.overlapMs;
    pending = pending ? { from: Math.min(pending.from, from), reason: pending.reason } : { from, reason };
    schedule(o.settings.delayMs);
  }

  function schedule(ms: number) {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      running ??= run().finally(() => {
        running = null;
        if (pending && !timer) schedule(0);
      });
    }, ms);
  }

  async function run() {
    if (!pending || closed) return;
    const p = pending;
    pending = null;
    const to = now();
    const maxMs = o.settings.maxGapHours * 3_600_000;
    const from = Math.max(p.from, to - maxMs);
    const cutShort = from > p.from ? `the gap began ${new Date(p.from + o.settings.overlapMs).toISOString()}, more than cel.catchUp.maxGapHours (${o.settings.maxGapHours}) ago: the calls that ended before ${new Date(from).toISOString()} were not read; register them with \`hookline reprocess --from "${new Date(p.from).toISOString()}" --to "${new Date(from).toISOString()}"\`` : null;
    if (cutShort) log.warn(cutShort);
    const status: CatchUpStatus = { reason: p.reason, state: 'running', from: new Date(from).toISOString(), to: new Date(to).toISOString(), found: 0, registered: 0, already: 0, skipped: 0, cutShort, problems: [], error: null, at: new Date(to).toISOString() };
    last = status;
    let r: PeriodReport;
    try {
      r = await runPeriod(o.source, o.target, { from, to, onProgress: (x) => Object.assign(status, { found: x.found, registered: x.registered, already: x.already, skipped: x.skipped }) });
    } catch (e) {
      r = { from, to, found: 0, read: 0, registered: 0, already: 0, skipped: 0, left: 0, resumeFrom: from, problems: [], error: { code: 'CEL_UNREACHABLE', message: `the catch-up failed: ${String(e)}`, hint: '' }, stopped: false };
    }
    Object.assign(status, { found: r.found, registered: r.registered, already: r.already, skipped: r.skipped, problems: r.problems.slice(0, 20), error: r.error, state: r.error ? 'failed' : 'done' });
    for (const m of r.problems.slice(0, 20)) log.warn({ code: 'CEL_BAD_ROW' }, m);
    if (r.error) {
      log.error({ code: r.error.code, hint: r.error.hint }, `catch-up from CEL failed (${status.from} to ${status.to}): ${r.error.message}. Live AMI following goes on; tried again in ${Math.round((o.settings.retryMs ?? 60_000) / 1000)} s.`);
      // the same gap again (the part read before the error is known to the outbox and skipped)
      const later = pending as { from: number } | null;
      pending = { from: later ? Math.min(later.from, from) : from, reason: 'retry' };
      schedule(o.settings.retryMs ?? 60_000);
    } else {
      log.info({ from: status.from, to: status.to, found: r.found, registered: r.registered, already: r.already, skipped: r.skipped }, `caught up from CEL: ${r.found} calls ended in the gap, ${r.registered} registered now, ${r.already} already there`);
    }
    await save();
  }

  const offConnected = o.ami.on('connected', (info) => {
    const reason = started || info.reconnect ? 'reconnect' : 'start';
    started = true;
    gap(reason);
  });
  if (o.connected()) {
    started = true;
    gap('start');
  }

  return {
    status: () => (last ? { ...last, problems: [...last.problems] } : null),
    async idle() {
      while (timer || running) {
        if (running) await running;
        else await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      closed = true;
      offMessage();
      offConnected();
      clearInterval(flusher);
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
      await save();
    },
  };
}
