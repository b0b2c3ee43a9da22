/**
 * call: the call log (process_call_params), `uniq` = linkedid, so a log whose answer was lost is found again
 * among the entity's (and its leads') call notes before anything is sent twice. A new incoming lead carries
 * the call itself, so no log is written for it.
 */
import { RESULT_TO_KOMMO, type HookData } from '../../../contracts/index.ts';
import type { DealRef, EntityRef } from '../job.ts';
import { sourceOf } from '../settings.ts';
import { toUnix } from '../time.ts';
import { StepFailure } from '../errors.ts';
import { findAgain } from './entity.ts';
import { callUser, entityOfCall, fail, hook, journal, prior, write, type Ctx } from './kit.ts';
import { callDuration } from './record.ts';

const STEP = 'call';
const UNKNOWN = { call_status: 8, call_result: 'Unknown' };

/**
 * The call log. When Kommo has no contact with the phone although one was found (or made) for this call
 * (deleted or merged in Kommo since, or a cached answer outlived it), the client is found or created again,
 * once, and the log sent again. Returns the entity the log went to.
 */
export async function callStep(c: Ctx, entity: EntityRef, deal: DealRef | null): Promise<EntityRef> {
  try {
    await writeCallLog(c, entity, deal);
    return entity;
  } catch (e) {
    if (!(e instanceof StepFailure && e.error.code === 'KOMMO_ENTITY_NOT_FOUND') || entity.unsortedUid) throw e;
    const again = await findAgain(c, entity);
    c.cf.entity = entityOfCall(again);
    await writeCallLog(c, again, deal);
    return again;
  }
}

async function writeCallLog(c: Ctx, entity: EntityRef, deal: DealRef | null): Promise<void> {
  const was = prior(c, STEP);
  if (was?.status === 'done' || was?.status === 'skipped') return;
  if (entity.unsortedUid) {
    // Kommo matches no call log to an incoming lead's contact until the lead is accepted, and a second log
    // would repeat the call its metadata already carries (is_call_event_needed).
    await journal(c, STEP, { status: 'skipped', result: { reason: 'the incoming lead carries the call' } });
    return;
  }
  if (was?.status === 'sending' && (await callIsThere(c, entity, deal))) {
    await journal(c, STEP, { status: 'done', result: { reconciled: true } });
    c.done.push('call log (reconciled)');
    return;
  }
  const s = c.d.settings;
  const outcome = RESULT_TO_KOMMO[c.call.call_full.result] ?? RESULT_TO_KOMMO[0] ?? UNKNOWN;
  const user = callUser(c);
  const body: HookData<'process_call_params'> = {
    call_result: outcome.call_result,
    call_status: outcome.call_status,
    created_at: toUnix(c.call.call_full.channel.start_time, s.timezone) ?? Math.floor(c.d.now() / 1000),
    created_by: user?.id ?? 0,
    direction: c.call.direction,
    duration: callDuration(c),
    ...(c.cf.record ? { link: c.cf.record } : {}),
    phone: c.call.phone,
    responsible_user_id: user?.id ?? (deal?.responsible_user_id || entity.responsible_user_id || c.d.users.fallback()),
    source: sourceOf(s),
  };
  // `uniq` (how the log is found again) and `call_responsible` (the user Kommo shows on the call: who took an inbound
  // call, who made an outbound one; the official SDK sends it, CallModel::toApi) are added unless the script set them.
  const withUniq = (b: HookData<'process_call_params'>) => ({ uniq: c.linkedid, ...(user ? { call_responsible: user.id } : {}), ...b });
  await write(c, STEP, 'process_call_params', await hook(c, 'process_call_params', { call_full: c.cf, ...body }), body, withUniq, (b) => c.d.kommo.addCalls([b], { linkedid: c.linkedid }));
  await journal(c, STEP, { status: 'done' });
  c.done.push('call log');
}

/**
 * Kommo attaches a call to the contact, to its only open lead, or to its only customer when it has no open lead
 * (https://kommo.com/developers/content/api_v4/adding-calls): our log is looked for in each place.
 */
async function callIsThere(c: Ctx, entity: EntityRef, deal: DealRef | null): Promise<boolean> {
  const places: [EntityRef['type'] | 'leads' | 'customers', number][] = [[entity.type, entity.id], ...(deal ? [['leads', deal.id] as ['leads', number]] : [])];
  // An entity from the phone index comes without its leads: they are read here, on this rare path only.
  let leadIds = entity.leadIds;
  if (entity.indexed) {
    const held = entity.type === 'companies' ? await c.d.kommo.getCompany(entity.id, { linkedid: c.linkedid }) : await c.d.kommo.getContact(entity.id, { linkedid: c.linkedid });
    if (!held.ok) fail(STEP, held.error);
    leadIds = (held.value?._embedded?.leads ?? []).map((l) => l.id);
  }
  for (const id of leadIds) if (!deal || id !== deal.id) places.push(['leads', id]);
  if (entity.type === 'contacts') {
    const customers = await c.d.kommo.customersOf(entity.id, { linkedid: c.linkedid });
    if (!customers.ok) fail(STEP, customers.error);
    for (const id of customers.value) places.push(['customers', id]);
  }
  for (const [type, id] of places) {
    const r = await c.d.kommo.callNotes(type, id, { linkedid: c.linkedid });
    if (!r.ok) fail(STEP, r.error);
    if (r.value.some((n) => n.params?.uniq === c.linkedid)) return true;
  }
  return false;
}
