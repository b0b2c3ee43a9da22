/**
 * The events list: `GET /api/v4/events` (https://www.amocrm.ru/developers/content/crm_platform/events-and-notes):
 * `filter[type]` (one type, a comma-separated list, or `filter[type][]`), `filter[entity]` (`contact`, `company`),
 * `filter[entity_id]`, `filter[created_at]` (a timestamp, or `[from]`/`[to]`), `page`, `limit` at most 100
 * (EVENTS_PAGE_LIMIT); newest first; 204 when nothing matches. The emulator records the deletions, restorations
 * and merges of contacts and companies (manager.ts); Kommo records many more types.
 */
import { listPage, paging } from '../hal.ts';
import { EVENTS_PAGE_LIMIT } from '../limits.ts';
import type { SimReply } from '../problems.ts';
import type { RouteContext, RouteDef, RouteRequest } from '../route.ts';
import type { KommoEvent } from '../types.ts';
import { entityLink, rangeFilter } from './common.ts';

/** The values of `filter[<name>]`, `filter[<name>][]`, `filter[<name>][0]`, comma-separated or repeated. */
function listFilter(q: Record<string, unknown>, name: string): string[] | null {
  const raw: unknown[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (k === `filter[${name}]` || k.startsWith(`filter[${name}][`)) raw.push(...(Array.isArray(v) ? v : [v]));
  }
  return raw.length === 0 ? null : raw.flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter((x) => x !== '');
}

function eventView(e: KommoEvent, ctx: RouteContext): Record<string, unknown> {
  const kind = e.entity_type === 'contact' ? 'contacts' : 'companies';
  return { ...e, _links: { self: { href: `${ctx.base}/api/v4/events/${e.id}` } }, _embedded: { entity: { id: e.entity_id, _links: entityLink(ctx.base, kind, e.entity_id) } } };
}

function list(req: RouteRequest, ctx: RouteContext): SimReply {
  const p = paging(req.query, EVENTS_PAGE_LIMIT);
  if ('reply' in p) return p.reply;
  const types = listFilter(req.query, 'type');
  const entities = listFilter(req.query, 'entity');
  const ids = listFilter(req.query, 'entity_id')?.map(Number) ?? null;
  const created = rangeFilter(req.query, 'created_at');
  const found = ctx.store.events
    .filter((e) => (!types || types.includes(e.type)) && (!entities || entities.includes(e.entity_type)) && (!ids || ids.includes(e.entity_id)) && (!created || created(e.created_at)))
    .reverse();
  return listPage(found, { view: (e: KommoEvent) => eventView(e, ctx), base: ctx.base, path: '/api/v4/events', query: req.query, entity: 'events', ...p });
}

export const eventRoutes: RouteDef[] = [{ method: 'GET', url: '/api/v4/events', auth: 'bearer', handler: list }];
