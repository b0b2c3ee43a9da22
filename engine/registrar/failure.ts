/**
 * What happens to a call whose registration stopped: given up (a permanent Kommo error, or too many attempts),
 * tried again after a back-off (longer when the write may have reached Kommo, so that it lands before the retry
 * looks for it), kept without counting an attempt while Kommo refuses the token, or retried at once when Kommo
 * refused a user deleted since the users were read.
 */
import type { Logger } from '../../log/index.ts';
import type { Outbox, OutboxJob } from '../outbox/index.ts';
import { StepFailure } from './errors.ts';
import type { CallToRegister } from './job.ts';

/** Kommo refused the token itself: no call can be registered until it works again. */
const TOKEN_REFUSED = new Set(['KOMMO_UNAUTHORIZED', 'KOMMO_REFRESH_FAILED']);
/** A Kommo 400 on a field that names a user: the user may have been deleted in Kommo since the users were read. */
const USER_FIELD = /responsible_user_id|call_responsible|created_by/;

export interface RetryPolicy {
  /** Tries per call on transient failures. */
  maxAttempts: number;
  /** Pause before retrying: base × 2^(attempt-1), capped at max. */
  baseMs: number;
  maxMs: number;
  /** The least pause after a write that may have reached Kommo. */
  settleMs: number;
}

export interface FailureEnv {
  outbox: Outbox<CallToRegister>;
  policy: RetryPolicy;
  log: Logger;
  /** Queues the call again after `ms`. */
  later(linkedid: string, ms: number): void;
  /** The configured users deleted in Kommo since the last read (engine/registrar account.ts). */
  usersGone(): Promise<number[]>;
  /** Calls retried once after a 400 that named a user, so that a second such 400 fails them. */
  userRetried: Set<string>;
  /** Called when the call fails for good. */
  gaveUp(linkedid: string, error: { code: string; message: string }, steps: string[]): void;
}

/** Turns anything a registration threw into a StepFailure. */
export function asStepFailure(e: unknown): StepFailure {
  return e instanceof StepFailure ? e : new StepFailure('registration', { code: 'INTERNAL', message: String((e as Error)?.stack ?? e) }, false);
}

export async function handleFailure(job: OutboxJob<CallToRegister>, f: StepFailure, env: FailureEnv): Promise<void> {
  const { linkedid } = job;
  const { policy, log } = env;
  if (TOKEN_REFUSED.has(f.error.code)) {
    // A long-lived token that expired cannot be refreshed; an OAuth refresh was refused: every call would fail
    // the same way, so none is given up and no attempt is counted. The call stays in the outbox and is tried
    // again every maxMs, until the token works (a new one and a restart).
    log.error({ linkedid, step: f.step, code: f.error.code, hint: f.error.hint, retryInMs: policy.maxMs }, `call not registered yet: ${f.error.message}. It stays queued in the outbox.`);
    env.later(linkedid, policy.maxMs);
    return;
  }
  if (f.permanent && f.error.code === 'KOMMO_BAD_REQUEST' && USER_FIELD.test(f.error.message) && !env.userRetried.has(linkedid)) {
    // A user deleted in Kommo since the last refresh of the users (every 5 minutes): read them again now, and if
    // one hookline sends is gone, try the call again at once; the fallback user stands in.
    env.userRetried.add(linkedid);
    const gone = await env.usersGone();
    if (gone.length > 0) {
      log.warn({ linkedid, step: f.step, code: f.error.code, users: gone }, `Kommo refused a user deleted in Kommo while hookline runs (${gone.join(', ')}); the users were read again and the call is tried again with the fallback user`);
      env.later(linkedid, 0);
      return;
    }
  }
  env.userRetried.delete(linkedid);
  const attempts = job.attempts + 1;
  if (f.permanent || attempts >= policy.maxAttempts) {
    const error = { code: f.error.code, message: `${f.step}: ${f.error.message}${f.permanent ? '' : ` (gave up after ${attempts} attempts)`}` };
    await env.outbox.complete(linkedid, { ok: false, error }).catch(() => undefined);
    log.error({ linkedid, step: f.step, code: f.error.code, hint: f.error.hint }, `call not registered: ${error.message}`);
    env.gaveUp(linkedid, error, Object.keys(job.steps));
    return;
  }
  await env.outbox.attempt(linkedid).catch(() => undefined);
  const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempts - 1));
  const wait = f.maybeWritten ? Math.max(backoff, policy.settleMs) : backoff;
  log.warn({ linkedid, step: f.step, code: f.error.code, attempt: attempts, retryInMs: wait }, `registration paused, will retry: ${f.error.message}`);
  env.later(linkedid, wait);
}
