/**
 * lead: with registration.createLead (contact mode), the client's open lead, or a new one
 * (process_lead_creation_params). The contact's leads are read first: an open one means no new lead, and
 * after a crash mid-create it finds ours.
 */
import type { HookData } from '../../../contracts/index.ts';
import { isClosedLeadStatus } from '../../kommo/index.ts';
import type { DealRef, EntityRef } from '../job.ts';
import { fail, journal, leadName, prior, hook, write, type Ctx } from './kit.ts';

const STEP = 'lead';

export async function leadStep(c: Ctx, entity: EntityRef): Promise<DealRef | null> {
  const was = prior(c, STEP);
  if (was?.status === 'done' || was?.status === 'skipped') return (was.result as DealRef | undefined) ?? null;
  const s = c.d.settings;
  if (!s.createLead || s.mode !== 'contact') return null;
  const ctx = { linkedid: c.linkedid };
  const holder = entity.type === 'companies' ? await c.d.kommo.getCompany(entity.id, ctx) : await c.d.kommo.getContact(entity.id, ctx);
  if (!holder.ok) fail(STEP, holder.error);
  for (const ref of holder.value?._embedded?.leads ?? []) {
    const lead = await c.d.kommo.getLead(ref.id, ctx);
    if (!lead.ok) fail(STEP, lead.error);
    const l = lead.value;
    if (l && !isClosedLeadStatus(l.status_id)) {
      const deal: DealRef = { id: l.id, name: l.name, pipeline_id: l.pipeline_id, status_id: l.status_id, responsible_user_id: l.responsible_user_id, is_new: was?.status === 'sending' };
      await journal(c, STEP, { status: 'done', result: deal });
      return deal;
    }
  }
  const body: HookData<'process_lead_creation_params'> = {
    _embedded: { [entity.type]: [{ id: entity.id }], tags: s.tags.map((t) => ({ name: t })) },
    name: leadName(c),
    pipeline_id: c.d.pipeline.pipelineId,
    responsible_user_id: entity.responsible_user_id || c.d.users.fallback(),
    status_id: c.d.pipeline.statusId,
  };
  const sent = await write(c, STEP, 'process_lead_creation_params', await hook(c, 'process_lead_creation_params', { call_full: c.cf, ...body }), body, (b) => b, (b) => c.d.kommo.addLeads([b], ctx));
  const d = sent.data;
  const deal: DealRef = { id: sent.value.id, name: d.name, pipeline_id: d.pipeline_id, status_id: d.status_id, responsible_user_id: d.responsible_user_id, is_new: true };
  await journal(c, STEP, { status: 'done', result: deal });
  c.done.push('lead created');
  return deal;
}
