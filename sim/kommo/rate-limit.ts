/**
 * Kommo's request limit: at most `requestsPerSecond` answered in any sliding window of `rateWindowMs`;
 * past it, 429. After `blockAfter429Count` answers of 429 within `blockCountWindowMs`, every request gets
 * 403 for `blockDurationMs` (https://developers.kommo.com/docs/limitations; the numbers are in limits.ts).
 * Requests refused with 429 or 403 do not count towards the per-second limit. The block also follows "suspicious
 * activity", such as the same data requested many times in a short period (limitations page): more than
 * `blockAfterRepeatedRequests` identical reads (method, path and query) within `repeatedRequestsWindowMs`.
 */
import type { KommoLimits } from './limits.ts';

export type RateDecision = 'pass' | 'limited' | 'blocked';

export class RateLimiter {
  #limits: () => KommoLimits;
  #nowMs: () => number;
  #accepted: number[] = [];
  #refused: number[] = [];
  #blockedUntil = 0;
  #repeats = new Map<string, number[]>();

  constructor(limits: () => KommoLimits, nowMs: () => number) {
    this.#limits = limits;
    this.#nowMs = nowMs;
  }

  /** `read`: the identity of a read (method, path and query), counted for the repeated-reads block. */
  admit(read?: string): RateDecision {
    const l = this.#limits();
    const now = this.#nowMs();
    if (now < this.#blockedUntil) return 'blocked';
    if (read !== undefined && Number.isFinite(l.blockAfterRepeatedRequests)) {
      const seen = (this.#repeats.get(read) ?? []).filter((t) => t > now - l.repeatedRequestsWindowMs);
      seen.push(now);
      this.#repeats.set(read, seen);
      if (seen.length > l.blockAfterRepeatedRequests) {
        this.#blockedUntil = now + l.blockDurationMs;
        this.#repeats.clear();
        return 'blocked';
      }
    }
    this.#accepted = this.#accepted.filter((t) => t > now - l.rateWindowMs);
    if (this.#accepted.length < l.requestsPerSecond) {
      this.#accepted.push(now);
      return 'pass';
    }
    this.#refused = this.#refused.filter((t) => t > now - l.blockCountWindowMs);
    this.#refused.push(now);
    if (this.#refused.length >= l.blockAfter429Count) {
      this.#blockedUntil = now + l.blockDurationMs;
      this.#refused = [];
    }
    return 'limited';
  }

  /** When the current 403 block ends (ms since the epoch on the emulator's clock), or null. */
  blockedUntil(): number | null {
    return this.#nowMs() < this.#blockedUntil ? this.#blockedUntil : null;
  }

  reset(): void {
    this.#accepted = [];
    this.#refused = [];
    this.#blockedUntil = 0;
    this.#repeats.clear();
  }
}
