/**
 * The registration of one finished call, step by step (each in steps/, naming its hook point):
 *   entity  find the client's contact by phone (or a company with it); none → create a contact
 *           (process_contact_creation_params) or an incoming lead (process_unsorted_creation_params), per
 *           registration.mode
 *   lead    registration.createLead and the client has no open lead → process_lead_creation_params
 *   update  registration.updateResponsible: the answering user becomes responsible for an existing contact
 *           (process_contact_update_params) and its lead (process_lead_update_params)
 *   record  the recording link (process_record_file_path, inside the recordings linker)
 *   call    the call log (process_call_params), `uniq` = linkedid
 *   task    a missed inbound or unanswered outbound call, with tasks on (process_task_creation_params)
 *   post    post_registration
 * Each step's state lives in the outbox job (`job.steps[name]`): done steps are skipped on a retry; a step found
 * "sending" after a restart may or may not have reached Kommo, and is reconciled first (the contact searched by
 * phone, the call among the entity's call notes by uniq, the task among its open tasks, the lead among the
 * contact's leads), and sent again only when it is not there. docs/design/registrar.md.
 */
import type { OutboxJob } from '../outbox/index.ts';
import type { CallToRegister, EntityRef } from './job.ts';
import { callStep } from './steps/call.ts';
import { entityStep, findAgain, vanished } from './steps/entity.ts';
import { dealOfCall, entityOfCall, type Ctx, type StepDeps } from './steps/kit.ts';
import { leadStep } from './steps/lead.ts';
import { postStep } from './steps/post.ts';
import { recordStep } from './steps/record.ts';
import { taskStep } from './steps/task.ts';
import { updateStep } from './steps/update.ts';
import { withConversationUsers } from '../stages/index.ts';

/** Runs every step not yet done; returns what the steps did. */
export async function runSteps(job: OutboxJob<CallToRegister>, d: StepDeps): Promise<string[]> {
  const call = job.payload;
  const c: Ctx = { job, d, call, linkedid: job.linkedid, cf: structuredClone(call.call_full), done: [] };
  // call_full.record is the public link (call_full.md), known only after the record step: not the PBX's file path.
  if (call.recording && c.cf.record === call.recording) c.cf.record = '';
  c.cf = withConversationUsers(c.cf, (ext) => d.users.byExtension(ext));

  const entity = await entityStep(c);
  try {
    await fromEntity(c, entity);
  } catch (e) {
    // The contact or company was deleted or merged in Kommo since it was found (the phone index is refreshed
    // every minute, a cached search lives 30 s): it is dropped, the client found again, the steps not done run again.
    if (!vanished(e) || entity.unsortedUid) throw e;
    await fromEntity(c, await findAgain(c, entity));
  }
  return c.done;
}

/** The steps after the entity, each skipped when its journal says done. */
async function fromEntity(c: Ctx, first: EntityRef): Promise<void> {
  let entity = first;
  c.cf.entity = entityOfCall(entity);
  const found = await leadStep(c, entity);
  if (found) c.cf.deal = dealOfCall(found);
  // The later steps (the task's responsible, call_full of the later hooks) read the entity and lead as updated.
  const updated = await updateStep(c, entity, found);
  entity = updated.entity;
  const deal = updated.deal;
  await recordStep(c);
  // The client found again when Kommo no longer has the contact the log was for (steps/call.ts).
  entity = await callStep(c, entity, deal);
  await taskStep(c, entity, deal);
  await postStep(c);
}
