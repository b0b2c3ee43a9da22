/** Delays between retries: exponential, capped, with jitter so that parallel requests do not retry in step. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 4. */
  retries: number;
  /** The first delay. Default 250 ms. */
  baseMs: number;
  /** The longest delay. Default 10 s. */
  maxMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({ retries: 4, baseMs: 250, maxMs: 10_000 });

/**
 * The delay before retry `n` (1 = the first retry): half of the capped exponential step plus a random part
 * of the other half ("equal jitter"), so the delay never collapses to 0 as full jitter can.
 */
export function retryDelay(n: number, o: Pick<RetryOptions, 'baseMs' | 'maxMs'>, random: () => number = Math.random): number {
  const step = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, n - 1));
  return Math.round(step / 2 + (step / 2) * random());
}
