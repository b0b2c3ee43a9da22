/**
 * The failure log: per hook, the last N script failures (code, message, version, linkedid, time), in memory
 * and in failures.jsonl, written by the store's flush like the captures.
 */
import type { HookName } from '../contracts/index.ts';
import type { RingLog, RingLogSpec } from './ring-log-adapter.ts';
import { FailureSchema, type Failure } from './schema.ts';

export const FAILURES_SCHEMA = 1;
export const DAY_MS = 24 * 60 * 60 * 1000;

export type FailureInput = Omit<Failure, 'time'> & { time?: string };

export const failuresLogSpec: RingLogSpec<Failure> = { kind: 'failures', current: FAILURES_SCHEMA, entry: FailureSchema };

export interface FailureOptions {
  /** Entries kept per hook. */
  limit: number;
  now: () => Date;
  changed: () => void;
}

export function createFailures(data: () => RingLog<Failure>, o: FailureOptions) {
  // A filter, not a scan from the end: a caller may pass its own time, so the list need not be in time order.
  const newerThan = (hook: HookName, since: Date): Failure[] => {
    const t = since.getTime();
    return (data().byHook[hook] ?? []).filter((f) => Date.parse(f.time) >= t);
  };

  return {
    recordFailure(hook: HookName, f: FailureInput): void {
      const list = (data().byHook[hook] ??= []);
      list.push({ time: f.time ?? o.now().toISOString(), code: f.code, message: f.message, version: f.version, linkedid: f.linkedid });
      if (list.length > o.limit) list.splice(0, list.length - o.limit);
      o.changed();
    },

    /** Newest first; `since` keeps the ones at or after that time. */
    failures(hook: HookName, q: { since?: Date } = {}): Failure[] {
      return (q.since ? newerThan(hook, q.since) : [...(data().byHook[hook] ?? [])]).reverse();
    },

    /** How many failures each hook had since `since` (default: the last 24 hours), as far as the log reaches. */
    failureCounts(since: Date = new Date(o.now().getTime() - DAY_MS)): Partial<Record<HookName, number>> {
      const counts: Partial<Record<HookName, number>> = {};
      for (const hook of Object.keys(data().byHook) as HookName[]) counts[hook] = newerThan(hook, since).length;
      return counts;
    },
  };
}
