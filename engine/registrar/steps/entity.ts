/**
 * entity: the client's contact by phone (a company with the number when no contact has it); none → a new
 * contact (process_contact_creation_params) or an incoming lead (process_unsorted_creation_params), per
 * registration.mode. A create that may have reached Kommo is found by the same search that runs first anyway.
 */
import type { HookData, HookInput } from '../../../contracts/index.ts';
import type { KommoCompany, KommoContact } from '../../kommo/index.ts';
import { phonesOf } from '../../phone-index/index.ts';
import { StepFailure } from '../errors.ts';
import type { EntityRef } from '../job.ts';
import { sourceOf } from '../settings.ts';
import { toUnix } from '../time.ts';
import { callUser, contactName, fail, hook, journal, leadName, phoneValue, prior, tagsToKommo, write, type Ctx } from './kit.ts';
import { callDuration, recordStep } from './record.ts';

const STEP = 'entity';

function refOf(contact: KommoContact, isNew: boolean, type: EntityRef['type'] = 'contacts'): EntityRef {
  return {
    type, id: contact.id, name: contact.name, responsible_user_id: contact.responsible_user_id, is_new: isNew,
    leadIds: (contact._embedded?.leads ?? []).map((l) => l.id),
  };
}

async function findContact(c: Ctx): Promise<KommoContact | null> {
  const r = await c.d.kommo.findContactsByPhone(c.call.phone, { linkedid: c.linkedid });
  if (!r.ok) fail(STEP, r.error);
  return [...r.value].sort((a, b) => a.id - b.id)[0] ?? null;
}

/** No contact has the number: a company that has it is the client (Kommo attaches the call to it, lowest id). */
async function findCompany(c: Ctx): Promise<KommoCompany | null> {
  const r = await c.d.kommo.findCompaniesByPhone(c.call.phone, { linkedid: c.linkedid });
  if (!r.ok) fail(STEP, r.error);
  return [...r.value].sort((a, b) => a.id - b.id)[0] ?? null;
}

/**
 * The client as the phone index has it (engine/phone-index: no request), or null when the index is not ready, has
 * no entry for the number, or the step is reconciled after a lost answer (Kommo itself is asked then). Its leads
 * are not in the index: `leadIds` is empty, and the steps that need them read the entity (lead, call reconciliation).
 */
function fromIndex(c: Ctx, reconciling: boolean): EntityRef | null {
  if (reconciling || !c.d.phones) return null;
  const hit = c.d.phones.lookup(c.call.phone, { linkedid: c.linkedid });
  // A company in the index is in the account, whatever the 5-minute check of `companies` says yet.
  const e = hit?.contacts[0] ?? hit?.companies[0];
  if (!e) return null;
  c.done.push(e.type === 'contacts' ? 'contact from the index' : 'company from the index');
  return { type: e.type, id: e.id, name: e.name, responsible_user_id: e.responsible_user_id, is_new: false, leadIds: [], indexed: true };
}

/**
 * Kommo refused a write for the entity: it was deleted or merged since it was found (a call log no contact has the
 * phone for; a task or an update naming an id Kommo no longer has).
 */
export function vanished(e: unknown): boolean {
  if (!(e instanceof StepFailure)) return false;
  if (e.error.code === 'KOMMO_ENTITY_NOT_FOUND') return true;
  return e.error.code === 'KOMMO_BAD_REQUEST' && /\b(NotFound|NotSupportedChoice) at (entity_id|id)\b/.test(e.error.message);
}

/**
 * The client again after Kommo refused a write for `gone`: it is dropped from the phone index and the client's
 * cached search, and the entity step runs once more (a live search, else a new contact).
 */
export async function findAgain(c: Ctx, gone: EntityRef): Promise<EntityRef> {
  c.d.phones?.drop(gone.type, gone.id);
  c.d.kommo.forgetPhone(c.call.phone);
  await journal(c, STEP, { status: 'failed', result: { gone: gone.id } });
  c.done.push(`${gone.type === 'contacts' ? 'contact' : 'company'} ${gone.id} gone from Kommo`);
  return entityStep(c);
}

