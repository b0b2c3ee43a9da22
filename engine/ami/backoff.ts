/** Reconnect delays: exponential, capped, with jitter so that many clients do not reconnect in step. */
export interface BackoffOptions {
  /** First delay. Default 500 ms. */
  initialMs?: number;
  /** Longest delay. Default 30 s. */
  maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  factor?: number;
  /** Fraction of the delay taken off at random (0..1). Default 0.3: a delay lands in [70%, 100%] of its step. */
  jitter?: number;
}

/** The delay before attempt `failures` (1 = after the first failure). `random` returns [0, 1). */
export function backoffDelay(failures: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.3));
  const step = Math.min(max, initial * factor ** Math.max(0, failures - 1));
  return Math.round(step * (1 - jitter * random()));
}
