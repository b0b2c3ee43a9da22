/**
 * Quarantine: a published version that fails with TIMEOUT or MEMORY_LIMIT `after` times in a row is suspended
 * for a while, so a runaway script stops costing its limit on every call: its invocations take the failure
 * policy at once, without running. The first suspension lasts `baseMs`, each next one of the same version twice
 * as long (up to `maxMs`); when one ends the version is on probation: its first TIMEOUT or MEMORY_LIMIT suspends
 * it again at once, a success ends the probation and the growth. A newly published version (a publish or a
 * rollback) lifts it. Only versions the operator published are quarantined, never the contract's default.
 */
import type { HookName } from '../../contracts/index.ts';
import type { Logger } from '../../log/index.ts';

/** The failures that count: the script ran out of its time or memory (the ones that cost the call path most). */
const COUNTED = new Set(['TIMEOUT', 'MEMORY_LIMIT']);

export interface QuarantineSettings {
  /** Failures in a row that suspend a version. 0 turns quarantine off. Default 3. */
  after: number;
  /** The first suspension. Default 60 s. */
  baseMs: number;
  /** The longest suspension. Default 1 hour. */
  maxMs: number;
}

export const DEFAULT_QUARANTINE: QuarantineSettings = { after: 3, baseMs: 60_000, maxMs: 3_600_000 };

export interface QuarantineEntry {
  hook: HookName;
  version: number | string;
  /** The failure that suspended it. */
  reason: string;
  /** Failures in a row when it was suspended. */
  failures: number;
  since: number;
  until: number;
  /** How many times this version has been suspended (the length doubles each time). */
  times: number;
}

export interface Quarantine {
  /** The suspension in force for this version of the hook, or null (it runs). */
  active(hook: HookName, version: number | string, at: number): QuarantineEntry | null;
  /** What a run of a published version ended with (null: success). */
  record(hook: HookName, version: number | string, code: string | null, at: number): void;
  /** Ends any suspension of the hook (a new version published, or rolled back to). */
  lift(hook: HookName, why: string): void;
  /** The suspensions in force at `at`. */
  list(at: number): QuarantineEntry[];
}

interface HookState {
  version: number | string;
  streak: number;
  lastCode: string;
  times: number;
  probation: boolean;
  entry: QuarantineEntry | null;
}

export function createQuarantine(settings: Partial<QuarantineSettings> = {}, log?: Logger): Quarantine {
  const s = { ...DEFAULT_QUARANTINE, ...settings };
  const state = new Map<HookName, HookState>();

  function of(hook: HookName, version: number | string): HookState {
    let st = state.get(hook);
    if (!st || st.version !== version) {
      st = { version, streak: 0, lastCode: '', times: 0, probation: false, entry: null };
      state.set(hook, st);
    }
    return st;
  }

  function suspend(hook: HookName, st: HookState, reason: string, at: number) {
    st.times += 1;
    const ms = Math.min(s.maxMs, s.baseMs * 2 ** (st.times - 1));
    st.entry = { hook, version: st.version, reason, failures: st.streak, since: at, until: at + ms, times: st.times };
    st.streak = 0;
    st.probation = false;
    log?.warn(
      { hook, version: st.version, code: 'QUARANTINED', reason, failures: st.entry.failures, until: new Date(st.entry.until).toISOString() },
      `${hook} v${st.version} is quarantined for ${Math.round(ms / 1000)} s after ${st.entry.failures} ${reason} failure(s) in a row: it does not run until ${new Date(st.entry.until).toISOString()}, and its invocations take the failure policy. Publish a fixed version or roll back to lift it.`,
    );
  }

  return {
    active(hook, version, at) {
      const st = state.get(hook);
      if (!st || st.version !== version || !st.entry) return null;
      if (at < st.entry.until) return st.entry;
      // Served its time: the next run is a probe.
      st.entry = null;
      st.probation = true;
      log?.info({ hook, version }, `${hook} v${version}'s quarantine ended: it runs again (a TIMEOUT or MEMORY_LIMIT now suspends it again at once)`);
      return null;
    },
    record(hook, version, code, at) {
      if (s.after <= 0) return;
      const st = of(hook, version);
      if (code === null || !COUNTED.has(code)) {
        // Another failure (a thrown error, a contract violation) neither counts nor clears a streak of slow runs;
        // a success clears it, and the growth with it.
        if (code === null) {
          st.streak = 0;
          st.probation = false;
          st.times = 0;
        }
        return;
      }
      st.streak += 1;
      st.lastCode = code;
      if (st.probation || st.streak >= s.after) suspend(hook, st, code, at);
    },
    lift(hook, why) {
      const st = state.get(hook);
      state.delete(hook);
      if (st?.entry) log?.info({ hook, version: st.version }, `${hook} v${st.version}'s quarantine is lifted: ${why}`);
    },
    list(at) {
      const out: QuarantineEntry[] = [];
      for (const st of state.values()) if (st.entry && at < st.entry.until) out.push(st.entry);
      return out;
    },
  };
}
