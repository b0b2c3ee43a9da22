/**
 * task: a missed inbound or unanswered outbound call, with tasks on → process_task_creation_params. Nothing is
 * read before the send (issue 20: the read of the entity's open tasks cost 0.3 requests a call in a burst with 30%
 * missed). Only when the answer to a send was lost (a timeout, a reset, a 5xx, a crash: the step is found
 * "sending") are the entity's open tasks read, and ours is the one with the text and deadline sent, created since
 * the send. An earlier call's task could only pass for ours if it had the same text (the client's name and number)
 * and the same deadline (the call's end to the second plus the configured minutes): the same client's calls run one
 * after the other, so two of them would have to end in the same second.
 */
import type { HookData } from '../../../contracts/index.ts';
import type { DealRef, EntityRef } from '../job.ts';
import { toUnix } from '../time.ts';
import { answered, fail, journal, prior, hook, write, type Ctx } from './kit.ts';

const STEP = 'task';
/** Kept with a task's 'sending' record by hookline before issue 20 (never sent): the ids of the entity's open tasks before the send. */
const BEFORE = '__openBefore';
/** Kommo's clock and hookline's may differ: a task created this long before the send was journaled still counts as after it. */
const CLOCK_SKEW_S = 300;

interface SentTask {
  text?: string;
  complete_till?: number;
  [BEFORE]?: number[];
}

export async function taskStep(c: Ctx, entity: EntityRef, deal: DealRef | null): Promise<void> {
  const was = prior(c, STEP);
  if (was?.status === 'done') return;
  const t = c.d.settings.tasks;
  // A new incoming lead is itself the to-do in Kommo's Incoming leads column; no task is attached to it.
  if (!t.enabled || answered(c) || entity.unsortedUid) return;
  const ctx = { linkedid: c.linkedid };
  const target: [EntityRef['type'] | 'leads', number] = deal ? ['leads', deal.id] : [entity.type, entity.id];
  if (was?.status === 'sending') {
    // The answer to the send was lost: ours is an open task like the one sent, made since (the client's calls go
    // one at a time, so no other call of this client wrote one in between). A record from before issue 20 carries
    // the ids of the tasks that were open before the send.
    const sent = (was.data ?? {}) as SentTask;
    const before = sent[BEFORE] ? new Set(sent[BEFORE]) : null;
    const since = Math.floor(was.at / 1000) - CLOCK_SKEW_S;
    const open = await c.d.kommo.openTasks(target[0], target[1], ctx);
    if (!open.ok) fail(STEP, open.error);
    const ours = (x: (typeof open.value)[number]) => x.text === sent.text && x.complete_till === sent.complete_till
      && (before ? !before.has(x.id) : typeof x.created_at !== 'number' || x.created_at >= since);
    if (open.value.some(ours)) {
      await journal(c, STEP, { status: 'done', result: { reconciled: true } });
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
  const body: HookData<'process_task_creation_params'> = {
    complete_till: endedAt + t.deadlineMinutes * 60,
    created_by: 0,
    entity_id: target[1],
    entity_type: target[0],
    is_completed: false,
    responsible_user_id: responsible,
    task_type: c.d.taskTypeId,
    text: `Call back ${entity.name} on a missed call from ${c.call.phone}`,
  };
  const toKommo = ({ task_type, ...rest }: HookData<'process_task_creation_params'>) => ({ ...rest, task_type_id: task_type });
  await write(c, STEP, 'process_task_creation_params', await hook(c, 'process_task_creation_params', { call_full: c.cf, ...body }), body, toKommo, (b) => c.d.kommo.addTasks([b], ctx));
  await journal(c, STEP, { status: 'done' });
  c.done.push('task');
}