export async function entityStep(c: Ctx): Promise<EntityRef> {
  const was = prior(c, STEP);
  if (was?.status === 'done') return was.result as EntityRef;
  const indexed = fromIndex(c, was?.status === 'sending');
  if (indexed) {
    await journal(c, STEP, { status: 'done', result: indexed });
    return indexed;
  }
  // A miss in the index (or none yet) is confirmed by one live search: a contact a manager added a moment ago, or
  // one the index has not read yet, is found and never duplicated.
  const found = await findContact(c);
  const checked = c.d.phones?.ready() === true && was?.status !== 'sending';
  if (found) {
    // The search found it by this number (a body remembered from hookline's own write names the field by id only).
    c.d.phones?.put('contacts', found, [...phonesOf(found), c.call.phone]);
    if (checked) c.d.phones?.missChecked(true);
    const ref = refOf(found, was?.status === 'sending');
    await journal(c, STEP, { status: 'done', result: ref });
    if (was?.status === 'sending') c.done.push('entity (reconciled)');
    return ref;
  }
  // A company with the number is a known client too: nothing is created for it (not even an incoming lead).
  const company = c.d.companies ? await findCompany(c) : null;
  if (checked) c.d.phones?.missChecked(company !== null);
  if (company) {
    c.d.phones?.put('companies', company, [...phonesOf(company), c.call.phone]);
    const ref = refOf(company, false, 'companies');
    await journal(c, STEP, { status: 'done', result: ref });
    c.done.push('company found');
    return ref;
  }
  // An incoming lead carries its call as an *incoming*-call event (metadata.is_call_event_needed, amoCRM's unsorted
  // API: https://www.amocrm.ru/developers/content/crm_platform/unsorted-api), so an outbound call to a new number
  // would show as incoming: it gets a contact and an outbound call log, as in contact mode.
  return c.d.settings.mode === 'contact' || c.call.direction === 'outbound' ? createContact(c) : createUnsorted(c);
}

/** The numbers in a contact body's field values (the PHONE field is named by id in hookline's body); the call's own number when none. */
function phonesWritten(cfv: unknown, fallback: string): string[] {
  const values = Array.isArray(cfv) ? cfv.flatMap((f: { values?: unknown }) => (Array.isArray(f?.values) ? f.values : [])) : [];
  const phones = values.map((v: { value?: unknown }) => String(v?.value ?? '')).filter((v) => /^[+\d\s().-]+$/.test(v) && v.replace(/\D/g, '').length >= 3);
  return phones.length > 0 ? phones : [fallback];
}

async function createContact(c: Ctx): Promise<EntityRef> {
  const responsible = callUser(c)?.id ?? c.d.users.byExtension(c.call.lastUser)?.id ?? c.d.users.fallback();
  const body: HookData<'process_contact_creation_params'> = { custom_fields_values: phoneValue(c), name: contactName(c), responsible_user_id: responsible, tags: c.d.settings.tags };
  const sent = await write(c, STEP, 'process_contact_creation_params', await hook(c, 'process_contact_creation_params', { call_full: c.cf, ...body }), body, tagsToKommo, (b) => c.d.kommo.addContacts([b], { linkedid: c.linkedid }));
  const ref: EntityRef = { type: 'contacts', id: sent.value.id, name: sent.data.name, responsible_user_id: sent.data.responsible_user_id, is_new: true, leadIds: [] };
  // The client's next call finds it in the index (the phones hookline wrote, whatever a script made of the body).
  c.d.phones?.put('contacts', { id: ref.id, name: ref.name, responsible_user_id: ref.responsible_user_id }, phonesWritten(sent.data.custom_fields_values, c.call.phone));
  await journal(c, STEP, { status: 'done', result: ref });
  c.done.push('contact created');
  return ref;
}

/**
 * The incoming lead's body as Kommo takes it: the tags of its contact and of its lead as `_embedded.tags` (as the
 * official SDK writes them); a top-level `tags` is refused with FieldNotExpected (Krukov/amocrm_api #68, #112).
 */
function unsortedToKommo(b: HookData<'process_unsorted_creation_params'>) {
  return { ...b, _embedded: { ...b._embedded, contacts: b._embedded.contacts.map(tagsToKommo), leads: b._embedded.leads.map(tagsToKommo) } };
}

interface SentUnsorted {
  _embedded?: { contacts?: Array<{ name?: unknown; responsible_user_id?: unknown }> };
}

/**
 * The client's contact once its incoming lead is in Kommo. Kommo may answer 204 when it is read by id (the
 * contacts of an incoming lead not yet accepted "are unavailable in the Lists section",
 * https://developers.kommo.com/reference/incoming-leads): the reference is then made from Kommo's answer and the
 * body sent, never by sending the lead again.
 */
