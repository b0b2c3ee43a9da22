/**
 * The registrar: turns each finished call into Kommo API v4 writes through the CRM hook points (hooks.md rows
 * 3, 4, 7, 9-13), with every step journaled in the outbox before it is acknowledged, so a crash or restart
 * resumes the pending work and a retry never writes a second contact, lead, call log or task.
 *
 * Steps, in order (each a function naming its hook point, in steps.ts):
 *   entity  find the client's contact by phone; none → create a contact (process_contact_creation_params)
 *           or an unsorted SIP lead (process_unsorted_creation_params), per registration.mode
 *   lead    registration.createLead and the contact has no open lead → process_lead_creation_params
 *   update  registration.updateResponsible: the answering user becomes responsible for an existing
 *           contact (process_contact_update_params) and its lead (process_lead_update_params)
 *   call    the call log (process_call_params), `uniq` = linkedid
 *   task    a missed inbound or unanswered outbound call with tasks on (process_task_creation_params)
 *   post    post_registration
 * A step found "sending" after a restart may or may not have reached Kommo: it is reconciled first (the
 * contact searched by phone, the call found among the entity's call notes by uniq, the task among the
 * entity's open tasks, the lead among the contact's leads), and sent again only when it is not there.
 */
import { makeError } from '../../contracts/index.ts';
import type { Logger } from '../../log/index.ts';
import { phoneKey, type KommoClient, type KommoPipeline, type KommoUser, type PhoneFieldCheck } from '../kommo/index.ts';
import type { Outbox, OutboxJob } from '../outbox/index.ts';
import type { HookInvoker } from '../stages/index.ts';
import { StepFailure } from './errors.ts';
import type { CallToRegister } from './job.ts';
import { runSteps, type RegistrationSettings, type StepDeps } from './steps.ts';
import { createUserDirectory, type UserDirectory } from './users.ts';

/** Kommo refused the token itself: no call can be registered until it works again (registrar.ts, run()). */
const TOKEN_REFUSED = new Set(['KOMMO_UNAUTHORIZED', 'KOMMO_REFRESH_FAILED']);

export interface RecordingLinker {
  /** The public link of a recording for the call log, or null (process_record_file_path runs inside). */
  linkFor(input: { path: string; call_full: unknown }, linkedid: string): Promise<{ url: string | null }>;
}

