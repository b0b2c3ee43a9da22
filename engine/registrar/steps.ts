/**
 * The registration steps, each a small function naming its hook point. A step's state lives in the outbox
 * job (`job.steps[name]`): done steps are skipped on a retry; a step left "sending" is reconciled against
 * Kommo before anything is sent again. See registrar.ts for the order and docs/design/registrar.md.
 */
import { RESULT_TO_KOMMO, type CallFull, type HookName } from '../../contracts/index.ts';
import type { Logger } from '../../log/index.ts';
import type { KommoClient, KommoCompany, KommoContact, KommoError, KommoResult } from '../kommo/index.ts';
import type { Outbox, OutboxJob, StepRecord } from '../outbox/index.ts';
import { withConversationUsers, type HookInvoker } from '../stages/index.ts';
import { StepFailure, isPermanent } from './errors.ts';
import type { CallToRegister, DealRef, EntityRef } from './job.ts';
import type { RecordingLinker } from './registrar.ts';
import { secondsBetween, toUnix } from './time.ts';
import type { UserDirectory } from './users.ts';

export interface RegistrationSettings {
  mode: 'contact' | 'unsorted';
  createLead: boolean;
  pipelineId?: number;
  statusId?: number;
  tags: string[];
  defaultUserId?: number;
  updateResponsible: boolean;
  tasks: { enabled: boolean; deadlineMinutes: number; responsibleMode: 0 | 1 | 2; taskTypeId: number };
  timezone: string;
  /** `source` of call logs and `source_name` of unsorted leads. Default "hookline". */
  source?: string;
}

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
  recordings?: RecordingLinker;
  log: Logger;
  now: () => number;
}

type Json = Record<string, unknown>;
/** Kept with a task's 'sending' record (never sent): the ids of the entity's open tasks before the send. */
const BEFORE = '__openBefore';

interface Ctx {
  job: OutboxJob<CallToRegister>;
  d: StepDeps;
  call: CallToRegister;
  linkedid: string;
  cf: CallFull;
  done: string[];
}

const clone = <T>(x: T): T => structuredClone(x);

/** Runs every step not yet done; returns the names of the steps that did something. */
export async function runSteps(job: OutboxJob<CallToRegister>, d: StepDeps): Promise<string[]> {
  const call = job.payload;
  const c: Ctx = { job, d, call, linkedid: job.linkedid, cf: clone(call.call_full), done: [] };
  // call_full.record is the public link (call_full.md), known only after the record step: not the PBX's file path.
  if (call.recording && c.cf.record === call.recording) c.cf.record = '';
  fillUsers(c);
  let entity = await entityStep(c);
  c.cf.entity = { type: entity.type, id: entity.id, name: entity.name, responsible_user_id: entity.responsible_user_id, is_new: entity.is_new } as CallFull['entity'];
  const found = await leadStep(c, entity);
  if (found) c.cf.deal = found as CallFull['deal'];
  // The later steps (the task's responsible, call_full of the later hooks) read the entity and lead as updated.
  const updated = await updateStep(c, entity, found);
  entity = updated.entity;
  const deal = updated.deal;
  await recordStep(c);
  let client = entity;
  try {
    await callStep(c, client, deal);
  } catch (e) {
    if (!(e instanceof StepFailure && e.error.code === 'KOMMO_ENTITY_NOT_FOUND') || client.unsortedUid) throw e;
    // Kommo has no contact with the phone although one was found (or made) for this call: deleted or merged in
    // Kommo since, or a cached answer outlived it. Found or created again, once, and the call log sent again.
    c.d.kommo.forgetPhone(c.call.phone);
    await record(c, 'entity', { status: 'failed', result: { gone: client.id } });
    client = await entityStep(c);
    c.cf.entity = { type: client.type, id: client.id, name: client.name, responsible_user_id: client.responsible_user_id, is_new: client.is_new } as CallFull['entity'];
    await callStep(c, client, deal);
  }
  await taskStep(c, client, deal);
  await postStep(c);
  return c.done;
}

// ---------- helpers ----------

function answered(c: Ctx): boolean {
  return c.call.answeredBy !== null || c.call.call_full.result === 200;
}

/** The Kommo user who took the call (answered, or placed it when outbound), if an extension maps to one. */
function callUser(c: Ctx): { id: number; name: string } | null {
  const ext = c.call.direction === 'outbound' ? c.call.lastUser ?? c.call.answeredBy : c.call.answeredBy;
  return c.d.users.byExtension(ext);
}

