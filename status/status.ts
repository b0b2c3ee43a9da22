/**
 * The engine's health in one place: the engine feeds events (cheap, O(1), never throwing), the editor reads a
 * snapshot for GET /api/status and Prometheus reads the same counters through GET /metrics.
 */
import { HOOK_NAMES, errorCatalogue, isHookName, isScriptFailure, type ErrorCode, type HookName } from '../contracts/index.ts';
import { createStatusMetrics, type StatusMetrics } from './metrics.ts';
import { createRecentWindow, createRollingCounter, type RecentWindow, type RollingCounter } from './rolling.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
/** Durations kept per hook for the percentiles: the most recent 1024 invocations that ran a script. */
export const DURATION_WINDOW = 1024;

export interface StatusOptions {
  now?: () => number;
  /** Prometheus default process metrics (CPU, memory, event loop lag) in the registry. Default true. */
  processMetrics?: boolean;
}

export interface KommoHealth {
  reachable: boolean;
  phoneField: { ok: boolean; detail?: string };
  rateLimit?: { used: number; limit: number };
}

export interface CallFinished {
  linkedid: string;
  /** true: registered in Kommo; false: failed for good. */
  ok: boolean;
  at: number;
}

export interface HookInvoked {
  hook: string;
  version: number | string | null;
  /** null: the script ran and its output was used; 'NO_SCRIPT': the default ran (not a failure); else the error code. */
  code: string | null;
  durationMs: number;
  at: number;
}

export interface HookStatus {
  invocations: number;
  /** Script failures by code (contracts `isScriptFailure`): the script's fault; the default data was used. */
  failures: Record<string, number>;
  /** Invocations that ran the default because no script is published. */
  defaults: number;
  /** Errors that are not the script's fault (INVALID_INPUT: a hookline bug) by code. */
  errors: Record<string, number>;
  /** Over the last `DURATION_WINDOW` invocations that ran a script (NO_SCRIPT excluded); null when none. */
  p50Ms: number | null;
  p95Ms: number | null;
  publishedVersion: number | null;
  lastVersion: number | string | null;
  lastAt: number | null;
  /** The published version's suspension in force (engine/hooks quarantine), or null. */
  quarantine: HookQuarantine | null;
}

/** A suspended version, as the hook invoker reports it (the shape repeated here: status depends on no engine module). */
export interface HookQuarantine {
  hook: string;
  version: number | string;
  /** TIMEOUT or MEMORY_LIMIT. */
  reason: string;
  failures: number;
  since: number;
  until: number;
}

export interface StatusSnapshot {
  at: number;
  startedAt: number;
  ami: { connected: boolean; since: number | null };
  kommo: {
    reachable: boolean;
    phoneField: { ok: boolean; detail?: string };
    rateLimit: { used: number; limit: number } | null;
    /** When the engine last reported on Kommo; null: not checked yet (reachable is then false). */
    checkedAt: number | null;
  };
  calls: {
    inFlight: number;
    /** Totals since start. */
    registered: number;
    failed: number;
    /** The current minute and the 59 before it. */
    lastHour: { registered: number; failed: number };
    /** The current minute and the 1439 before it. */
    lastDay: { registered: number; failed: number };
  };
  outbox: { depth: number };
  hooks: Record<string, HookStatus>;
  /** Per hour, the current hour last: calls finished, calls that failed, and hook script failures. */
  series: { hours: number[]; calls: number[]; callsFailed: number[]; failures: number[] };
}

export interface Status {
  ami(connected: boolean, at: number): void;
  kommo(k: KommoHealth, at?: number): void;
  outboxDepth(provider: () => number): void;
  callsInFlight(provider: () => number): void;
  publishedVersion(provider: (hook: HookName) => number | null): void;
  /** Kommo's request budget in use, read at each snapshot and scrape; overrides the `rateLimit` of `kommo()`. */
  rateLimit(provider: () => { used: number; limit: number } | null): void;
  /** The suspended versions (engine/hooks quarantine), read at each snapshot and scrape. */
  quarantined(provider: () => HookQuarantine[]): void;
  callFinished(c: CallFinished): void;
  hookInvoked(h: HookInvoked): void;
  snapshot(): StatusSnapshot;
  /** The Prometheus text exposition of this status' own registry. */
  metricsText(): Promise<{ contentType: string; body: string }>;
  readonly metrics: StatusMetrics;
}

