/**
 * Failed attempts per client (`clientKey`) in a sliding window: the failed logins (http/login.ts) and
 * click-to-call's wrong tokens. Only failures count, so a widget that calls often with the right token is never
 * refused, and one address's failures never block another address.
 *
 * Memory is bounded: an address keeps at most `max` failure times; the map is kept in order of each address's
 * last failure (an address is moved to the end at each failure), so the addresses whose failures all fell out
 * of the window are at its front and are dropped at every call, and past `maxAddresses` the address whose last
 * failure is oldest is dropped.
 */

export interface FailureLimiterOptions {
  /** Failures that block an address while they are in the window. Default 10. */
  max?: number;
  /** The sliding window, in ms. Default 60_000. */
  windowMs?: number;
  /** Addresses tracked at most. Default 10_000. */
  maxAddresses?: number;
  /** The clock, in ms; only differences are used. Default performance.now (monotonic: a wall-clock step does not shift the window). */
  now?: () => number;
}

export interface FailureLimiter {
  /** Whole seconds (at least 1) until `address` may try again (for Retry-After), or null when it is not blocked. */
  blockedFor(address: string): number | null;
  /** One failure from `address`; true when this failure makes it blocked. */
  record(address: string): boolean;
  /** How many addresses are tracked now (after dropping those whose failures all fell out of the window). */
  size(): number;
}

export function createFailureLimiter(o: FailureLimiterOptions = {}): FailureLimiter {
  const max = o.max ?? 10;
  const windowMs = o.windowMs ?? 60_000;
  const maxAddresses = o.maxAddresses ?? 10_000;
  const now = o.now ?? (() => performance.now());
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`failure limiter: max must be an integer ≥ 1, not ${max}`);
  if (!(windowMs > 0) || !Number.isFinite(windowMs)) throw new RangeError(`failure limiter: windowMs must be > 0, not ${windowMs}`);
  if (!Number.isInteger(maxAddresses) || maxAddresses < 1) throw new RangeError(`failure limiter: maxAddresses must be an integer ≥ 1, not ${maxAddresses}`);

  /** address → the times of its failures, oldest first, at most `max`; in order of the last failure, oldest first. */
  const failures = new Map<string, number[]>();

  /** Drops the addresses whose last failure fell out of the window: they are at the front. */
  function sweep(t: number) {
    for (const [address, times] of failures) {
      if ((times.at(-1) as number) > t - windowMs) break;
      failures.delete(address);
    }
  }

  const inWindow = (address: string, t: number) => (failures.get(address) ?? []).filter((x) => x > t - windowMs);

  return {
    blockedFor(address) {
      const t = now();
      sweep(t);
      const times = inWindow(address, t);
      if (times.length < max) return null;
      // Free again once the failure that makes the count reach `max` falls out of the window.
      const until = (times[times.length - max] as number) + windowMs;
      return Math.max(1, Math.ceil((until - t) / 1000));
    },
    record(address) {
      const t = now();
      sweep(t);
      const times = inWindow(address, t);
      times.push(t);
      if (times.length > max) times.splice(0, times.length - max);
      failures.delete(address); // re-inserted at the end: the map stays in order of the last failure
      failures.set(address, times);
      while (failures.size > maxAddresses) failures.delete(failures.keys().next().value as string);
      return times.length >= max;
    },
    size() {
      sweep(now());
      return failures.size;
    },
  };
}
