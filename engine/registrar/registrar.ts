/**
 * The registrar: turns each finished call into Kommo API v4 writes through the CRM hook points (hooks.md rows
 * 3, 4, 7, 9-13), with every step journaled in the outbox before it is acknowledged, so a crash or restart
 * resumes the pending work and a retry never writes a second contact, lead, call log or task.
 *
 * Here the parts are put together: the account as read from Kommo (account.ts), the queue that runs calls of
 * one client one after the other (client-queue.ts), the steps of one registration (run-steps.ts, steps/), and
 * what happens to a call whose registration stopped (failure.ts). docs/design/registrar.md.
 */
import type { Logger } from '../../log/index.ts';
import { phoneKey, type KommoClient, type PhoneFieldCheck } from '../kommo/index.ts';
import type { Outbox, OutboxJob } from '../outbox/index.ts';
import type { HookInvoker } from '../hooks/index.ts';
import type { PhoneIndex, PhoneIndexStatus } from '../phone-index/index.ts';
import { createAccount } from './account.ts';
import { createClientQueue } from './client-queue.ts';
import { asStepFailure, handleFailure, type FailureEnv } from './failure.ts';
import type { CallToRegister, RecordingLinker } from './job.ts';
import { runSteps } from './run-steps.ts';
import type { RegistrationSettings } from './settings.ts';
import type { StepDeps } from './steps/kit.ts';

export interface RegistrarOptions {
  kommo: KommoClient;
  hooks: HookInvoker;
  outbox: Outbox<CallToRegister>;
  settings: RegistrationSettings;
  /** extension → Kommo user id (config `users`). */
  users: Record<string, number>;
  log: Logger;
  recordings?: RecordingLinker;
  /**
   * The account's phones (engine/phone-index), started and closed by its owner (the engine): a client found there
   * costs no search, a miss is confirmed by one. Absent: every call's client is searched for.
   */
  phoneIndex?: PhoneIndex;
  /**
   * Calls registered at once (their writes batch together). Default 250, Kommo's most entities a write: a call
   * waiting for a search or a batch costs Kommo nothing, and the more wait, the fuller each batch (issue 20: a
   * 1,000-call burst took 0.52 requests a call with 64, 0.43 with 250, scaled ×4).
   */
  concurrency?: number;
  /** Tries per call on transient failures (Kommo down, 429 after retries, timeouts). Default 30. */
  maxAttempts?: number;
  /** Pause before retrying a call after a transient failure: base × 2^(attempt-1), capped. Defaults 2 s, 5 min. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * After a write that may have reached Kommo (no answer within the client's timeout, a reset, 500/502/504), the
   * retry that looks for it waits at least this long, so that a request Kommo is still working on lands before
   * hookline looks (else it would not be found and would be written twice). Default 15 s: the client's 10 s
   * timeout and a margin.
   */
  ambiguousSettleMs?: number;
  /** Called when a call is registered or fails for good. */
  onOutcome?: (o: { linkedid: string; ok: boolean; error?: { code: string; message: string }; steps: string[] }) => void;
  now?: () => number;
}

export interface RegistrarStats {
  registered: number;
  failed: number;
  pending: number;
  inProgress: number;
  paused: string | null;
  /** The phone index's figures (entries, age, last refresh, misses confirmed), or null without one. */
  phoneIndex: PhoneIndexStatus | null;
}

/** What start() found; `phoneField` is the PHONE field check it made (the status page shows it, so nobody checks twice). */
export type StartResult =
  | { ok: true; phoneField: PhoneFieldCheck }
  | { ok: false; error: { code: string; message: string; hint: string }; phoneField: PhoneFieldCheck };