function fillUsers(c: Ctx) {
  c.cf = withConversationUsers(c.cf, (ext) => c.d.users.byExtension(ext) as CallFull['conversations'][string]['user']);
}

async function record(c: Ctx, step: string, r: Omit<StepRecord, 'at'>) {
  await c.d.outbox.step(c.linkedid, step, r);
}

function prior(c: Ctx, step: string): StepRecord | undefined {
  return c.job.steps[step];
}

function fail(step: string, e: KommoError): never {
  throw new StepFailure(step, { code: e.code, message: e.message, hint: e.hint }, isPermanent(e), e.maybeWritten === true);
}

async function hook(c: Ctx, name: HookName, input: Json): Promise<{ data: Json; scripted: boolean }> {
  const invoke = c.d.hooks.invoke as (h: HookName, i: unknown, l: string) => Promise<{ data: unknown; error: unknown; version: unknown }>;
  const out = await invoke(name, input, c.linkedid);
  return { data: (out.data ?? {}) as Json, scripted: out.error === null && out.version !== null };
}

/**
 * Sends one write built by a hook. A 400 on data a script shaped is retried once with the hook's default
 * (the input body), so a script's mistake never loses the call; the 400 is logged with the script named.
 */
async function write<T>(c: Ctx, step: string, hookName: HookName, built: { data: Json; scripted: boolean }, fallback: Json, send: (body: Json) => Promise<KommoResult<T>>, toKommo: (b: Json) => Json): Promise<T> {
  let body = toKommo(built.data);
  await record(c, step, { status: 'sending', data: body });
  let r = await send(body);
  if (!r.ok && built.scripted && r.error.code === 'KOMMO_BAD_REQUEST') {
    c.d.log.warn({ linkedid: c.linkedid, hook: hookName, code: r.error.code }, `Kommo refused what ${hookName} built; sending the default instead: ${r.error.message}`);
    body = toKommo(fallback);
    // What was sent is what the later steps read (the entity's name and responsible, the lead's fields).
    built.data = fallback;
    await record(c, step, { status: 'sending', data: body });
    r = await send(body);
  }
  if (!r.ok) fail(step, r.error);
  return r.value;
}

function first<T>(rs: KommoResult<T>[]): KommoResult<T> {
  return rs[0] as KommoResult<T>;
}

/** `tags: string[]` of the contract → Kommo's `_embedded.tags: [{name}]`. */
function contactToKommo(b: Json): Json {
  const { tags, ...rest } = b;
  if (!Array.isArray(tags)) return rest;
  const emb = (typeof rest._embedded === 'object' && rest._embedded !== null ? rest._embedded : {}) as Json;
  return { ...rest, _embedded: { ...emb, tags: tags.map((t) => (typeof t === 'string' ? { name: t } : t)) } };
}

function entityOf(contact: KommoContact, isNew: boolean, type: EntityRef['type'] = 'contacts'): EntityRef {
  return {
    type, id: contact.id, name: contact.name, responsible_user_id: contact.responsible_user_id, is_new: isNew,
    leadIds: (contact._embedded?.leads ?? []).map((l) => l.id),
  };
}

async function findContact(c: Ctx, step: string): Promise<KommoContact | null> {
  const r = await c.d.kommo.findContactsByPhone(c.call.phone, { linkedid: c.linkedid });
  if (!r.ok) fail(step, r.error);
  return [...r.value].sort((a, b) => a.id - b.id)[0] ?? null;
}

/** No contact has the number: a company that has it is the client (Kommo attaches the call to it, lowest id). */
async function findCompany(c: Ctx, step: string): Promise<KommoCompany | null> {
  const r = await c.d.kommo.findCompaniesByPhone(c.call.phone, { linkedid: c.linkedid });
  if (!r.ok) fail(step, r.error);
  return [...r.value].sort((a, b) => a.id - b.id)[0] ?? null;
}

// ---------- steps ----------

