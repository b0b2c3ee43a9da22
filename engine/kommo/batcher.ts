/**
 * Coalesces writes: items added within `windowMs` of the first one (or until `maxItems` are waiting) go to
 * Kommo as one request, and each caller gets the results of its own items, in its own order. Kommo's
 * write endpoints take arrays of up to 250 entities (https://developers.kommo.com/docs/limitations), so a
 * burst of calls ending together costs one request instead of one each.
 */
import type { KommoResult } from './errors.ts';
import type { RequestContext } from './transport.ts';

export interface BatchEntry<I> {
  item: I;
  ctx: RequestContext;
  /** The item's position in its caller's array. */
  index: number;
}

export interface BatcherOptions<I, O> {
  /** At most this many items per request. Default 250. */
  maxItems?: number;
  /** How long the first item waits for company. Default 50 ms. */
  windowMs?: number;
  /**
   * At most this many batches of this batcher in flight at once (waiting for a rate-limit slot, or for Kommo's
   * answer); items that come meanwhile wait, and go together as soon as one is back. Default: no limit. With 1, a
   * batch waiting behind other requests for a slot gathers everything that came meanwhile instead of going out as a
   * handful of small ones (issue 20: writes of a burst at Kommo's pace went 2.2-2.4 items a request).
   */
  maxInFlight?: number;
  /** Sends one batch; returns one result per entry, in order. */
  send: (entries: BatchEntry<I>[]) => Promise<KommoResult<O>[]>;
}

export interface Batcher<I, O> {
  /** Queues the items; resolves with one result per item, in order. */
  add(items: I[], ctx?: RequestContext): Promise<KommoResult<O>[]>;
  /** Sends what is waiting now. */
  flush(): void;
  /** Requests sent and items carried, and the batch size in force, for stats. */
  counts(): { batches: number; items: number; maxItems: number };
  /** Sends at most `n` items a request from now on (never fewer than 1): after Kommo's 504 to a batch this size. */
  shrink(n: number): void;
}

interface Waiting<I, O> {
  entry: BatchEntry<I>;
  resolve: (r: KommoResult<O>) => void;
  reject: (e: unknown) => void;
}

export function createBatcher<I, O>(options: BatcherOptions<I, O>): Batcher<I, O> {
  let maxItems = Math.max(1, options.maxItems ?? 250);
  const windowMs = options.windowMs ?? 50;
  let queue: Waiting<I, O>[] = [];
  let timer: NodeJS.Timeout | null = null;
  let batches = 0;
  let items = 0;
  const maxInFlight = Math.max(1, options.maxInFlight ?? Number.POSITIVE_INFINITY);
  let inFlight = 0;

  function sendOne(batch: Waiting<I, O>[]): void {
    batches += 1;
    items += batch.length;
    inFlight += 1;
    // Those that waited for this batch to come back have waited at least a window: they go at once.
    const back = () => {
      inFlight -= 1;
      drain(true);
    };
    // send() returns errors as values; a rejection is a bug, and it reaches every caller of the batch.
    options.send(batch.map((w) => w.entry)).then(
      (results) => {
        back();
        batch.forEach((w, i) => w.resolve(results[i] as KommoResult<O>));
      },
      (e: unknown) => {
        back();
        batch.forEach((w) => w.reject(e));
      },
    );
  }

  /** Full batches go at once; with `all`, the rest too. */
  function drain(all: boolean): void {
    while (inFlight < maxInFlight && (queue.length >= maxItems || (all && queue.length > 0))) {
      sendOne(queue.slice(0, maxItems));
      queue = queue.slice(maxItems);
    }
    // Nothing waiting, or waiting for a batch in flight (its return drains): no timer needed.
    if (timer && (queue.length === 0 || inFlight >= maxInFlight)) { clearTimeout(timer); timer = null; }
  }

  return {
    add(list, ctx = {}) {
      const promises = list.map((item, index) => new Promise<KommoResult<O>>((resolve, reject) => queue.push({ entry: { item, ctx, index }, resolve, reject })));
      drain(windowMs <= 0);
      if (queue.length > 0 && inFlight < maxInFlight) timer ??= setTimeout(() => { timer = null; drain(true); }, windowMs);
      return Promise.all(promises);
    },
    flush: () => drain(true),
    counts: () => ({ batches, items, maxItems }),
    shrink(n) {
      maxItems = Math.max(1, Math.min(maxItems, Math.floor(n)));
    },
  };
}