interface HookCounters {
  invocations: number;
  failures: Record<string, number>;
  defaults: number;
  errors: Record<string, number>;
  durations: RecentWindow;
  lastVersion: number | string | null;
  lastAt: number | null;
}

/** A provider that throws or answers nonsense reads as `fallback`: a broken gauge must not break the status. */
function safe<T>(f: (() => T) | null, fallback: T, valid: (v: T) => boolean): T {
  if (!f) return fallback;
  try {
    const v = f();
    return valid(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

const isCount = (v: number) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function scriptFailure(code: string): boolean {
  return Object.hasOwn(errorCatalogue, code) ? isScriptFailure(code as ErrorCode) : true;
}

export function createStatus(o: StatusOptions = {}): Status {
  const now = o.now ?? Date.now;
  const startedAt = now();
  const ami = { connected: false, since: null as number | null };
  let kommo: StatusSnapshot['kommo'] = { reachable: false, phoneField: { ok: false, detail: 'not checked yet' }, rateLimit: null, checkedAt: null };
  let outbox: (() => number) | null = null;
  let inFlight: (() => number) | null = null;
  let published: ((hook: HookName) => number | null) | null = null;
  let budget: (() => { used: number; limit: number } | null) | null = null;
  let suspended: (() => HookQuarantine[]) | null = null;
  const readQuarantine = (): HookQuarantine[] => safe(suspended, [], Array.isArray).filter((q) => isHookName(q?.hook));
  const calls = { registered: 0, failed: 0 };
  const perMinute = { registered: createRollingCounter(MINUTE_MS, 24 * 60), failed: createRollingCounter(MINUTE_MS, 24 * 60) };
  const hookFailuresPerHour: RollingCounter = createRollingCounter(HOUR_MS, 24);
  const hooks = new Map<HookName, HookCounters>();

  const readOutbox = () => safe(outbox, 0, isCount);
  const readInFlight = () => safe(inFlight, 0, isCount);
  const readRateLimit = (): { used: number; limit: number } | null => {
    if (!budget) return kommo.rateLimit ? { ...kommo.rateLimit } : null;
    const r = safe(budget, null, (v) => v === null || (typeof v === 'object' && isCount(v.used) && isCount(v.limit)));
    return r ? { used: r.used, limit: r.limit } : null;
  };
  const metrics = createStatusMetrics({
    processMetrics: o.processMetrics ?? true,
    amiConnected: () => ami.connected,
    kommoReachable: () => kommo.reachable,
    outboxDepth: readOutbox,
    callsInFlight: readInFlight,
    rateLimit: readRateLimit,
    quarantined: () => readQuarantine().map((q) => q.hook),
  });

  const counters = (hook: HookName): HookCounters => {
    let c = hooks.get(hook);
    if (!c) {
      c = { invocations: 0, failures: {}, defaults: 0, errors: {}, durations: createRecentWindow(DURATION_WINDOW), lastVersion: null, lastAt: null };
      hooks.set(hook, c);
    }
    return c;
  };

  const guard =
    <A extends unknown[]>(f: (...a: A) => void) =>
    (...a: A) => {
      try {
        f(...a);
      } catch {
        // A feed never throws into the engine: a malformed event is dropped.
      }
    };

  return {
    metrics,
    ami: guard((connected: boolean, at: number) => {
      if (connected !== ami.connected || ami.since === null) ami.since = at;
      ami.connected = connected === true;
    }),
    kommo: guard((k: KommoHealth, at?: number) => {
      kommo = {
        reachable: k.reachable === true,
        phoneField: { ok: k.phoneField?.ok === true, ...(k.phoneField?.detail ? { detail: String(k.phoneField.detail) } : {}) },
        rateLimit: k.rateLimit ? { used: k.rateLimit.used, limit: k.rateLimit.limit } : null,
        checkedAt: at ?? now(),
      };
    }),
    outboxDepth(p) {
      outbox = p;
    },
    callsInFlight(p) {
      inFlight = p;
    },
    publishedVersion(p) {
      published = p;
    },
    rateLimit(p) {
      budget = p;
    },
    quarantined(p) {
      suspended = p;
    },
    callFinished: guard((c: CallFinished) => {
      const outcome = c.ok ? 'registered' : 'failed';
      calls[outcome]++;
      perMinute[outcome].add(c.at);
      metrics.callFinished(outcome);
    }),
    hookInvoked: guard((h: HookInvoked) => {
      // Only the 13 hooks: a stray name must not grow the status or the metric labels.
      if (!isHookName(h.hook)) return;
      const c = counters(h.hook);
      c.invocations++;
      c.lastVersion = h.version;
      c.lastAt = h.at;
      if (h.code === 'NO_SCRIPT') c.defaults++;
      else if (h.code !== null && scriptFailure(h.code)) {
        c.failures[h.code] = (c.failures[h.code] ?? 0) + 1;
        hookFailuresPerHour.add(h.at);
      } else if (h.code !== null) c.errors[h.code] = (c.errors[h.code] ?? 0) + 1;
      const ranScript = h.code !== 'NO_SCRIPT';
      if (ranScript) c.durations.push(h.durationMs);
      metrics.hookInvoked(h.hook, h.code ?? 'ok', ranScript ? h.durationMs : null);
    }),
    snapshot() {
      const t = now();
      const minute = Math.floor(t / MINUTE_MS);
      const hour = Math.floor(t / HOUR_MS);
      const window = (minutes: number) => ({
        registered: perMinute.registered.sum(minute - minutes + 1, minute),
        failed: perMinute.failed.sum(minute - minutes + 1, minute),
      });
      const hours: number[] = [];
      const callsPerHour: number[] = [];
      const failedPerHour: number[] = [];
      const failuresPerHour: number[] = [];
      const perHour = 60;
      for (let h = hour - 23; h <= hour; h++) {
        const first = h * perHour;
        const failed = perMinute.failed.sum(first, first + perHour - 1);
        hours.push(h * HOUR_MS);
        callsPerHour.push(perMinute.registered.sum(first, first + perHour - 1) + failed);
        failedPerHour.push(failed);
        failuresPerHour.push(hookFailuresPerHour.sum(h, h));
      }
      const hookStatus: Record<string, HookStatus> = {};
      const quarantine = new Map(readQuarantine().map((q) => [q.hook, { hook: q.hook, version: q.version, reason: q.reason, failures: q.failures, since: q.since, until: q.until }]));
      // Every hook is listed (with its published version) even before its first invocation.
      for (const hook of HOOK_NAMES) counters(hook);
      for (const [hook, c] of hooks) {
        hookStatus[hook] = {
          invocations: c.invocations,
          failures: { ...c.failures },
          defaults: c.defaults,
          errors: { ...c.errors },
          p50Ms: c.durations.percentile(50),
          p95Ms: c.durations.percentile(95),
          publishedVersion: safe(published ? () => (published as (h: HookName) => number | null)(hook) : null, null, (v) => v === null || isCount(v)),
          lastVersion: c.lastVersion,
          lastAt: c.lastAt,
          quarantine: quarantine.get(hook) ?? null,
        };
      }
      return {
        at: t,
        startedAt,
        ami: { ...ami },
        kommo: { ...kommo, phoneField: { ...kommo.phoneField }, rateLimit: readRateLimit() },
        calls: { inFlight: readInFlight(), registered: calls.registered, failed: calls.failed, lastHour: window(60), lastDay: window(24 * 60) },
        outbox: { depth: readOutbox() },
        hooks: hookStatus,
        series: { hours, calls: callsPerHour, callsFailed: failedPerHour, failures: failuresPerHour },
      };
    },
    metricsText: () => metrics.text(),
  };
}

/**
 * Kommo's health from the engine's PHONE field check (engine/kommo `checkPhoneField()`, shape repeated here so
 * status depends on no engine module): Kommo is reachable unless the request itself failed for a reason of
 * the network or the service (unavailable, timeout, blocked).
 */
export function kommoHealthOf(check: { ok: boolean; reason?: string; error?: { code: string; message: string } }): KommoHealth {
  if (check.ok) return { reachable: true, phoneField: { ok: true } };
  const unreachable = check.reason === 'request-failed' && ['KOMMO_UNAVAILABLE', 'KOMMO_TIMEOUT', 'KOMMO_BLOCKED'].includes(check.error?.code ?? '');
  return { reachable: !unreachable, phoneField: { ok: false, detail: check.error?.message ?? check.reason ?? 'the PHONE field check failed' } };
}