/** Find the client's contact; none → process_contact_creation_params or process_unsorted_creation_params. */
async function entityStep(c: Ctx): Promise<EntityRef> {
  const step = 'entity';
  const was = prior(c, step);
  if (was?.status === 'done') return was.result as EntityRef;
  // A create that may have reached Kommo is found by the same search that runs first anyway.
  const found = await findContact(c, step);
  if (found) {
    const ref = entityOf(found, was?.status === 'sending');
    await record(c, step, { status: 'done', result: ref });
    if (was?.status === 'sending') c.done.push('entity (reconciled)');
    return ref;
  }
  // A company with the number is a known client too: nothing is created for it (not even an incoming lead).
  const company = c.d.companies ? await findCompany(c, step) : null;
  if (company) {
    const ref = entityOf(company, false, 'companies');
    await record(c, step, { status: 'done', result: ref });
    c.done.push('company found');
    return ref;
  }
  const s = c.d.settings;
  const responsible = callUser(c)?.id ?? c.d.users.byExtension(c.call.lastUser)?.id ?? c.d.users.fallback();
  const phoneValue = [{ field_id: c.d.phoneFieldId, values: [{ enum_code: 'WORK', value: c.call.phone }] }];
  const name = `Contact ${c.call.phone}`;
  if (s.mode === 'contact') {
    const input = { custom_fields_values: phoneValue, name, responsible_user_id: responsible, tags: s.tags };
    const built = await hook(c, 'process_contact_creation_params', { call_full: c.cf, ...input });
    const added = await write(c, step, 'process_contact_creation_params', built, input, async (b) => first(await c.d.kommo.addContacts([b as never], { linkedid: c.linkedid })), contactToKommo);
    const ref: EntityRef = { type: 'contacts', id: added.id, name: String(built.data.name ?? name), responsible_user_id: Number(built.data.responsible_user_id ?? responsible), is_new: true, leadIds: [] };
    await record(c, step, { status: 'done', result: ref });
    c.done.push('contact created');
    return ref;
  }
  // Unsorted (incoming lead): source_uid and metadata.uniq carry the linkedid, so Kommo refuses a second one.
  // The incoming lead carries the call itself (no call log follows), so the recording link goes in its
  // metadata: the record step runs first here (it is journaled, so the later record step only reads it back).
  await recordStep(c);
  const missed = !answered(c);
  const startedAt = toUnix(c.call.call_full.channel.start_time, s.timezone) ?? Math.floor(c.d.now() / 1000);
  const leadName = `${c.call.phone} - ${missed ? 'missed ' : ''}${c.call.direction === 'inbound' ? 'incoming' : 'outgoing'}`;
  const input = {
    _embedded: {
      contacts: [{ custom_fields_values: phoneValue, name, tags: s.tags }],
      leads: [{ name: leadName, pipeline_id: c.d.pipeline.pipelineId, tags: s.tags.map((t) => ({ name: t })) }],
    },
    created_at: startedAt,
    metadata: {
      called_at: startedAt, duration: duration(c), from: c.call.direction === 'inbound' ? c.call.phone : c.call.call_full.channel.from.number || c.call.phone,
      is_call_event_needed: true, ...(c.cf.record ? { link: c.cf.record } : {}), phone: c.call.phone, service_code: s.source ?? 'hookline', uniq: c.linkedid,
    },
    pipeline_id: c.d.pipeline.pipelineId,
    source_name: s.source ?? 'hookline',
    source_uid: c.linkedid,
  };
  const built = await hook(c, 'process_unsorted_creation_params', { call_full: c.cf, ...input });
  const toKommo = (b: Json): Json => {
    const emb = (b._embedded ?? {}) as Json;
    const contacts = Array.isArray(emb.contacts) ? emb.contacts.map((x) => contactToKommo(x as Json)) : emb.contacts;
    return { ...b, _embedded: { ...emb, contacts } };
  };
  let uid = '';
  let contactId: number | undefined;
  try {
    const added = await write(c, step, 'process_unsorted_creation_params', built, input, async (b) => first(await c.d.kommo.addUnsortedSip([b as never], { linkedid: c.linkedid })), toKommo);
    uid = added.uid;
    contactId = added.contactId;
  } catch (e) {
    // Already there (a retry after a crash): Kommo refuses the same source_uid; the contact is found by phone.
    if (!(e instanceof StepFailure && e.error.code === 'KOMMO_BAD_REQUEST' && /source_uid/.test(e.error.message))) throw e;
  }
  const byId = contactId !== undefined ? await c.d.kommo.getContact(contactId, { linkedid: c.linkedid }) : null;
  if (byId && !byId.ok) fail(step, byId.error);
  const contact = byId?.ok && byId.value ? byId.value : await findContact(c, step);
  if (!contact) throw new StepFailure(step, { code: 'KOMMO_BAD_RESPONSE', message: 'the incoming lead was added but Kommo shows no contact with its phone yet' }, false);
  const ref: EntityRef = { ...entityOf(contact, true), ...(uid ? { unsortedUid: uid } : {}) };
  await record(c, step, { status: 'done', result: ref });
  c.done.push('unsorted created');
  return ref;
}

