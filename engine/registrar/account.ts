/**
 * The Kommo account as the registrar needs it: the PHONE field, the users (checked against the configuration's
 * `users`), the pipeline and first status for new leads, and whether the account holds companies. Read at start
 * and refreshed every 5 minutes (and at once when Kommo refuses a user that may have been deleted meanwhile).
 */
import { makeError } from '../../contracts/index.ts';
import type { Logger } from '../../log/index.ts';
import { isClosedLeadStatus, type KommoClient, type KommoPipeline, type KommoUser, type PhoneFieldCheck } from '../kommo/index.ts';
import type { RegistrationSettings } from './settings.ts';
import { createUserDirectory, type UserDirectory } from './users.ts';

export interface AccountError {
  code: string;
  message: string;
  hint: string;
}

/** What the steps read of the account. */
export interface AccountFacts {
  users: UserDirectory;
  companies: boolean;
  phoneFieldId: number;
  pipeline: { pipelineId: number; statusId: number };
  /** The task type sent: the configured one when the account has it, else Kommo's predefined 1 (Follow-up). */
  taskTypeId: number;
}

export type AccountStart = { ok: true; facts: AccountFacts; phoneField: PhoneFieldCheck } | { ok: false; error: AccountError; phoneField: PhoneFieldCheck };

export interface Account {
  /** Reads everything; the facts are kept for refresh(). */
  start(): Promise<AccountStart>;
  /** The facts as read last, or null before a successful start. */
  facts(): AccountFacts | null;
  /** Reads the users and whether the account holds companies again. */
  refresh(): Promise<{ ok: true } | { ok: false; error: AccountError }>;
  /**
   * Reads the users again (one read for all the calls that ask at once) and answers the configured user ids that
   * were usable before and are not any more: [] when none went, or when the read failed.
   */
  usersGone(): Promise<number[]>;
}

export function createAccount(o: { kommo: KommoClient; users: Record<string, number>; settings: RegistrationSettings; log: Logger }): Account {
  const ctx = { linkedid: undefined };
  let facts: AccountFacts | null = null;
  // Configured user ids that were usable and are not any more (deleted in Kommo while hookline runs); one that
  // comes back leaves the set.
  const lostUsers = new Set<number>();
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
      o.log.error({ code: e.code, hint: e.hint }, e.message);
    }
    for (const key of reported) if (!now.has(key)) o.log.info({ user: key }, `the Kommo user of ${key.split('=')[0]} is in the account again: it is used`);
    reported = now;
    return dir;
  }

  function setUsers(after: UserDirectory) {
    if (!facts) return;
    const before = facts.users;
    const configured = new Set([...Object.values(o.users), ...(o.settings.defaultUserId !== undefined ? [o.settings.defaultUserId] : [])]);
    for (const id of configured) {
      if (after.has(id)) lostUsers.delete(id);
      else if (before.has(id)) lostUsers.add(id);
    }
    facts = { ...facts, users: after };
  }

  /** Whether to search companies by phone: yes unless Kommo says the account has none (a failed check searches). */
  async function companiesInAccount(): Promise<boolean> {
    const r = await o.kommo.hasCompanies(ctx);
    if (!r.ok) o.log.warn({ code: r.error.code }, `could not tell whether the account has companies (${r.error.message}); they are searched`);
    return r.ok ? r.value : true;
  }

  /**
   * Accounts define their own task types besides Kommo's 1 and 2 (https://developers.kommo.com/reference/tasks); a
   * configured type the account lacks would have every task refused (400 on task_type_id), so 1 stands in, said once.
   */
  async function taskType(): Promise<number> {
    const wanted = o.settings.tasks.taskTypeId;
    if (!o.settings.tasks.enabled || wanted === 1 || wanted === 2) return wanted;
    const r = await o.kommo.taskTypes(ctx);
    if (!r.ok || r.value.length === 0 || r.value.some((t) => t.id === wanted)) return wanted;
    const e = makeError('KOMMO_UNKNOWN_TASK_TYPE', { taskTypeId: wanted, detail: r.value.map((t) => `${t.id} ${t.name}`).join(', ') });
    o.log.error({ code: e.code, hint: e.hint, taskTypeId: wanted }, e.message);
    return 1;
  }

  let usersRead: Promise<number[]> | null = null;

  return {
    async start() {
      const phoneField = await o.kommo.checkPhoneField();
      if (!phoneField.ok) return { ok: false, error: errorOf(phoneField.error), phoneField };
      const users = await o.kommo.users(ctx);
      const pipelines = await o.kommo.pipelines(ctx);
      if (!users.ok) return { ok: false, error: errorOf(users.error), phoneField };
      if (!pipelines.ok) return { ok: false, error: errorOf(pipelines.error), phoneField };
      facts = {
        users: usersFrom(users.value), companies: await companiesInAccount(), phoneFieldId: phoneField.fieldId,
        pipeline: pickPipeline(pipelines.value, o.settings.pipelineId, o.settings.statusId), taskTypeId: await taskType(),
      };
      return { ok: true, facts, phoneField };
    },
    facts: () => facts,
    async refresh() {
      if (!facts) return { ok: false, error: { code: 'NOT_STARTED', message: 'the registrar has not started', hint: 'Call start() first.' } };
      const users = await o.kommo.users(ctx);
      if (!users.ok) return { ok: false, error: errorOf(users.error) };
      const companies = await companiesInAccount();
      setUsers(usersFrom(users.value));
      facts = { ...facts, companies };
      return { ok: true };
    },
    usersGone() {
      usersRead ??= (async () => {
        const r = await o.kommo.users(ctx);
        if (!r.ok || !facts) return [];
        setUsers(usersFrom(r.value));
        return [...lostUsers];
      })().finally(() => {
        usersRead = null;
      });
      return usersRead;
    },
  };
}

function errorOf(e: { code: string; message: string; hint: string }): AccountError {
  return { code: e.code, message: e.message, hint: e.hint };
}

/** The configured pipeline (else the main one, else the first) and its first open status (or the configured one). */
function pickPipeline(pipelines: KommoPipeline[], pipelineId?: number, statusId?: number): { pipelineId: number; statusId: number } {
  const p = pipelines.find((x) => x.id === pipelineId) ?? pipelines.find((x) => x.is_main) ?? pipelines[0];
  if (!p) return { pipelineId: pipelineId ?? 0, statusId: statusId ?? 0 };
  const statuses = [...(p._embedded?.statuses ?? [])].filter((s) => s.type === 0 && !isClosedLeadStatus(s.id)).sort((a, b) => a.sort - b.sort);
  return { pipelineId: p.id, statusId: statusId ?? statuses[0]?.id ?? 0 };
}
