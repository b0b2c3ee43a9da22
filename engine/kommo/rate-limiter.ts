/**
 * Keeps hookline under Kommo's limit: at most `limit` requests in any sliding window of `windowMs`
 * (7 per second: https://developers.kommo.com/docs/limitations; sim/kommo/rate-limit.ts counts the same way).
 *
 * A slot is taken when a request is sent and stays taken until `windowMs` (+ `marginMs`) after its answer
 * came back. Kommo counted the request at some moment between the two, so the next request through that
 * slot reaches Kommo at least a window later whatever the network did with either of them. A limiter that
 * counts from the start of each request (p-queue's interval/intervalCap, fixed windows on top) lets a
 * delayed request and a quick one land in the same second: measured against sim/kommo it drew 429 on 10-22%
 * of requests (docs/design/kommo-client.md). The price is a slower cycle per slot (window + latency).
 *
 * When Kommo answers 429 anyway (another integration spends the same account's limit, or the account's
 * limit is lower than configured), `slowDown()` halves the limit in force, and it grows back by one after
 * each `recoverAfterWindows` windows without a 429. Without this, a client that believes in 7 when only 2
 * are left draws a 429 on most of its requests and, 20 of them in a minute, the 403 block.
 */
export interface RateLimiterOptions {
  limit: number;
  windowMs: number;
  /** Added to every slot's hold, for clock granularity at Kommo's edge. Default 10 ms. */
  marginMs?: number;
  /** Windows without a 429 before the limit in force grows by one again. Default 10. */
  recoverAfterWindows?: number;
  /** Monotonic clock in ms. Default performance.now. */
  now?: () => number;
}

export interface RateSlot {
  /** The answer (or the failure) came back: the slot frees `windowMs` from now. Idempotent. */
  release(): void;
}

export interface RateLimiterStats {
  inFlight: number;
  queued: number;
  /** Slots whose request finished within the last window. */
  cooling: number;
  /** The limit in force: the configured one, or less after a 429. */
  limit: number;
}

export interface RateLimiter {
  acquire(): Promise<RateSlot>;
  /** Sends nothing for `ms` (after a 429): every queued and new request waits. */
  holdFor(ms: number): void;
  /** After a 429: halves the limit in force (at least 1). */
  slowDown(): void;
  stats(): RateLimiterStats;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? (() => performance.now());
  const hold = options.windowMs + (options.marginMs ?? 10);
  const configured = Math.max(1, Math.floor(options.limit));
  const recoverMs = options.windowMs * (options.recoverAfterWindows ?? 10);
  let limit = configured;
  let lastChange = 0;
  let inFlight = 0;
  /** When each finished request's slot frees, ascending (releases happen in clock order). */
  const frees: number[] = [];
  const waiters: ((slot: RateSlot) => void)[] = [];
  let holdUntil = 0;
  let timer: NodeJS.Timeout | null = null;

  function schedule(ms: number): void {
    timer = setTimeout(() => { timer = null; pump(); }, Math.max(1, Math.ceil(ms)));
  }

  function slot(): RateSlot {
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        inFlight -= 1;
        frees.push(now() + hold);
        pump();
      },
    };
  }

  function recover(t: number): void {
    if (limit < configured && t - lastChange >= recoverMs) {
      limit += 1;
      lastChange = t;
    }
  }

  function pump(): void {
    if (timer) { clearTimeout(timer); timer = null; }
    recover(now());
    while (waiters.length > 0) {
      const t = now();
      if (t < holdUntil) return schedule(holdUntil - t);
      while (frees.length > 0 && (frees[0] as number) <= t) frees.shift();
      if (inFlight + frees.length >= limit) {
        // Full: wait for the first cooling slot; with none cooling, a release calls pump().
        if (frees.length > 0) schedule((frees[0] as number) - t);
        return;
      }
      inFlight += 1;
      (waiters.shift() as (s: RateSlot) => void)(slot());
    }
  }

  return {
    acquire() {
      return new Promise<RateSlot>((resolve) => {
        waiters.push(resolve);
        pump();
      });
    },
    holdFor(ms) {
      holdUntil = Math.max(holdUntil, now() + ms);
    },
    slowDown() {
      limit = Math.max(1, Math.ceil(limit / 2));
      lastChange = now();
    },
    stats() {
      const t = now();
      return { inFlight, queued: waiters.length, cooling: frees.filter((f) => f > t).length, limit };
    },
  };
}
