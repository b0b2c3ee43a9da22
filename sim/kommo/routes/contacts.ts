/**
 * Contacts: list and search, get by id, add, update.
 * https://developers.kommo.com/reference/contacts-list, amoCRM contacts doc ("Добавление контактов",
 * "Редактирование контактов"). Contacts of an incoming lead not yet accepted are hidden from the list.
 */
import { applyFieldValues, checkFieldValues, phonesOf } from '../field-values.ts';
import { links, listPage, one, paging } from '../hal.ts';
import { queryMatches } from '../phone.ts';
import { noContent, ok, type FieldError, type SimReply } from '../problems.ts';
import type { RouteContext, RouteDef, RouteRequest } from '../route.ts';
import type { KommoStore } from '../store.ts';
import type { KommoContact } from '../types.ts';
import { checkAll, field, itemsOf, requestIdOf, type JsonObject } from '../validate.ts';
import { applyTags, checkAudit, checkResponsible, checkTags, entityLink, filterIds, patchHandlers, rangeFilter, withList } from './common.ts';

/** The contact as Kommo returns it on read. */
export function contactView(c: KommoContact, ctx: RouteContext, withLeads: boolean, withCustomers = false): Record<string, unknown> {
  const { tags, ...rest } = c;
  const embedded: Record<string, unknown> = { tags, companies: [] };
  if (withLeads) embedded.leads = ctx.store.leadsOf(c.id).map((l) => ({ id: l.id, _links: entityLink(ctx.base, 'leads', l.id) }));
  if (withCustomers) embedded.customers = ctx.store.customersOf(c.id).map((x) => ({ id: x.id, _links: entityLink(ctx.base, 'customers', x.id) }));
  return { ...rest, _links: entityLink(ctx.base, 'contacts', c.id), _embedded: embedded };
}

function checkContact(store: KommoStore, onUpdate: boolean) {
  return (item: JsonObject, errors: FieldError[]): void => {
    if (onUpdate) {
      const id = field(errors, item, 'id', 'int', 'id', { required: true });
      if (id !== undefined && !(store.contacts.get(id as number)?.is_deleted === false)) errors.push({ code: 'NotFound', path: 'id', detail: 'Entity not found' });
    }
    for (const k of ['name', 'first_name', 'last_name']) field(errors, item, k, 'string', k);
    checkResponsible(errors, item, store);
    checkAudit(errors, item);
    checkTags(errors, item);
    checkFieldValues(errors, item, store.fieldsFor('contacts'), onUpdate);
  };
}

function displayName(item: JsonObject, fallback: string): string {
  if (typeof item.name === 'string') return item.name;
  const parts = [item.first_name, item.last_name].filter((x): x is string => typeof x === 'string' && x !== '');
  return parts.length > 0 ? parts.join(' ') : fallback;
}

function applyContact(c: KommoContact, item: JsonObject, store: KommoStore): void {
  c.name = displayName(item, c.name);
  if (typeof item.first_name === 'string') c.first_name = item.first_name;
  if (typeof item.last_name === 'string') c.last_name = item.last_name;
  if (typeof item.responsible_user_id === 'number') c.responsible_user_id = item.responsible_user_id;
  if (typeof item.created_by === 'number') c.created_by = item.created_by;
  if (typeof item.created_at === 'number') c.created_at = item.created_at;
  c.updated_by = typeof item.updated_by === 'number' ? item.updated_by : store.currentUserId;
  c.updated_at = typeof item.updated_at === 'number' ? item.updated_at : store.now();
  c.custom_fields_values = applyFieldValues(c.custom_fields_values, item.custom_fields_values, store.fieldsFor('contacts'));
  c.tags = applyTags(c.tags, item);
}

/** Creates a contact from a checked write item (also used by incoming leads). */
export function createContact(store: KommoStore, item: JsonObject, hidden: boolean): KommoContact {
  const c = store.newContact({ is_unsorted: hidden });
  applyContact(c, item, store);
  if (typeof item.updated_at !== 'number') c.updated_at = c.created_at;
  return c;
}