/** registration.createLead and no open lead on the contact → process_lead_creation_params. */
async function leadStep(c: Ctx, entity: EntityRef): Promise<DealRef | null> {
  const step = 'lead';
  const was = prior(c, step);
  if (was?.status === 'done' || was?.status === 'skipped') return (was.result as DealRef | undefined) ?? null;
  const s = c.d.settings;
  if (!s.createLead || s.mode !== 'contact') return null;
  // The contact's leads now: an open one means no new lead (and, after a crash mid-create, finds ours).
  const contact = entity.type === 'companies' ? await c.d.kommo.getCompany(entity.id, { linkedid: c.linkedid }) : await c.d.kommo.getContact(entity.id, { linkedid: c.linkedid });
  if (!contact.ok) fail(step, contact.error);
  for (const ref of contact.value?._embedded?.leads ?? []) {
    const lead = await c.d.kommo.getLead(ref.id, { linkedid: c.linkedid });
    if (!lead.ok) fail(step, lead.error);
    const l = lead.value;
    if (l && l.status_id !== 142 && l.status_id !== 143) {
      const deal: DealRef = { id: l.id, name: l.name, pipeline_id: l.pipeline_id, status_id: l.status_id, responsible_user_id: l.responsible_user_id, is_new: was?.status === 'sending' };
      await record(c, step, { status: 'done', result: deal });
      return deal;
    }
  }
  const missed = !answered(c);
  const input = {
    _embedded: { [entity.type]: [{ id: entity.id }], tags: s.tags.map((t) => ({ name: t })) },
    name: `${c.call.phone} - ${missed ? 'missed ' : ''}${c.call.direction === 'inbound' ? 'incoming' : 'outgoing'}`,
    pipeline_id: c.d.pipeline.pipelineId,
    responsible_user_id: entity.responsible_user_id || c.d.users.fallback(),
    status_id: c.d.pipeline.statusId,
  };
  const built = await hook(c, 'process_lead_creation_params', { call_full: c.cf, ...input });
  const added = await write(c, step, 'process_lead_creation_params', built, input, async (b) => first(await c.d.kommo.addLeads([b as never], { linkedid: c.linkedid })), (b) => b);
  const data = built.data as Json;
  const deal: DealRef = {
    id: added.id, name: String(data.name ?? input.name), pipeline_id: Number(data.pipeline_id ?? input.pipeline_id), status_id: Number(data.status_id ?? input.status_id),
    responsible_user_id: Number(data.responsible_user_id ?? input.responsible_user_id), is_new: true,
  };
  await record(c, step, { status: 'done', result: deal });
  c.done.push('lead created');
  return deal;
}

/** The responsible users the update step set, journaled with it: `contact` / `lead` when that entity was updated. */
interface UpdateResult {
  contact?: number;
  lead?: number;
}

/**
 * registration.updateResponsible: the user who took the call becomes responsible (process_*_update_params).
 * Returns the entity and lead as they are after it (the responsible user that was sent, when the update was for
 * them), so a task for "the entity's responsible" goes to the new one and later hooks read it in call_full.
 */
async function updateStep(c: Ctx, entity: EntityRef, deal: DealRef | null): Promise<{ entity: EntityRef; deal: DealRef | null }> {
  const step = 'update';
  const was = prior(c, step);
  if (was?.status === 'done') return applyUpdate(c, entity, deal, (was.result ?? {}) as UpdateResult);
  const user = c.d.settings.updateResponsible ? callUser(c) : null;
  if (!user) return { entity, deal };
  const set: UpdateResult = {};
  // process_contact_update_params is about contacts: a company's responsible user is left as it is.
  if (entity.type === 'contacts' && !entity.is_new && entity.responsible_user_id !== user.id) {
    const input = { id: entity.id, responsible_user_id: user.id };
    const built = await hook(c, 'process_contact_update_params', { call_full: c.cf, ...input });
    await write(c, step, 'process_contact_update_params', built, input, async (b) => first(await c.d.kommo.updateContacts([b as never], { linkedid: c.linkedid })), (b) => b);
    // A script may point the update at another contact: only an update of this one changes its responsible.
    if (built.data.id === entity.id) set.contact = Number(built.data.responsible_user_id);
    c.done.push('contact updated');
  }
  if (deal && !deal.is_new && deal.responsible_user_id !== user.id) {
    const input = { id: deal.id, responsible_user_id: user.id };
    const built = await hook(c, 'process_lead_update_params', { call_full: c.cf, ...input });
    await write(c, step, 'process_lead_update_params', built, input, async (b) => first(await c.d.kommo.updateLeads([b as never], { linkedid: c.linkedid })), (b) => b);
    if (built.data.id === deal.id) set.lead = Number(built.data.responsible_user_id);
    c.done.push('lead updated');
  }
  await record(c, step, { status: 'done', result: set });
  return applyUpdate(c, entity, deal, set);
}