export interface RegistrarOptions {
  kommo: KommoClient;
  hooks: HookInvoker;
  outbox: Outbox<CallToRegister>;
  settings: RegistrationSettings;
  /** extension → Kommo user id (config `users`). */
  users: Record<string, number>;
  log: Logger;
  recordings?: RecordingLinker;
  /** Calls registered at once (their writes batch together). Default 64. */
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

/** A Kommo 400 on a field that names a user: the user may have been deleted in Kommo since the users were read. */
const USER_FIELD = /responsible_user_id|call_responsible|created_by/;

export function createRegistrar(o: RegistrarOptions): Registrar {
  const log = o.log.child({ module: 'registrar' });
  const now = o.now ?? Date.now;
  const concurrency = o.concurrency ?? 64;
  const maxAttempts = o.maxAttempts ?? 30;
  const retryBase = o.retryBaseMs ?? 2_000;
  const retryMax = o.retryMaxMs ?? 300_000;
  const settle = o.ambiguousSettleMs ?? 15_000;
  const queue: string[] = [];
  const queued = new Set<string>();
  const active = new Set<string>();
  const timers = new Map<string, NodeJS.Timeout>();
  let paused: string | null = 'not started';
  let closed = false;
  let registered = 0;
  let failed = 0;
  let deps: StepDeps | null = null;
  const idleWaiters: (() => void)[] = [];

  function checkIdle() {
    if (queue.length === 0 && active.size === 0 && timers.size === 0 && waiting.size === 0) for (const w of idleWaiters.splice(0)) w();
  }

  function enqueue(linkedid: string) {
    if (queued.has(linkedid) || active.has(linkedid)) return;
    queued.add(linkedid);
    queue.push(linkedid);
    pump();
  }

  // Calls of one client go strictly one after the other, retries included: two calls from a new number at once
  // would both find no contact and both create one, and a step reconciled after an ambiguous write (a task,
  // a lead) must not mistake the next call's entity for its own. Calls of different clients run side by side
  // (their writes batch together). A call whose client is busy waits without taking a slot.
  const owner = new Map<string, string>();
  const waiting = new Map<string, string[]>();

  function pump() {
    while (!paused && !closed && deps && active.size < concurrency && queue.length) {
      const id = queue.shift() as string;
      queued.delete(id);
      const job = o.outbox.job(id);
      if (!job) continue;
      const key = phoneKey(job.payload.phone);
      const holder = owner.get(key);
      if (holder !== undefined && holder !== id) {
        const w = waiting.get(key) ?? [];
        if (!w.includes(id)) w.push(id);
        waiting.set(key, w);
        continue;
      }
      owner.set(key, id);
      active.add(id);
      void register(job, deps).finally(() => {
        active.delete(id);
        if (!o.outbox.job(id)) {
          // Finished (registered or failed for good): the client's next call may go.
          owner.delete(key);
          const w = waiting.get(key);
          const next = w?.shift();
          if (!w?.length) waiting.delete(key);
          if (next !== undefined) {
            queued.add(next);
            queue.unshift(next);
          }
        }
        pump();
        checkIdle();
      });
    }
    checkIdle();
  }

  async function register(job: OutboxJob<CallToRegister>, d: StepDeps) {
    const linkedid = job.linkedid;
    try {
      const steps = await runSteps(job, d);
      userRetried.delete(linkedid);
      await o.outbox.complete(linkedid, { ok: true });
      registered += 1;
      log.info({ linkedid, steps }, 'call registered in Kommo');
      o.onOutcome?.({ linkedid, ok: true, steps });
    } catch (e) {
      const f = e instanceof StepFailure ? e : new StepFailure('registration', { code: 'INTERNAL', message: String((e as Error)?.stack ?? e) }, false);
      if (TOKEN_REFUSED.has(f.error.code)) {
        // Kommo refuses the token (a long-lived token that expired cannot be refreshed; an OAuth refresh was
        // refused): every call would fail the same way, so none is given up and no attempt is counted. The call
        // stays in the outbox and is tried again every retryMaxMs, until the token works (a new one and a restart).
        log.error({ linkedid, step: f.step, code: f.error.code, hint: f.error.hint, retryInMs: retryMax }, `call not registered yet: ${f.error.message}. It stays queued in the outbox.`);
        later(linkedid, retryMax);
        return;
      }
      if (f.permanent && f.error.code === 'KOMMO_BAD_REQUEST' && USER_FIELD.test(f.error.message) && !userRetried.has(linkedid)) {
        // A user deleted in Kommo since the last refresh of the users (every 5 minutes): read them again now,
        // and if one hookline sends is gone, try the call again at once; the fallback user stands in.
        userRetried.add(linkedid);
        const gone = await usersGone();
        if (gone.length > 0) {
          log.warn({ linkedid, step: f.step, code: f.error.code, users: gone }, `Kommo refused a user deleted in Kommo while hookline runs (${gone.join(', ')}); the users were read again and the call is tried again with the fallback user`);
          later(linkedid, 0);
          return;
        }
      }
      userRetried.delete(linkedid);
      const attempts = job.attempts + 1;
      if (f.permanent || attempts >= maxAttempts) {
        const error = { code: f.error.code, message: `${f.step}: ${f.error.message}${f.permanent ? '' : ` (gave up after ${attempts} attempts)`}` };
        await o.outbox.complete(linkedid, { ok: false, error }).catch(() => undefined);
        failed += 1;
        log.error({ linkedid, step: f.step, code: f.error.code, hint: f.error.hint }, `call not registered: ${error.message}`);
        o.onOutcome?.({ linkedid, ok: false, error, steps: Object.keys(job.steps) });
        return;
      }
      await o.outbox.attempt(linkedid).catch(() => undefined);
      const backoff = Math.min(retryMax, retryBase * 2 ** (attempts - 1));
      const wait = f.maybeWritten ? Math.max(backoff, settle) : backoff;
      log.warn({ linkedid, step: f.step, code: f.error.code, attempt: attempts, retryInMs: wait }, `registration paused, will retry: ${f.error.message}`);
      later(linkedid, wait);
    }
  }

  function later(linkedid: string, wait: number) {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(linkedid);
      enqueue(linkedid);
    }, wait);
    t.unref();
    timers.set(linkedid, t);
  }

  // Calls retried once after a 400 that named a user (usersGone), so that a second such 400 fails them.
  const userRetried = new Set<string>();
  let usersRead: Promise<number[]> | null = null;
  /**
   * Reads the account's users again (one read for all the calls that ask at once) and answers the configured
   * user ids that were usable before and are not any more: [] when none went, or when the read failed.
   */
  function usersGone(): Promise<number[]> {
    usersRead ??= (async () => {
      const r = await o.kommo.users({ linkedid: undefined });
      if (!r.ok || !deps) return [];
      setUsers(usersFrom(r.value));
      return [...lostUsers];
    })().finally(() => {
      usersRead = null;
    });
    return usersRead;
  }

  // Configured user ids that were usable and are not any more (deleted in Kommo while hookline runs); one that
  // comes back leaves the set. A call refused for a user while any is here was built before it went.
  const lostUsers = new Set<number>();
  function setUsers(after: UserDirectory) {
    if (!deps) return;
    const before = deps.users;
    const configured = new Set([...Object.values(o.users), ...(o.settings.defaultUserId !== undefined ? [o.settings.defaultUserId] : [])]);
    for (const id of configured) {
      if (after.has(id)) lostUsers.delete(id);
      else if (before.has(id)) lostUsers.add(id);
    }
    deps = { ...deps, users: after };
  }

  /** Whether to search companies by phone: yes unless Kommo says the account has none (a failed check searches). */
  async function companiesInAccount(): Promise<boolean> {
    const r = await o.kommo.hasCompanies({ linkedid: undefined });
    if (!r.ok) log.warn({ code: r.error.code }, `could not tell whether the account has companies (${r.error.message}); they are searched`);
    return r.ok ? r.value : true;
  }

  // The problems last reported, so that a refresh says only what changed.
  let reported = new Set<string>();
  function usersFrom(account: KommoUser[]): UserDirectory {
    const dir = createUserDirectory(o.users, account, o.settings.defaultUserId);
    const now = new Set<string>();
    for (const p of dir.problems) {
      const key = `${p.path}=${p.userId}`;
      now.add(key);
      if (reported.has(key)) continue;
      const e = makeError('KOMMO_UNKNOWN_USER', { path: p.path, userId: p.userId, detail: p.instead });
      log.error({ code: e.code, hint: e.hint }, e.message);
    }
    for (const key of reported) if (!now.has(key)) log.info({ user: key }, `the Kommo user of ${key.split('=')[0]} is in the account again: it is used`);
    reported = now;
    return dir;
  }

  return {
    async submit(call) {
      const fresh = await o.outbox.add(call.linkedid, call);
      if (fresh) enqueue(call.linkedid);
      return fresh;
    },
    async start() {
      const ctx = { linkedid: undefined };
      const field = await o.kommo.checkPhoneField();
      if (!field.ok) {
        paused = field.error.message;
        log.error({ code: field.error.code, hint: field.error.hint }, `calls are NOT registered: ${field.error.message}. They stay queued in the outbox.`);
        return { ok: false, error: { code: field.error.code, message: field.error.message, hint: field.error.hint }, phoneField: field };
      }
      const users = await o.kommo.users(ctx);
      const pipelines = await o.kommo.pipelines(ctx);
      if (!users.ok || !pipelines.ok) {
        const err = !users.ok ? users.error : (pipelines as { ok: false; error: { code: string; message: string; hint: string } }).error;
        paused = err.message;
        log.error({ code: err.code }, `calls are not registered yet: ${err.message}`);
        return { ok: false, error: { code: err.code, message: err.message, hint: err.hint }, phoneField: field };
      }
      const dir = usersFrom(users.value);
      deps = {
        kommo: o.kommo, hooks: o.hooks, outbox: o.outbox, settings: o.settings, users: dir, companies: await companiesInAccount(), phoneFieldId: field.fieldId,
        pipeline: pickPipeline(pipelines.value, o.settings.pipelineId, o.settings.statusId), log, now,
        ...(o.recordings ? { recordings: o.recordings } : {}),
      };
      paused = null;
      const pending = o.outbox.pending();
      if (pending.length) log.info({ calls: pending.length }, 'resuming the registration of calls left pending');
      for (const j of pending) enqueue(j.linkedid);
      pump();
      return { ok: true, phoneField: field };
    },
    async refreshAccount() {
      if (!deps) return { ok: false, error: { code: 'NOT_STARTED', message: 'the registrar has not started', hint: 'Call start() first.' } };
      const users = await o.kommo.users({ linkedid: undefined });
      if (!users.ok) return { ok: false, error: { code: users.error.code, message: users.error.message, hint: users.error.hint } };
      const companies = await companiesInAccount();
      setUsers(usersFrom(users.value));
      if (deps) deps = { ...deps, companies };
      return { ok: true };
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    stats: () => ({ registered, failed, pending: o.outbox.depth(), inProgress: active.size, paused }),
    userByExtension: (extension) => deps?.users.byExtension(extension) ?? null,
    async close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      while (active.size) await new Promise((r) => setTimeout(r, 10));
      checkIdle();
    },
  };
}

function pickPipeline(pipelines: KommoPipeline[], pipelineId?: number, statusId?: number): { pipelineId: number; statusId: number } {
  const p = pipelines.find((x) => x.id === pipelineId) ?? pipelines.find((x) => x.is_main) ?? pipelines[0];
  if (!p) return { pipelineId: pipelineId ?? 0, statusId: statusId ?? 0 };
  const statuses = [...(p._embedded?.statuses ?? [])].filter((s) => s.type === 0 && s.id !== 142 && s.id !== 143).sort((a, b) => a.sort - b.sort);
  return { pipelineId: p.id, statusId: statusId ?? statuses[0]?.id ?? 0 };
}