export interface Registrar {
  /** Queues a finished call (durable when the promise resolves). false when the call was already taken. */
  submit(call: CallToRegister): Promise<boolean>;
  /** Loads the account facts (users, pipelines, the PHONE field) and starts the pending work. */
  start(): Promise<StartResult>;
  /**
   * Reads the account's users again, and whether it holds companies (the service does every 5 minutes): a user
   * deleted in Kommo since start is then no longer sent (KOMMO_UNKNOWN_USER, said once), one added back is used
   * again, and companies are searched by phone once the account has any.
   */
  refreshAccount(): Promise<{ ok: true } | { ok: false; error: { code: string; message: string; hint: string } }>;
  /** Resolves when nothing is queued or in progress (retries waiting count as queued). */
  idle(): Promise<void>;
  stats(): RegistrarStats;
  /** The Kommo user of an extension (config `users`, checked against the account), or null; null before start(). */
  userByExtension(extension: string): { id: number; name: string; extension: string } | null;
  close(): Promise<void>;
}

export function createRegistrar(o: RegistrarOptions): Registrar {
  const log = o.log.child({ module: 'registrar' });
  const now = o.now ?? Date.now;
  const account = createAccount({ kommo: o.kommo, users: o.users, settings: o.settings, log });
  let paused: string | null = 'not started';
  let registered = 0;
  let failed = 0;

  const queue = createClientQueue({
    concurrency: o.concurrency ?? 250,
    clientOf: (id) => {
      const job = o.outbox.job(id);
      return job ? phoneKey(job.payload.phone) : null;
    },
    pending: (id) => o.outbox.job(id) !== undefined,
    run: async (id) => {
      const job = o.outbox.job(id);
      const facts = account.facts();
      if (job && facts) await register(job, deps(facts));
    },
  });

  const failures: FailureEnv = {
    outbox: o.outbox, log,
    policy: { maxAttempts: o.maxAttempts ?? 30, baseMs: o.retryBaseMs ?? 2_000, maxMs: o.retryMaxMs ?? 300_000, settleMs: o.ambiguousSettleMs ?? 15_000 },
    later: (id, ms) => queue.later(id, ms),
    usersGone: () => account.usersGone(),
    userRetried: new Set<string>(),
    gaveUp(linkedid, error, steps) {
      failed += 1;
      o.onOutcome?.({ linkedid, ok: false, error, steps });
    },
  };

  function deps(facts: NonNullable<ReturnType<typeof account.facts>>): StepDeps {
    return { kommo: o.kommo, hooks: o.hooks, outbox: o.outbox, settings: o.settings, log, now, ...facts, ...(o.recordings ? { recordings: o.recordings } : {}), ...(o.phoneIndex ? { phones: o.phoneIndex } : {}) };
  }

  async function register(job: OutboxJob<CallToRegister>, d: StepDeps) {
    const linkedid = job.linkedid;
    try {
      const steps = await runSteps(job, d);
      failures.userRetried.delete(linkedid);
      await o.outbox.complete(linkedid, { ok: true });
      registered += 1;
      log.info({ linkedid, steps }, 'call registered in Kommo');
      o.onOutcome?.({ linkedid, ok: true, steps });
    } catch (e) {
      await handleFailure(job, asStepFailure(e), failures);
    }
  }

  return {
    async submit(call) {
      const fresh = await o.outbox.add(call.linkedid, call);
      if (fresh) queue.enqueue(call.linkedid);
      return fresh;
    },
    async start() {
      const r = await account.start();
      if (!r.ok) {
        paused = r.error.message;
        if (!r.phoneField.ok) log.error({ code: r.error.code, hint: r.error.hint }, `calls are NOT registered: ${r.error.message}. They stay queued in the outbox.`);
        else log.error({ code: r.error.code }, `calls are not registered yet: ${r.error.message}`);
        return { ok: false, error: r.error, phoneField: r.phoneField };
      }
      paused = null;
      const pending = o.outbox.pending();
      if (pending.length) log.info({ calls: pending.length }, 'resuming the registration of calls left pending');
      for (const j of pending) queue.enqueue(j.linkedid);
      queue.setRunnable(true);
      return { ok: true, phoneField: r.phoneField };
    },
    refreshAccount: () => account.refresh(),
    idle: () => queue.idle(),
    stats: () => ({ registered, failed, pending: o.outbox.depth(), inProgress: queue.running(), paused, phoneIndex: o.phoneIndex?.status() ?? null }),
    userByExtension: (extension) => account.facts()?.users.byExtension(extension) ?? null,
    close: () => queue.close(),
  };
}
