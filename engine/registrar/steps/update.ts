/**
 * update: with registration.updateResponsible, the user who took the call becomes responsible for an existing
 * contact (process_contact_update_params) and its lead (process_lead_update_params). Returns the entity and
 * lead as they are after it, so a task for "the entity's responsible" goes to the new one and later hooks read
 * it in call_full. A company's responsible user is left as it is (the hook is about contacts).
 */
import type { HookData } from '../../../contracts/index.ts';
import type { DealRef, EntityRef } from '../job.ts';
import { callUser, dealOfCall, journal, prior, hook, write, type Ctx } from './kit.ts';

const STEP = 'update';

/** The responsible users the step set, journaled with it: `contact` / `lead` when that entity was updated. */
interface UpdateResult {
  contact?: number;
  lead?: number;
}

export async function updateStep(c: Ctx, entity: EntityRef, deal: DealRef | null): Promise<{ entity: EntityRef; deal: DealRef | null }> {
  const was = prior(c, STEP);
  if (was?.status === 'done') return applyUpdate(c, entity, deal, (was.result ?? {}) as UpdateResult);
  const user = c.d.settings.updateResponsible ? callUser(c) : null;
  if (!user) return { entity, deal };
  const set: UpdateResult = {};
  const ctx = { linkedid: c.linkedid };
  if (entity.type === 'contacts' && !entity.is_new && entity.responsible_user_id !== user.id) {
    const body: HookData<'process_contact_update_params'> = { id: entity.id, responsible_user_id: user.id };
    const sent = await write(c, STEP, 'process_contact_update_params', await hook(c, 'process_contact_update_params', { call_full: c.cf, ...body }), body, (b) => b, (b) => c.d.kommo.updateContacts([b], ctx));
    // A script may point the update at another contact: only an update of this one changes its responsible.
    if (sent.data.id === entity.id) set.contact = sent.data.responsible_user_id;
    c.done.push('contact updated');
  }
  if (deal && !deal.is_new && deal.responsible_user_id !== user.id) {
    const body: HookData<'process_lead_update_params'> = { id: deal.id, responsible_user_id: user.id };
    const sent = await write(c, STEP, 'process_lead_update_params', await hook(c, 'process_lead_update_params', { call_full: c.cf, ...body }), body, (b) => b, (b) => c.d.kommo.updateLeads([b], ctx));
    if (sent.data.id === deal.id) set.lead = sent.data.responsible_user_id;
    c.done.push('lead updated');
  }
  await journal(c, STEP, { status: 'done', result: set });
  return applyUpdate(c, entity, deal, set);
}

function applyUpdate(c: Ctx, entity: EntityRef, deal: DealRef | null, set: UpdateResult): { entity: EntityRef; deal: DealRef | null } {
  const e = set.contact !== undefined ? { ...entity, responsible_user_id: set.contact } : entity;
  const d = deal && set.lead !== undefined ? { ...deal, responsible_user_id: set.lead } : deal;
  if (c.cf.entity && e !== entity) c.cf.entity = { ...c.cf.entity, responsible_user_id: e.responsible_user_id };
  if (d && d !== deal) c.cf.deal = dealOfCall(d);
  return { entity: e, deal: d };
}
