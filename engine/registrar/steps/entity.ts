/**
 * entity: the client's contact by phone (a company with the number when no contact has it); none → a new
 * contact (process_contact_creation_params) or an incoming lead (process_unsorted_creation_params), per
 * registration.mode. A create that may have reached Kommo is found by the same search that runs first anyway.
 */
import type { HookData, HookInput } from '../../../contracts/index.ts';
import type { KommoCompany, KommoContact } from '../../kommo/index.ts';
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

export async function findContact(c: Ctx): Promise<KommoContact | null> {
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

export async function entityStep(c: Ctx): Promise<EntityRef> {
  const was = prior(c, STEP);
  if (was?.status === 'done') return was.result as EntityRef;
  const found = await findContact(c);
  if (found) {
    const ref = refOf(found, was?.status === 'sending');
    await journal(c, STEP, { status: 'done', result: ref });
    if (was?.status === 'sending') c.done.push('entity (reconciled)');
    return ref;
  }
  // A company with the number is a known client too: nothing is created for it (not even an incoming lead).
  const company = c.d.companies ? await findCompany(c) : null;
  if (company) {
    const ref = refOf(company, false, 'companies');
    await journal(c, STEP, { status: 'done', result: ref });
    c.done.push('company found');
    return ref;
  }
  return c.d.settings.mode === 'contact' ? createContact(c) : createUnsorted(c);
}

async function createContact(c: Ctx): Promise<EntityRef> {
  const responsible = callUser(c)?.id ?? c.d.users.byExtension(c.call.lastUser)?.id ?? c.d.users.fallback();
  const body: HookData<'process_contact_creation_params'> = { custom_fields_values: phoneValue(c), name: contactName(c), responsible_user_id: responsible, tags: c.d.settings.tags };
  const sent = await write(c, STEP, 'process_contact_creation_params', await hook(c, 'process_contact_creation_params', { call_full: c.cf, ...body }), body, tagsToKommo, (b) => c.d.kommo.addContacts([b], { linkedid: c.linkedid }));
  const ref: EntityRef = { type: 'contacts', id: sent.value.id, name: sent.data.name, responsible_user_id: sent.data.responsible_user_id, is_new: true, leadIds: [] };
  await journal(c, STEP, { status: 'done', result: ref });
  c.done.push('contact created');
  return ref;
}

/** The incoming lead's body as Kommo takes it: its contacts' tags as `_embedded.tags`. */
function unsortedToKommo(b: HookData<'process_unsorted_creation_params'>) {
  return { ...b, _embedded: { ...b._embedded, contacts: b._embedded.contacts.map(tagsToKommo) } };
}

/**
 * An incoming lead: source_uid and metadata.uniq carry the linkedid, so Kommo refuses a second one. It carries
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
  let uid = '';
  let contactId: number | undefined;
  try {
    const sent = await write(c, STEP, 'process_unsorted_creation_params', await hook(c, 'process_unsorted_creation_params', input), body, unsortedToKommo, (b) => c.d.kommo.addUnsortedSip([b], { linkedid: c.linkedid }));
    uid = sent.value.uid;
    contactId = sent.value.contactId;
  } catch (e) {
    // Already there (a retry after a crash): Kommo refuses the same source_uid; the contact is found by phone.
    if (!(e instanceof StepFailure && e.error.code === 'KOMMO_BAD_REQUEST' && /source_uid/.test(e.error.message))) throw e;
  }
  const byId = contactId !== undefined ? await c.d.kommo.getContact(contactId, { linkedid: c.linkedid }) : null;
  if (byId && !byId.ok) fail(STEP, byId.error);
  const contact = byId?.ok && byId.value ? byId.value : await findContact(c);
  if (!contact) throw new StepFailure(STEP, { code: 'KOMMO_BAD_RESPONSE', message: 'the incoming lead was added but Kommo shows no contact with its phone yet' }, false);
  const ref: EntityRef = { ...refOf(contact, true), ...(uid ? { unsortedUid: uid } : {}) };
  await journal(c, STEP, { status: 'done', result: ref });
  c.done.push('unsorted created');
  return ref;
}