async function unsortedRef(c: Ctx, found: { uid: string; leadId?: number; contactId?: number }, sent: SentUnsorted): Promise<EntityRef> {
  const byId = found.contactId !== undefined ? await c.d.kommo.getContact(found.contactId, { linkedid: c.linkedid }) : null;
  if (byId && !byId.ok) fail(STEP, byId.error);
  const contact = byId?.ok && byId.value ? byId.value : null;
  if (contact) return { ...refOf(contact, true), unsortedUid: found.uid };
  const body = sent._embedded?.contacts?.[0] ?? {};
  return {
    type: 'contacts', id: found.contactId ?? 0, name: typeof body.name === 'string' ? body.name : contactName(c),
    responsible_user_id: typeof body.responsible_user_id === 'number' ? body.responsible_user_id : c.d.users.fallback(),
    is_new: true, leadIds: found.leadId !== undefined ? [found.leadId] : [], unsortedUid: found.uid,
  };
}

/**
 * An incoming lead: source_uid and metadata.uniq carry the linkedid, by which it is found again. It carries
 * the call itself (no call log follows), so the recording link goes in its metadata: the record step runs
 * first here (it is journaled, so the later record step only reads it back).
 */
async function createUnsorted(c: Ctx): Promise<EntityRef> {
  const s = c.d.settings;
  await recordStep(c);
  const startedAt = toUnix(c.call.call_full.channel.start_time, s.timezone) ?? Math.floor(c.d.now() / 1000);
  const source = sourceOf(s);
  const body: HookData<'process_unsorted_creation_params'> = {
    _embedded: {
      contacts: [{ custom_fields_values: phoneValue(c), name: contactName(c), tags: s.tags }],
      leads: [{ name: leadName(c), pipeline_id: c.d.pipeline.pipelineId, tags: s.tags.map((t) => ({ name: t })) }],
    },
    created_at: startedAt,
    metadata: {
      called_at: startedAt, duration: callDuration(c), from: c.call.direction === 'inbound' ? c.call.phone : c.call.call_full.channel.from.number || c.call.phone,
      is_call_event_needed: true, ...(c.cf.record ? { link: c.cf.record } : {}), phone: c.call.phone, service_code: source, uniq: c.linkedid,
    },
    pipeline_id: c.d.pipeline.pipelineId,
    source_name: source,
    source_uid: c.linkedid,
  };
  const input: HookInput<'process_unsorted_creation_params'> = { call_full: c.cf, ...body };
  const was = prior(c, STEP);
  // A send whose answer was lost (a timeout, a crash): Kommo may hold it. A repeated source_uid is added as a
  // duplicate by Kommo (current reference) or refused (older pages), so it is looked up before it is sent again.
  const there = was?.status === 'sending' ? await lookUp(c) : null;
  let ref: EntityRef;
  if (there) {
    ref = await unsortedRef(c, there, (was?.data ?? {}) as SentUnsorted);
    c.done.push('unsorted (reconciled)');
  } else {
    try {
      const sent = await write(c, STEP, 'process_unsorted_creation_params', await hook(c, 'process_unsorted_creation_params', input), body, unsortedToKommo, (b) => c.d.kommo.addUnsortedSip([b], { linkedid: c.linkedid }));
      ref = await unsortedRef(c, sent.value, unsortedToKommo(sent.data));
    } catch (e) {
      // Refused as already there (the older pages' NotUnique on source_uid): it is found in the list.
      if (!(e instanceof StepFailure && e.error.code === 'KOMMO_BAD_REQUEST' && /source_uid/.test(e.error.message))) throw e;
      const again = await lookUp(c);
      if (!again) throw new StepFailure(STEP, { code: 'KOMMO_BAD_RESPONSE', message: 'Kommo refused the incoming lead as already there, but lists none with its source_uid' }, false);
      ref = await unsortedRef(c, again, unsortedToKommo(body));
    }
    c.done.push('unsorted created');
  }
  await journal(c, STEP, { status: 'done', result: ref });
  return ref;
}

async function lookUp(c: Ctx): Promise<{ uid: string; leadId?: number; contactId?: number } | null> {
  const r = await c.d.kommo.findUnsorted(c.linkedid, { linkedid: c.linkedid });
  if (!r.ok) fail(STEP, r.error);
  return r.value;
}