function applyUpdate(c: Ctx, entity: EntityRef, deal: DealRef | null, set: UpdateResult): { entity: EntityRef; deal: DealRef | null } {
  const e = set.contact !== undefined ? { ...entity, responsible_user_id: set.contact } : entity;
  const d = deal && set.lead !== undefined ? { ...deal, responsible_user_id: set.lead } : deal;
  if (c.cf.entity && e !== entity) c.cf.entity = { ...c.cf.entity, responsible_user_id: e.responsible_user_id };
  if (d && d !== deal) c.cf.deal = d as CallFull['deal'];
  return { entity: e, deal: d };
}

/** The recording link of the call (process_record_file_path runs inside the linker). */
async function recordStep(c: Ctx): Promise<void> {
  const step = 'record';
  const was = prior(c, step);
  if (was?.status === 'done') {
    c.cf.record = String((was.result as { url?: string } | undefined)?.url ?? '');
    return;
  }
  if (!c.call.recording || !c.d.recordings) return;
  const r = await c.d.recordings.linkFor({ path: c.call.recording, call_full: c.cf }, c.linkedid);
  c.cf.record = r.url ?? '';
  await record(c, step, { status: 'done', result: { url: r.url } });
}

/** Seconds of the last answered conversation. */
function duration(c: Ctx): number {
  const convs = Object.values(c.call.call_full.conversations).filter((x) => x.channel.was_answered);
  const last = convs.sort((a, b) => (a.channel.answer_time < b.channel.answer_time ? -1 : 1)).at(-1);
  return last ? secondsBetween(last.channel.answer_time, last.channel.end_time) : 0;
}

/** The call log (process_call_params); `uniq` = linkedid finds it again after a crash. */
async function callStep(c: Ctx, entity: EntityRef, deal: DealRef | null): Promise<void> {
  const step = 'call';
  const was = prior(c, step);
  if (was?.status === 'done' || was?.status === 'skipped') return;
  if (entity.unsortedUid) {
    // A new incoming lead carries the call itself (metadata, is_call_event_needed): Kommo matches no call
    // log to its contact until the lead is accepted, and a second log would repeat the call.
    await record(c, step, { status: 'skipped', result: { reason: 'the incoming lead carries the call' } });
    return;
  }
  if (was?.status === 'sending' && (await callIsThere(c, entity, deal))) {
    await record(c, step, { status: 'done', result: { reconciled: true } });
    c.done.push('call log (reconciled)');
    return;
  }
  const s = c.d.settings;
  const outcome = RESULT_TO_KOMMO[c.call.call_full.result] ?? RESULT_TO_KOMMO[0] ?? { call_status: 8, call_result: 'Unknown' };
  const user = callUser(c);
  const createdAt = toUnix(c.call.call_full.channel.start_time, s.timezone) ?? Math.floor(c.d.now() / 1000);
  const input: Json = {
    call_result: outcome.call_result,
    call_status: outcome.call_status,
    created_at: createdAt,
    created_by: user?.id ?? 0,
    direction: c.call.direction,
    duration: duration(c),
    ...(c.cf.record ? { link: c.cf.record } : {}),
    phone: c.call.phone,
    responsible_user_id: user?.id ?? (deal?.responsible_user_id || entity.responsible_user_id || c.d.users.fallback()),
    source: s.source ?? 'hookline',
  };
  const built = await hook(c, 'process_call_params', { call_full: c.cf, ...input });
  const withUniq = (b: Json): Json => ({ uniq: c.linkedid, ...b });
  await write(c, step, 'process_call_params', built, input, async (b) => first(await c.d.kommo.addCalls([b as never], { linkedid: c.linkedid })), withUniq);
  await record(c, step, { status: 'done' });
  c.done.push('call log');
}