function list(req: RouteRequest, ctx: RouteContext): SimReply {
  const p = paging(req.query, ctx.limits.maxPageLimit);
  if ('reply' in p) return p.reply;
  const query = one(req.query, 'query');
  const ids = filterIds(req.query);
  let found = ctx.store.visibleContacts();
  if (ids) found = found.filter((c) => ids.includes(c.id));
  const updated = rangeFilter(req.query, 'updated_at');
  if (updated) found = found.filter((c) => updated(c.updated_at));
  if (query !== undefined) {
    found = found.filter((c) => queryMatches(query, [c.name, c.first_name, c.last_name], phonesOf(c.custom_fields_values),
      (c.custom_fields_values ?? []).filter((v) => v.field_code !== 'PHONE').flatMap((v) => v.values.map((x) => String(x.value)))));
  }
  const desc = one(req.query, 'order[id]') === 'desc' || one(req.query, 'order[updated_at]') === 'desc';
  found.sort((a, b) => (one(req.query, 'order[updated_at]') ? a.updated_at - b.updated_at || a.id - b.id : a.id - b.id) * (desc ? -1 : 1));
  const withLeads = withList(req.query).includes('leads');
  return listPage(found, { view: (c: (typeof found)[number]) => contactView(c, ctx, withLeads), base: ctx.base, path: '/api/v4/contacts', query: req.query, entity: 'contacts', ...p });
}

function get(req: RouteRequest, ctx: RouteContext): SimReply {
  const c = ctx.store.contacts.get(Number(req.params.id));
  // "Контакт с указанным ID не существует" is documented as 204. The contacts of an incoming lead not yet
  // accepted "are unavailable in the Lists section" (https://developers.kommo.com/reference/incoming-leads):
  // read by id they answer 204 too, until the lead is accepted.
  if (!c || c.is_deleted || c.is_unsorted) return noContent();
  return ok(contactView(c, ctx, withList(req.query).includes('leads'), withList(req.query).includes('customers')));
}

function add(req: RouteRequest, ctx: RouteContext): SimReply {
  const got = itemsOf(req.body, ctx.limits.maxEntitiesPerRequest);
  if ('reply' in got) return got.reply;
  const bad = checkAll(got.items, checkContact(ctx.store, false));
  if (bad) return bad;
  const created = (got.items as JsonObject[]).map((item, i) => {
    const c = createContact(ctx.store, item, false);
    return { id: c.id, is_deleted: false, is_unsorted: false, request_id: requestIdOf(item, i), _links: entityLink(ctx.base, 'contacts', c.id) };
  });
  return ok({ _links: links(ctx.base, '/api/v4/contacts'), _embedded: { contacts: created } });
}

function updateOne(store: KommoStore, item: JsonObject, ctx: RouteContext, requestId?: string): Record<string, unknown> {
  const c = store.contacts.get(item.id as number) as KommoContact;
  applyContact(c, item, store);
  return { id: c.id, name: c.name, updated_at: c.updated_at, ...(requestId !== undefined ? { request_id: requestId } : {}), _links: entityLink(ctx.base, 'contacts', c.id) };
}

const { update, updateById } = patchHandlers({
  entity: 'contacts',
  exists: (store, id) => store.contacts.get(id)?.is_deleted === false,
  check: (store) => checkContact(store, true),
  apply: (item, ctx, requestId) => updateOne(ctx.store, item, ctx, requestId),
});

export const contactRoutes: RouteDef[] = [
  { method: 'GET', url: '/api/v4/contacts', auth: 'bearer', handler: list },
  { method: 'GET', url: '/api/v4/contacts/:id', auth: 'bearer', handler: get },
  { method: 'POST', url: '/api/v4/contacts', auth: 'bearer', handler: add },
  { method: 'PATCH', url: '/api/v4/contacts', auth: 'bearer', handler: update },
  { method: 'PATCH', url: '/api/v4/contacts/:id', auth: 'bearer', handler: updateById },
];
