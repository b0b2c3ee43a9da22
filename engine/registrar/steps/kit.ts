/**
 * What every registration step shares: the context of one call's registration, its journal (the outbox job's
 * step records), running a hook point, and sending a write a hook shaped, with the hook's default as the
 * fallback when Kommo refuses what a script built.
 */
import type { CallFull, Deal, Entity, HookInput, HookName, HooklineError } from '../../../contracts/index.ts';
import type { Logger } from '../../../log/index.ts';
import type { HookInvoker, HookOutcome } from '../../hooks/index.ts';
import type { KommoClient, KommoError, KommoResult } from '../../kommo/index.ts';
import type { Outbox, OutboxJob, StepRecord } from '../../outbox/index.ts';
import type { PhoneIndex } from '../../phone-index/index.ts';
import { StepFailure, isPermanent } from '../errors.ts';
import type { CallToRegister, DealRef, EntityRef, RecordingLinker } from '../job.ts';
import type { RegistrationSettings } from '../settings.ts';
import type { UserDirectory } from '../users.ts';

/** What the steps need of the registrar: the account as read at start (and refreshed), and the clients. */
export interface StepDeps {
  kommo: KommoClient;
  hooks: HookInvoker;
  outbox: Outbox<CallToRegister>;
  settings: RegistrationSettings;
  users: UserDirectory;
  /** The account holds companies (checked at start and every 5 minutes): only then is a company searched by phone. */
  companies: boolean;
  phoneFieldId: number;
  pipeline: { pipelineId: number; statusId: number };
  /** The task type sent (account.ts: the configured one when the account has it). */
  taskTypeId: number;
  recordings?: RecordingLinker;
  /** The account's phones (engine/phone-index): a client found there costs no search. Absent: every call is searched. */
  phones?: PhoneIndex;
  log: Logger;
  now: () => number;
}

/** One call's registration in progress. */
export interface Ctx {
  job: OutboxJob<CallToRegister>;
  d: StepDeps;
  call: CallToRegister;
  linkedid: string;
  /** call_full as the hooks see it: entity, deal and record filled in as the steps find them. */
  cf: CallFull;
  /** What the steps did, for the log line and the outcome. */
  done: string[];
}

/** The step's record from an earlier attempt of this call, if any. */
export function prior(c: Ctx, step: string): StepRecord | undefined {
  return c.job.steps[step];
}

/** Journals a step's state in the outbox before going on (so a crash resumes or reconciles it). */
export async function journal(c: Ctx, step: string, r: Omit<StepRecord, 'at'>): Promise<void> {
  await c.d.outbox.step(c.linkedid, step, r);
}

/** Ends the registration with Kommo's error: permanent or retried, as errors.ts decides. */
export function fail(step: string, e: KommoError): never {
  throw new StepFailure(step, { code: e.code, message: e.message, hint: e.hint }, isPermanent(e), e.maybeWritten === true);
}

/** Runs a hook point for this call. */
export function hook<H extends HookName>(c: Ctx, name: H, input: HookInput<H>): Promise<HookOutcome<H>> {
  return c.d.hooks.invoke(name, input, { linkedid: c.linkedid });
}

/** The first answer of a one-item batch. */
export function first<T>(rs: KommoResult<T>[]): KommoResult<T> {
  const r = rs[0];
  if (!r) throw new StepFailure('registration', { code: 'KOMMO_BAD_RESPONSE', message: 'Kommo answered a write with no item' }, false);
  return r;
}

export interface Written<D, T> {
  /** Kommo's answer. */
  value: T;
  /** What was sent, in the hook's shape: what the later steps read (the entity's name and responsible, the lead's fields). */
  data: D;
}

/** What a hook that shapes a write answered (HookOutcome of a named hook). */
export interface Shaped<D> {
  data: D;
  error: HooklineError | null;
  version: number | string | null;
}

/**
 * Journals the body a hook shaped (`out`, from hook()) as "sending", and sends it. A 400 on data a script
 * shaped is retried once with the hook's default (`fallback`), so a script's mistake never loses the call; the
 * 400 is logged with the script named. `extra` is journaled with the body but never sent.
 */
export async function write<D, B, T>(
  c: Ctx,
  step: string,
  name: HookName,
  out: Shaped<D>,
  fallback: D,
  toKommo: (data: D) => B,
  send: (body: B) => Promise<KommoResult<T>[]>,
  extra: Record<string, unknown> = {},
): Promise<Written<D, T>> {
  const scripted = out.error === null && out.version !== null;
  let data = out.data;
  let body = toKommo(data);
  await journal(c, step, { status: 'sending', data: { ...body, ...extra } });
  let r = first(await send(body));
  if (!r.ok && scripted && r.error.code === 'KOMMO_BAD_REQUEST') {
    c.d.log.warn({ linkedid: c.linkedid, hook: name, version: out.version, code: r.error.code }, `Kommo refused what ${name} built; sending the default instead: ${r.error.message}`);
    data = fallback;
    body = toKommo(data);
    await journal(c, step, { status: 'sending', data: { ...body, ...extra } });
    r = first(await send(body));
  }
  if (!r.ok) fail(step, r.error);
  return { value: r.value, data };
}

/** The call was answered (by a person, or the PBX says 200). */
export function answered(c: Ctx): boolean {
  return c.call.answeredBy !== null || c.call.call_full.result === 200;
}

/** The Kommo user who took the call (answered, or placed it when outbound), if an extension maps to one. */
export function callUser(c: Ctx): { id: number; name: string } | null {
  const ext = c.call.direction === 'outbound' ? c.call.lastUser ?? c.call.answeredBy : c.call.answeredBy;
  return c.d.users.byExtension(ext);
}

/** The name of a lead hookline creates (a contact's lead, or an incoming lead): "<phone> - [missed ]incoming|outgoing". */
export function leadName(c: Ctx): string {
  return `${c.call.phone} - ${answered(c) ? '' : 'missed '}${c.call.direction === 'inbound' ? 'incoming' : 'outgoing'}`;
}

/** The name of a contact hookline creates. */
export function contactName(c: Ctx): string {
  return `Contact ${c.call.phone}`;
}

/** The PHONE field value of a contact hookline creates. */
export function phoneValue(c: Ctx) {
  return [{ field_id: c.d.phoneFieldId, values: [{ enum_code: 'WORK', value: c.call.phone }] }];
}

/** call_full.entity for an entity the steps found or created. */
export function entityOfCall(e: EntityRef): Entity {
  return { type: e.type, id: e.id, name: e.name, responsible_user_id: e.responsible_user_id, is_new: e.is_new };
}

/** call_full.deal for a lead the steps found or created. */
export function dealOfCall(d: DealRef): Deal {
  return { id: d.id, name: d.name, pipeline_id: d.pipeline_id, status_id: d.status_id, responsible_user_id: d.responsible_user_id, is_new: d.is_new };
}

/** `tags: string[]` of the contracts → Kommo's `_embedded.tags: [{name}]`. */
export function tagsToKommo<T extends { tags?: unknown }>(b: T): Omit<T, 'tags'> {
  const { tags, ...rest } = b;
  if (!Array.isArray(tags)) return rest;
  const held: unknown = '_embedded' in rest ? rest._embedded : undefined;
  const emb = typeof held === 'object' && held !== null ? held : {};
  return { ...rest, _embedded: { ...emb, tags: tags.map((t: unknown) => (typeof t === 'string' ? { name: t } : t)) } };
}
