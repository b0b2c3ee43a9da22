/**
 * Companies: list and search, get by id, add, update. They hold phones in their own `PHONE` field (Kommo keeps
 * custom fields per entity), and calls are attached to them by phone when no contact has it (routes/calls.ts).
 * https://developers.kommo.com/reference/companies-list, amoCRM companies doc ("Добавление компаний",
 * "Редактирование компаний"). Leads link to a company through `company_id` (read as `_embedded.companies`).
 */
import { applyFieldValues, checkFieldValues, phonesOf } from '../field-values.ts';
import { links, listPage, one, paging } from '../hal.ts';
import { queryMatches } from '../phone.ts';
import { noContent, ok, type FieldError, type SimReply } from '../problems.ts';
import type { RouteContext, RouteDef, RouteRequest } from '../route.ts';
import type { KommoStore } from '../store.ts';
import type { KommoCompany } from '../types.ts';
import { checkAll, field, itemsOf, requestIdOf, type JsonObject } from '../validate.ts';
import { applyTags, checkAudit, checkResponsible, checkTags, entityLink, filterIds, patchHandlers, rangeFilter, withList } from './common.ts';

/** The company as Kommo returns it on read. */
export function companyView(c: KommoCompany, ctx: RouteContext, withLeads: boolean): Record<string, unknown> {
  const { tags, ...rest } = c;
  const embedded: Record<string, unknown> = { tags };
  if (withLeads) embedded.leads = ctx.store.leadsOfCompany(c.id).map((l) => ({ id: l.id, _links: entityLink(ctx.base, 'leads', l.id) }));
  return { ...rest, _links: entityLink(ctx.base, 'companies', c.id), _embedded: embedded };
}

function checkCompany(store: KommoStore, onUpdate: boolean) {
  return (item: JsonObject, errors: FieldError[]): void => {
    if (onUpdate) {
      const id = field(errors, item, 'id', 'int', 'id', { required: true });
      if (id !== undefined && !(store.companies.get(id as number)?.is_deleted === false)) errors.push({ code: 'NotFound', path: 'id', detail: 'Entity not found' });
    }
    field(errors, item, 'name', 'string', 'name');
    checkResponsible(errors, item, store);
    checkAudit(errors, item);
    checkTags(errors, item);
    checkFieldValues(errors, item, store.fieldsFor('companies'), onUpdate);
  };
}

function applyCompany(c: KommoCompany, item: JsonObject, store: KommoStore): void {
  if (typeof item.name === 'string') c.name = item.name;
  if (typeof item.responsible_user_id === 'number') c.responsible_user_id = item.responsible_user_id;
  if (typeof item.created_by === 'number') c.created_by = item.created_by;
  if (typeof item.created_at === 'number') c.created_at = item.created_at;
  c.updated_by = typeof item.updated_by === 'number' ? item.updated_by : store.currentUserId;
  c.updated_at = typeof item.updated_at === 'number' ? item.updated_at : store.now();
  c.custom_fields_values = applyFieldValues(c.custom_fields_values, item.custom_fields_values, store.fieldsFor('companies'));
  c.tags = applyTags(c.tags, item);
}

function list(req: RouteRequest, ctx: RouteContext): SimReply {
  const p = paging(req.query, ctx.limits.maxPageLimit);
  if ('reply' in p) return p.reply;
  const query = one(req.query, 'query');
  const ids = filterIds(req.query);
  let found = ctx.store.visibleCompanies();
  if (ids) found = found.filter((c) => ids.includes(c.id));
  const updated = rangeFilter(req.query, 'updated_at');
  if (updated) found = found.filter((c) => updated(c.updated_at));
  if (query !== undefined) {
    found = found.filter((c) => queryMatches(query, [c.name], phonesOf(c.custom_fields_values),
      (c.custom_fields_values ?? []).filter((v) => v.field_code !== 'PHONE').flatMap((v) => v.values.map((x) => String(x.value)))));
  }
  const desc = one(req.query, 'order[id]') === 'desc' || one(req.query, 'order[updated_at]') === 'desc';
  found.sort((a, b) => (one(req.query, 'order[updated_at]') ? a.updated_at - b.updated_at || a.id - b.id : a.id - b.id) * (desc ? -1 : 1));
  const withLeads = withList(req.query).includes('leads');
  return listPage(found, { view: (c: (typeof found)[number]) => companyView(c, ctx, withLeads), base: ctx.base, path: '/api/v4/companies', query: req.query, entity: 'companies', ...p });
}

function get(req: RouteRequest, ctx: RouteContext): SimReply {
  const c = ctx.store.companies.get(Number(req.params.id));
  // As for contacts: an id that does not exist answers 204.
  if (!c || c.is_deleted) return noContent();
  return ok(companyView(c, ctx, withList(req.query).includes('leads')));
}

function add(req: RouteRequest, ctx: RouteContext): SimReply {
  const got = itemsOf(req.body, ctx.limits.maxEntitiesPerRequest);
  if ('reply' in got) return got.reply;
  const bad = checkAll(got.items, checkCompany(ctx.store, false));
  if (bad) return bad;
  const created = (got.items as JsonObject[]).map((item, i) => {
    const c = ctx.store.newCompany({});
    applyCompany(c, item, ctx.store);
    if (typeof item.updated_at !== 'number') c.updated_at = c.created_at;
    return { id: c.id, request_id: requestIdOf(item, i), _links: entityLink(ctx.base, 'companies', c.id) };
  });
  return ok({ _links: links(ctx.base, '/api/v4/companies'), _embedded: { companies: created } });
}

function updateOne(store: KommoStore, item: JsonObject, ctx: RouteContext, requestId?: string): Record<string, unknown> {
  const c = store.companies.get(item.id as number) as KommoCompany;
  applyCompany(c, item, store);
  return { id: c.id, name: c.name, updated_at: c.updated_at, ...(requestId !== undefined ? { request_id: requestId } : {}), _links: entityLink(ctx.base, 'companies', c.id) };
}

const { update, updateById } = patchHandlers({
  entity: 'companies',
  exists: (store, id) => store.companies.get(id)?.is_deleted === false,
  check: (store) => checkCompany(store, true),
  apply: (item, ctx, requestId) => updateOne(ctx.store, item, ctx, requestId),
});

export const companyRoutes: RouteDef[] = [
  { method: 'GET', url: '/api/v4/companies', auth: 'bearer', handler: list },
  { method: 'GET', url: '/api/v4/companies/:id', auth: 'bearer', handler: get },
  { method: 'POST', url: '/api/v4/companies', auth: 'bearer', handler: add },
  { method: 'PATCH', url: '/api/v4/companies', auth: 'bearer', handler: update },
  { method: 'PATCH', url: '/api/v4/companies/:id', auth: 'bearer', handler: updateById },
];
