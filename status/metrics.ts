/**
 * Prometheus metrics (prom-client, the reference Node client) in a registry of their own, not prom-client's
 * global one, so two engines in one process (tests) or a library that uses the global registry do not collide.
 * Counters are written by the status feeds; gauges are read from the engine's providers at scrape time.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HOOK_NAMES } from '../contracts/index.ts';

/** Hook durations are milliseconds to a few seconds (a script's timeout); buckets in seconds. */
export const HOOK_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface StatusMetrics {
  readonly registry: Registry;
  callFinished(outcome: 'registered' | 'failed'): void;
  /** `durationMs` null: not observed in the histogram (the default ran, no script). */
  hookInvoked(hook: string, code: string, durationMs: number | null): void;
  text(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsSources {
  processMetrics: boolean;
  amiConnected: () => boolean;
  kommoReachable: () => boolean;
  outboxDepth: () => number;
  callsInFlight: () => number;
  rateLimit: () => { used: number; limit: number } | null;
  /** The hooks whose published version is suspended now. */
  quarantined: () => string[];
}

export function createStatusMetrics(s: MetricsSources): StatusMetrics {
  const registry = new Registry();
  if (s.processMetrics) collectDefaultMetrics({ register: registry });
  const calls = new Counter({ name: 'hookline_calls_total', help: 'Calls finished since start, by outcome (registered in Kommo, or failed for good).', labelNames: ['outcome'] as const, registers: [registry] });
  calls.inc({ outcome: 'registered' }, 0);
  calls.inc({ outcome: 'failed' }, 0);
  const invocations = new Counter({
    name: 'hookline_hook_invocations_total',
    help: 'Hook invocations since start, by hook and code (ok: the script ran and its output was used; NO_SCRIPT: the default ran; any other code: an error, the default data was used).',
    labelNames: ['hook', 'code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'hookline_hook_duration_seconds',
    help: 'Time a hook invocation that ran a script took, in seconds (invocations with no published script are not observed).',
    labelNames: ['hook'] as const,
    buckets: HOOK_DURATION_BUCKETS,
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('hookline_ami_connected', '1 when the AMI connection to Asterisk is up, else 0.', () => (s.amiConnected() ? 1 : 0));
  gauge('hookline_kommo_reachable', '1 when Kommo answered the last check, else 0.', () => (s.kommoReachable() ? 1 : 0));
  gauge('hookline_outbox_depth', 'Registrations waiting in the outbox.', s.outboxDepth);
  gauge('hookline_calls_in_flight', 'Calls started and not yet finished.', s.callsInFlight);
  gauge('hookline_kommo_requests_in_window', "Kommo requests counted against the rate limit right now (in flight or within the limiter's window).", () => s.rateLimit()?.used ?? 0);
  new Gauge({
    name: 'hookline_hook_quarantined',
    help: '1 while the hook\'s published version is quarantined (it timed out or ran out of memory too often in a row; its invocations take the failure policy without running), else 0.',
    labelNames: ['hook'] as const,
    registers: [registry],
    collect() {
      const now = new Set(s.quarantined());
      for (const hook of HOOK_NAMES) this.set({ hook }, now.has(hook) ? 1 : 0);
    },
  });
  gauge('hookline_kommo_rate_limit', 'Kommo requests allowed per window (less than configured after a 429).', () => s.rateLimit()?.limit ?? 0);

  return {
    registry,
    callFinished(outcome) {
      calls.inc({ outcome });
    },
    hookInvoked(hook, code, durationMs) {
      invocations.inc({ hook, code });
      if (durationMs !== null && Number.isFinite(durationMs) && durationMs >= 0) duration.observe({ hook }, durationMs / 1000);
    },
    async text() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
