/**
 * Leads: list, get by id, add, update. https://kommo.com/developers/content/api_v4/leads-api and withone
 * "Add Leads". A missing status goes to the first stage of the (main) pipeline; 142/143 close the lead.
 */
import { applyFieldValues, checkFieldValues } from '../field-values.ts';
import { links, listPage, one, paging } from '../hal.ts';
import { noContent, ok, type FieldError, type SimReply } from '../problems.ts';
import type { RouteContext, RouteDef, RouteRequest } from '../route.ts';
import { STATUS_LOST, STATUS_WON } from '../seeds.ts';
import type { KommoStore } from '../store.ts';
import type { KommoLead } from '../types.ts';
import { checkAll, field, isObject, itemsOf, requestIdOf, type JsonObject } from '../validate.ts';
import { applyTags, checkAudit, checkResponsible, checkTags, entityLink, filterIds, patchHandlers, withList } from './common.ts';

export function leadView(l: KommoLead, ctx: RouteContext, withContacts: boolean): Record<string, unknown> {
  const { tags, contact_ids: contactIds, company_id: companyId, ...rest } = l;
  const companies = companyId !== undefined ? [{ id: companyId, _links: entityLink(ctx.base, 'companies', companyId) }] : [];
  const embedded: Record<string, unknown> = { tags, companies };
  if (withContacts) embedded.contacts = contactIds.map((id, i) => ({ id, is_main: i === 0, _links: entityLink(ctx.base, 'contacts', id) }));
  return { ...rest, labor_cost: null, _links: entityLink(ctx.base, 'leads', l.id), _embedded: embedded };
}

/** Where a lead goes: the pipeline and status it names, or the defaults; null when they do not fit. */
function placement(store: KommoStore, item: JsonObject, current?: KommoLead): { pipeline_id: number; status_id: number } | null {
  const pipelineId = typeof item.pipeline_id === 'number' ? item.pipeline_id : undefined;
  const statusId = typeof item.status_id === 'number' ? item.status_id : undefined;
  if (pipelineId === undefined && statusId === undefined) {
    if (current) return { pipeline_id: current.pipeline_id, status_id: current.status_id };
    const main = store.mainPipeline();
    const first = main && store.firstStage(main);
    return main && first ? { pipeline_id: main.id, status_id: first.id } : null;
  }
  if (statusId === undefined) {
    const p = store.pipeline(pipelineId as number);
    const first = p && store.firstStage(p);
    return p && first ? { pipeline_id: p.id, status_id: first.id } : null;
  }
  const inPipe = pipelineId ?? (statusId === STATUS_WON || statusId === STATUS_LOST ? (current?.pipeline_id ?? store.mainPipeline()?.id) : undefined);
  const s = store.status(statusId, inPipe);
  return s ? { pipeline_id: s.pipeline_id, status_id: s.id } : null;
}

function checkLead(store: KommoStore, onUpdate: boolean) {
  return (item: JsonObject, errors: FieldError[]): void => {
    let current: KommoLead | undefined;
    if (onUpdate) {
      const id = field(errors, item, 'id', 'int', 'id', { required: true });
      current = id === undefined ? undefined : store.leads.get(id as number);
      if (id !== undefined && !current) errors.push({ code: 'NotFound', path: 'id', detail: 'Entity not found' });
    }
    field(errors, item, 'name', 'string', 'name');
    for (const k of ['price', 'closed_at', 'loss_reason_id']) field(errors, item, k, 'int', k);
    const pipe = field(errors, item, 'pipeline_id', 'int', 'pipeline_id', { choices: store.pipelines.map((p) => p.id) });
    const status = field(errors, item, 'status_id', 'int', 'status_id');
    if ((pipe !== undefined || status !== undefined) && !placement(store, item, current)) {
      errors.push({ code: 'NotSupportedChoice', path: 'status_id', detail: 'The value you selected is not a valid choice.' });
    }
    checkResponsible(errors, item, store);
    checkAudit(errors, item);
    checkTags(errors, item);
    checkFieldValues(errors, item, store.fieldsFor('leads'), onUpdate);
    const emb = isObject(item._embedded) ? item._embedded : {};
    const contacts = field(errors, emb, 'contacts', 'array', '_embedded.contacts');
    if (Array.isArray(contacts)) {
      contacts.forEach((c, i) => {
        const id = isObject(c) ? field(errors, c, 'id', 'int', `_embedded.contacts.${i}.id`, { required: true }) : undefined;
        if (id !== undefined && !store.contacts.get(id as number)) errors.push({ code: 'NotSupportedChoice', path: `_embedded.contacts.${i}.id`, detail: 'The value you selected is not a valid choice.' });
      });
    }
    // A lead belongs to at most one company (Kommo's complex-lead doc: 1 contact and 1 company per lead).
    const companies = field(errors, emb, 'companies', 'array', '_embedded.companies');
    if (Array.isArray(companies)) {
      if (companies.length > 1) errors.push({ code: 'NotSupportedChoice', path: '_embedded.companies', detail: 'A lead can be linked to one company.' });
      companies.forEach((c, i) => {
        const id = isObject(c) ? field(errors, c, 'id', 'int', `_embedded.companies.${i}.id`, { required: true }) : undefined;
        if (id !== undefined && !store.companies.get(id as number)) errors.push({ code: 'NotSupportedChoice', path: `_embedded.companies.${i}.id`, detail: 'The value you selected is not a valid choice.' });
      });
    }
  };
}

