/**
 * The failure log: per hook, the last N script failures (code, message, version, linkedid, time), in memory
 * and in failures.json, written by the store's flush like the captures.
 */
import type { HookName } from '../contracts/index.ts';
import type { FileSpec } from './data-file.ts';
import { FailuresFileSchema, type Failure, type FailuresFile } from './schema.ts';

export const FAILURES_SCHEMA = 1;
export const DAY_MS = 24 * 60 * 60 * 1000;

export type FailureInput = Omit<Failure, 'time'> & { time?: string };

export const failuresSpec: FileSpec<FailuresFile> = {
  current: FAILURES_SCHEMA,
  schema: FailuresFileSchema,
  empty: () => ({ schemaVersion: FAILURES_SCHEMA, failures: {} }),
  migrations: {},
  serialize: (d) => [Buffer.from(JSON.stringify(d))],
};

export interface FailureOptions {
  /** Entries kept per hook. */
  limit: number;
  now: () => Date;
  changed: () => void;
}

export function createFailures(data: () => FailuresFile, o: FailureOptions) {
  // A filter, not a scan from the end: a caller may pass its own time, so the list need not be in time order.
  const newerThan = (hook: HookName, since: Date): Failure[] => {
    const t = since.getTime();
    return (data().failures[hook] ?? []).filter((f) => Date.parse(f.time) >= t);
  };

  return {
    recordFailure(hook: HookName, f: FailureInput): void {
      const list = (data().failures[hook] ??= []);
      list.push({ time: f.time ?? o.now().toISOString(), code: f.code, message: f.message, version: f.version, linkedid: f.linkedid });
      if (list.length > o.limit) list.splice(0, list.length - o.limit);
      o.changed();
    },

    /** Newest first; `since` keeps the ones at or after that time. */
    failures(hook: HookName, q: { since?: Date } = {}): Failure[] {
      return (q.since ? newerThan(hook, q.since) : [...(data().failures[hook] ?? [])]).reverse();
    },

    /** How many failures each hook had since `since` (default: the last 24 hours), as far as the log reaches. */
    failureCounts(since: Date = new Date(o.now().getTime() - DAY_MS)): Partial<Record<HookName, number>> {
      const counts: Partial<Record<HookName, number>> = {};
      for (const hook of Object.keys(data().failures) as HookName[]) counts[hook] = newerThan(hook, since).length;
      return counts;
    },
  };
}
