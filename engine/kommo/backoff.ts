/** Delays between retries: exponential, capped, with jitter so that parallel requests do not retry in step. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 4. */
  retries: number;
  /** The first delay. Default 250 ms. */
  baseMs: number;
  /** The longest delay. Default 10 s. */
  maxMs: number;
  /**
   * Retry a POST that creates contacts, leads, calls or tasks after a failure that Kommo may have acted on
   * (a timeout, a reset, 500/502/504)? Default false: such a retry can create a second entity (Kommo has
   * no idempotency key for them), so the failure goes back to the caller with `maybeWritten: true`, and
   * the outbox decides (search, then write). Reads, PATCHes and incoming leads (unique `source_uid`) are
   * always retried.
   */
  ambiguousWrites: boolean;
}

export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({ retries: 4, baseMs: 250, maxMs: 10_000, ambiguousWrites: false });

/**
 * The delay before retry `n` (1 = the first retry): half of the capped exponential step plus a random part
 * of the other half ("equal jitter"), so the delay never collapses to 0 as full jitter can.
 */
export function retryDelay(n: number, o: Pick<RetryOptions, 'baseMs' | 'maxMs'>, random: () => number = Math.random): number {
  const step = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, n - 1));
  return Math.round(step / 2 + (step / 2) * random());
}