function applyLead(l: KommoLead, item: JsonObject, store: KommoStore): void {
  const place = placement(store, item, l);
  if (place) {
    const closing = (place.status_id === STATUS_WON || place.status_id === STATUS_LOST) && l.status_id !== place.status_id;
    l.pipeline_id = place.pipeline_id;
    l.status_id = place.status_id;
    if (closing) l.closed_at = store.now();
  }
  if (typeof item.name === 'string') l.name = item.name;
  if (typeof item.price === 'number') l.price = item.price;
  if (typeof item.closed_at === 'number') l.closed_at = item.closed_at;
  if (typeof item.loss_reason_id === 'number') l.loss_reason_id = item.loss_reason_id;
  if (typeof item.responsible_user_id === 'number') l.responsible_user_id = item.responsible_user_id;
  if (typeof item.created_by === 'number') l.created_by = item.created_by;
  if (typeof item.created_at === 'number') l.created_at = item.created_at;
  l.updated_by = typeof item.updated_by === 'number' ? item.updated_by : store.currentUserId;
  l.updated_at = typeof item.updated_at === 'number' ? item.updated_at : store.now();
  l.custom_fields_values = applyFieldValues(l.custom_fields_values, item.custom_fields_values, store.fieldsFor('leads'));
  l.tags = applyTags(l.tags, item);
  const emb = isObject(item._embedded) ? item._embedded : {};
  if (Array.isArray(emb.contacts)) {
    for (const c of emb.contacts as JsonObject[]) if (!l.contact_ids.includes(c.id as number)) l.contact_ids.push(c.id as number);
  }
  const company = Array.isArray(emb.companies) ? (emb.companies[0] as JsonObject | undefined) : undefined;
  if (company && typeof company.id === 'number') l.company_id = company.id;
}

/** Creates a lead from a checked write item at a given place (also used by incoming leads). */
export function createLead(store: KommoStore, item: JsonObject, place?: { pipeline_id: number; status_id: number }): KommoLead {
  const at = place ?? placement(store, item);
  if (!at) throw new Error('sim/kommo: the account has no pipeline to put a lead in');
  const l = store.newLead(at);
  applyLead(l, { ...item, pipeline_id: at.pipeline_id, status_id: at.status_id }, store);
  if (typeof item.updated_at !== 'number') l.updated_at = l.created_at;
  if (!item.name) l.name = l.name || `Lead #${l.id}`;
  return l;
}

function list(req: RouteRequest, ctx: RouteContext): SimReply {
  const p = paging(req.query, ctx.limits.maxPageLimit);
  if ('reply' in p) return p.reply;
  const ids = filterIds(req.query);
  const query = one(req.query, 'query')?.toLowerCase();
  let found = [...ctx.store.leads.values()].filter((l) => !l.is_deleted);
  if (ids) found = found.filter((l) => ids.includes(l.id));
  if (query) found = found.filter((l) => l.name.toLowerCase().includes(query));
  const withContacts = withList(req.query).includes('contacts');
  return listPage(found.map((l) => leadView(l, ctx, withContacts)), { base: ctx.base, path: '/api/v4/leads', query: req.query, entity: 'leads', ...p });
}

function get(req: RouteRequest, ctx: RouteContext): SimReply {
  const l = ctx.store.leads.get(Number(req.params.id));
  if (!l || l.is_deleted) return noContent();
  return ok(leadView(l, ctx, withList(req.query).includes('contacts')));
}

function add(req: RouteRequest, ctx: RouteContext): SimReply {
  const got = itemsOf(req.body, ctx.limits.maxEntitiesPerRequest);
  if ('reply' in got) return got.reply;
  const bad = checkAll(got.items, checkLead(ctx.store, false));
  if (bad) return bad;
  const created = (got.items as JsonObject[]).map((item, i) => {
    const l = createLead(ctx.store, item);
    return { id: l.id, request_id: requestIdOf(item, i), _links: entityLink(ctx.base, 'leads', l.id) };
  });
  return ok({ _links: links(ctx.base, '/api/v4/leads'), _embedded: { leads: created } });
}

function updateOne(item: JsonObject, ctx: RouteContext, requestId?: string): Record<string, unknown> {
  const l = ctx.store.leads.get(item.id as number) as KommoLead;
  applyLead(l, item, ctx.store);
  return { id: l.id, updated_at: l.updated_at, ...(requestId !== undefined ? { request_id: requestId } : {}), _links: entityLink(ctx.base, 'leads', l.id) };
}

const { update, updateById } = patchHandlers({
  entity: 'leads',
  exists: (store, id) => store.leads.get(id) !== undefined,
  check: (store) => checkLead(store, true),
  apply: updateOne,
});

export const leadRoutes: RouteDef[] = [
  { method: 'GET', url: '/api/v4/leads', auth: 'bearer', handler: list },
  { method: 'GET', url: '/api/v4/leads/:id', auth: 'bearer', handler: get },
  { method: 'POST', url: '/api/v4/leads', auth: 'bearer', handler: add },
  { method: 'PATCH', url: '/api/v4/leads', auth: 'bearer', handler: update },
  { method: 'PATCH', url: '/api/v4/leads/:id', auth: 'bearer', handler: updateById },
];