async function callIsThere(c: Ctx, entity: EntityRef, deal: DealRef | null): Promise<boolean> {
  const places: [EntityRef['type'] | 'leads', number][] = [[entity.type, entity.id], ...(deal ? [['leads', deal.id] as ['leads', number]] : [])];
  // Kommo attaches a call to the contact's only open lead: look there too.
  for (const id of entity.leadIds) if (!deal || id !== deal.id) places.push(['leads', id]);
  for (const [type, id] of places) {
    const r = await c.d.kommo.callNotes(type, id, { linkedid: c.linkedid });
    if (!r.ok) fail('call', r.error);
    if (r.value.some((n) => n.params?.uniq === c.linkedid)) return true;
  }
  return false;
}

/** A missed inbound or unanswered outbound call, tasks on → process_task_creation_params. */
async function taskStep(c: Ctx, entity: EntityRef, deal: DealRef | null): Promise<void> {
  const step = 'task';
  const was = prior(c, step);
  if (was?.status === 'done') return;
  const t = c.d.settings.tasks;
  // A new incoming lead is itself the to-do in Kommo's Incoming leads column; no task is attached to it.
  if (!t.enabled || answered(c) || entity.unsortedUid) return;
  const target: [EntityRef['type'] | 'leads', number] = deal ? ['leads', deal.id] : [entity.type, entity.id];
  if (was?.status === 'sending') {
    // Ours is an open task like the one sent that was not there before it was sent (the client's calls go one
    // at a time, so no other call of this client wrote one in between).
    const sent = was.data as Json & { [BEFORE]?: number[] };
    const before = new Set(sent[BEFORE] ?? []);
    const open = await c.d.kommo.openTasks(target[0], target[1], { linkedid: c.linkedid });
    if (!open.ok) fail(step, open.error);
    if (open.value.some((x) => !before.has(x.id) && x.text === sent.text && x.complete_till === sent.complete_till)) {
      await record(c, step, { status: 'done', result: { reconciled: true } });
      c.done.push('task (reconciled)');
      return;
    }
  }
  const entityResponsible = deal?.responsible_user_id || entity.responsible_user_id || null;
  const lastRang = c.d.users.byExtension(c.call.lastUser)?.id ?? null;
  const byMode = [entityResponsible, lastRang, c.d.users.configuredDefault()];
  // 0 → 1 → 2 fallback from the configured mode on.
  const responsible = byMode.slice(t.responsibleMode).find((x) => x) ?? byMode.find((x) => x) ?? c.d.users.fallback();
  const endedAt = toUnix(c.call.call_full.channel.end_time, c.d.settings.timezone) ?? Math.floor(c.d.now() / 1000);
  const input: Json = {
    complete_till: endedAt + t.deadlineMinutes * 60,
    created_by: 0,
    entity_id: target[1],
    entity_type: target[0],
    is_completed: false,
    responsible_user_id: responsible,
    task_type: t.taskTypeId,
    text: `Call back ${entity.name} on a missed call from ${c.call.phone}`,
  };
  const built = await hook(c, 'process_task_creation_params', { call_full: c.cf, ...input });
  const toKommo = (b: Json): Json => {
    const { task_type, ...rest } = b;
    return { ...rest, task_type_id: task_type };
  };
  // The entity's open tasks before the send, kept with the 'sending' record, so a reconciliation after an
  // ambiguous answer tells ours from an earlier call's with the same text and deadline (one GET per task).
  const existing = await c.d.kommo.openTasks(target[0], target[1], { linkedid: c.linkedid });
  if (!existing.ok) fail(step, existing.error);
  const beforeIds = existing.value.map((x) => x.id);
  await write(c, step, 'process_task_creation_params', built, input, async (b) => {
    const { [BEFORE]: _, ...body } = b as Json & { [BEFORE]?: number[] };
    return first(await c.d.kommo.addTasks([body as never], { linkedid: c.linkedid }));
  }, (b) => ({ ...toKommo(b), [BEFORE]: beforeIds }));
  await record(c, step, { status: 'done' });
  c.done.push('task');
}

/** post_registration: only its state counts; a failure is recorded by the invoker. */
async function postStep(c: Ctx): Promise<void> {
  const step = 'post';
  if (prior(c, step)?.status === 'done') return;
  await c.d.hooks.invoke('post_registration', { call_full: c.cf } as never, c.linkedid);
  await record(c, step, { status: 'done' });
}
