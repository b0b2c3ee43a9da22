/**
 * Tasks: add and list. Required: `text`, `complete_till`; the responsible user defaults to the token's user.
 * https://www.amocrm.com/developers/content/api/tasks/, https://developers.kommo.com/reference/tasks-list
 */
import { links, listPage, one, paging } from '../hal.ts';
import { noContent, ok, type FieldError, type SimReply } from '../problems.ts';
import type { RouteContext, RouteDef, RouteRequest } from '../route.ts';
import type { KommoStore } from '../store.ts';
import type { KommoTask } from '../types.ts';
import { checkAll, field, itemsOf, notExpected, requestIdOf, type JsonObject } from '../validate.ts';
import { checkAudit, checkResponsible, entityLink } from './common.ts';

/**
 * "Tasks have 2 standard types with predefined IDs: 1 – Follow-up, 2 – Meeting" (https://developers.kommo.com/reference/tasks);
 * an account adds its own (`GET /api/v4/account?with=task_types`), and a task may name any of them.
 */
export const TASK_TYPES = [{ id: 1, name: 'Follow-up', code: 'FOLLOW_UP' }, { id: 2, name: 'Meeting', code: 'MEETING' }] as const;

export function taskTypesOf(store: KommoStore): Array<{ id: number; name: string; code: string | null }> {
  return [...TASK_TYPES, ...(store.account.task_types ?? [])];
}
const ENTITY_TYPES = ['leads', 'contacts', 'companies', 'customers'] as const;

function entityExists(store: KommoStore, type: unknown, id: unknown): boolean {
  // A deleted entity (in Kommo's trash, or merged into another) takes no task.
  if (type === 'leads') return store.leads.get(id as number)?.is_deleted === false;
  if (type === 'contacts') return store.contacts.get(id as number)?.is_deleted === false;
  if (type === 'companies') return store.companies.get(id as number)?.is_deleted === false;
  return true;
}

/** The fields of a task (https://developers.kommo.com/reference/tasks, https://www.amocrm.com/developers/content/api/tasks/); any other is FieldNotExpected. */
const TASK_FIELDS = [
  'text', 'complete_till', 'responsible_user_id', 'entity_id', 'entity_type', 'is_completed', 'task_type_id', 'duration', 'result',
  'created_by', 'updated_by', 'created_at', 'updated_at', 'request_id',
];

function checkTask(store: KommoStore) {
  return (item: JsonObject, errors: FieldError[]): void => {
    notExpected(errors, item, TASK_FIELDS);
    field(errors, item, 'text', 'string', 'text', { required: true });
    field(errors, item, 'complete_till', 'int', 'complete_till', { required: true });
    checkResponsible(errors, item, store);
    const type = field(errors, item, 'entity_type', 'string', 'entity_type', { choices: ENTITY_TYPES });
    const id = field(errors, item, 'entity_id', 'int', 'entity_id');
    if (id !== undefined && type === undefined && !('entity_type' in item)) errors.push({ code: 'NotBlank', path: 'entity_type', detail: 'This value should not be blank.' });
    if (id !== undefined && type !== undefined && !entityExists(store, type, id)) errors.push({ code: 'NotSupportedChoice', path: 'entity_id', detail: 'The value you selected is not a valid choice.' });
    field(errors, item, 'is_completed', 'bool', 'is_completed');
    field(errors, item, 'task_type_id', 'int', 'task_type_id', { choices: taskTypesOf(store).map((t) => t.id) });
    field(errors, item, 'duration', 'int', 'duration');
    field(errors, item, 'result', 'object', 'result');
    checkAudit(errors, item);
  };
}

function create(store: KommoStore, item: JsonObject): KommoTask {
  const now = store.now();
  const t: KommoTask = {
    id: store.nextId('task'), text: item.text as string, complete_till: item.complete_till as number,
    responsible_user_id: typeof item.responsible_user_id === 'number' ? item.responsible_user_id : store.currentUserId,
    entity_id: typeof item.entity_id === 'number' ? item.entity_id : null,
    entity_type: typeof item.entity_type === 'string' ? (item.entity_type as KommoTask['entity_type']) : null,
    is_completed: item.is_completed === true, task_type_id: typeof item.task_type_id === 'number' ? item.task_type_id : 1,
    duration: typeof item.duration === 'number' ? item.duration : 0, result: (item.result as KommoTask['result']) ?? null, group_id: 0,
    created_by: typeof item.created_by === 'number' ? item.created_by : store.currentUserId,
    updated_by: typeof item.updated_by === 'number' ? item.updated_by : store.currentUserId,
    created_at: typeof item.created_at === 'number' ? item.created_at : now,
    updated_at: typeof item.updated_at === 'number' ? item.updated_at : now,
    account_id: store.account.id,
  };
  store.addTask(t);
  return t;
}

function add(req: RouteRequest, ctx: RouteContext): SimReply {
  const got = itemsOf(req.body, ctx.limits.maxEntitiesPerRequest);
  if ('reply' in got) return got.reply;
  const bad = checkAll(got.items, checkTask(ctx.store));
  if (bad) return bad;
  const created = (got.items as JsonObject[]).map((item, i) => {
    const t = create(ctx.store, item);
    return { id: t.id, request_id: requestIdOf(item, i), _links: entityLink(ctx.base, 'tasks', t.id) };
  });
  return ok({ _links: links(ctx.base, '/api/v4/tasks'), _embedded: { tasks: created } });
}

function list(req: RouteRequest, ctx: RouteContext): SimReply {
  const p = paging(req.query, ctx.limits.maxPageLimit);
  if ('reply' in p) return p.reply;
  const q = req.query;
  const entityIds = Object.entries(q).filter(([k]) => k.startsWith('filter[entity_id]')).flatMap(([, v]) => (Array.isArray(v) ? v : [v])).map(Number);
  const type = one(q, 'filter[entity_type]');
  const done = one(q, 'filter[is_completed]');
  const user = one(q, 'filter[responsible_user_id]');
  const found = [...ctx.store.tasks.values()].filter((t) =>
    (type === undefined || t.entity_type === type)
    && (entityIds.length === 0 || (t.entity_id !== null && entityIds.includes(t.entity_id)))
    && (done === undefined || t.is_completed === (done === '1' || done === 'true'))
    && (user === undefined || String(t.responsible_user_id) === user));
  const view = found.map((t) => ({ ...t, _links: entityLink(ctx.base, 'tasks', t.id) }));
  return listPage(view, { base: ctx.base, path: '/api/v4/tasks', query: q, entity: 'tasks', ...p });
}

function get(req: RouteRequest, ctx: RouteContext): SimReply {
  const t = ctx.store.tasks.get(Number(req.params.id));
  return t ? ok({ ...t, _links: entityLink(ctx.base, 'tasks', t.id) }) : noContent();
}

export const taskRoutes: RouteDef[] = [
  { method: 'POST', url: '/api/v4/tasks', auth: 'bearer', handler: add },
  { method: 'GET', url: '/api/v4/tasks', auth: 'bearer', handler: list },
  { method: 'GET', url: '/api/v4/tasks/:id', auth: 'bearer', handler: get },
];
