/**
 * The one deadline rule of the sandbox: race work against a host timer; when the timer wins, call `onExpire`
 * (dispose the isolate, kill the child) and settle with EXPIRED. Used by the isolate runner for awaited work and
 * by the supervisor for a child that stops answering.
 */
export const EXPIRED: unique symbol = Symbol('deadline expired');

export function withDeadline<T>(work: Promise<T>, ms: number, onExpire: () => void): Promise<T | typeof EXPIRED> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        onExpire();
      } finally {
        resolve(EXPIRED);
      }
    }, Math.max(0, ms));
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * The moment (performance.now() clock of this process) an invocation handed over at `t0` expires: at the point
 * in time `deadlineEpochMs` when given (sent by another process), else `budgetMs` after `t0`.
 */
export const expiresAt = (t0: number, budgetMs: number, deadlineEpochMs?: number): number =>
  deadlineEpochMs !== undefined ? deadlineEpochMs - performance.timeOrigin : t0 + budgetMs;

/** A point in this process's performance.now() clock as a point in time other processes can read. */
export const toEpochMs = (t: number): number => performance.timeOrigin + t;

/** Milliseconds left before `deadline` (negative once it has passed). */
export const timeLeft = (deadline: number): number => deadline - performance.now();
