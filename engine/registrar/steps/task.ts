/**
 * task: a missed inbound or unanswered outbound call, with tasks on → process_task_creation_params. The
 * entity's open tasks are read before the send and kept with the "sending" record, so a reconciliation after
 * an ambiguous answer tells ours from an earlier call's with the same text and deadline (one GET per task).
 */
import type { HookData } from '../../../contracts/index.ts';
import type { DealRef, EntityRef } from '../job.ts';
import { toUnix } from '../time.ts';
import { answered, fail, journal, prior, hook, write, type Ctx } from './kit.ts';

const STEP = 'task';
/** Kept with a task's 'sending' record (never sent): the ids of the entity's open tasks before the send. */
const BEFORE = '__openBefore';

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
    // Ours is an open task like the one sent that was not there before it was sent (the client's calls go one
    // at a time, so no other call of this client wrote one in between).
    const sent = (was.data ?? {}) as SentTask;
    const before = new Set(sent[BEFORE] ?? []);
    const open = await c.d.kommo.openTasks(target[0], target[1], ctx);
    if (!open.ok) fail(STEP, open.error);
    if (open.value.some((x) => !before.has(x.id) && x.text === sent.text && x.complete_till === sent.complete_till)) {
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
  const existing = await c.d.kommo.openTasks(target[0], target[1], ctx);
  if (!existing.ok) fail(STEP, existing.error);
  const before = { [BEFORE]: existing.value.map((x) => x.id) };
  await write(c, STEP, 'process_task_creation_params', await hook(c, 'process_task_creation_params', { call_full: c.cf, ...body }), body, toKommo, (b) => c.d.kommo.addTasks([b], ctx), before);
  await journal(c, STEP, { status: 'done' });
  c.done.push('task');
}
