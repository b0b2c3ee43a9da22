/**
 * Whole lists read page by page, each page handed on as it comes (a list of 100,000 contacts is never held whole):
 * the contacts and companies a copy of the account's phones is built from and kept fresh with
 * (`filter[updated_at][from]`: the filters page, https://www.amocrm.com/developers/content/api_v4/filters_api/), and
 * the events that say which of them were deleted or merged (https://www.amocrm.ru/developers/content/crm_platform/events-and-notes).
 * Pages follow `_links.next`; 204 ends the list (https://developers.kommo.com/docs/http-codes).
 */
import { kommoError, success, type KommoResult } from './errors.ts';
import type { QueryValue } from './http.ts';
import type { KommoContact } from './kommo-types.ts';
import { PAGE_LIMIT } from './reads.ts';
import { routeOf, type RequestContext, type Transport } from './transport.ts';

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The events list's page: at most 100 (amoCRM events page, "Максимум – 100"). */
export const EVENTS_PAGE = 100;
/** A guard against a `next` link that never ends: 2,000 pages of 250 is half a million entities. */
const MAX_PAGES = 2_000;

/** An event as hookline reads it: what happened to which contact or company, when (Unix seconds, Kommo's clock). */
export interface KommoEvent {
  id: string;
  type: string;
  entity_id: number;
  entity_type: string;
  created_at: number;
}

/** Every page of a list, each handed to `onPage` as it comes; answers the number of items read. */
export async function eachPage<T>(transport: Transport, path: string, entity: string, query: Record<string, QueryValue>, onPage: (items: T[]) => void, ctx?: RequestContext, pageLimit = PAGE_LIMIT): Promise<KommoResult<number>> {
  let count = 0;
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const r = await transport.request({ method: 'GET', path, query: { ...query, page, limit: pageLimit }, ...(ctx ? { ctx } : {}) });
    if (!r.ok) return r;
    if (r.value.status === 204 || r.value.body === undefined) break;
    const body = r.value.body;
    const list = isObj(body) && isObj(body._embedded) ? body._embedded[entity] : undefined;
    if (!isObj(body) || !Array.isArray(list)) {
      return { ok: false, error: kommoError('KOMMO_BAD_RESPONSE', { route: routeOf('GET', path), linkedid: ctx?.linkedid, status: 200, attempts: 1, summary: `the answer has no _embedded.${entity} list` }) };
    }
    count += list.length;
    onPage(list as T[]);
    if (!(isObj(body._links) && isObj(body._links.next)) || list.length === 0) break;
  }
  return success(count);
}

/** Contacts or companies, 250 a page, oldest change first; only those changed at or after `updatedFrom` (Unix s) when given. */
export function phoneHolders(transport: Transport, holder: 'contacts' | 'companies', updatedFrom: number | null, onPage: (items: KommoContact[]) => void, ctx?: RequestContext): Promise<KommoResult<number>> {
  const query: Record<string, QueryValue> = { 'order[updated_at]': 'asc' };
  if (updatedFrom !== null) query['filter[updated_at][from]'] = updatedFrom;
  return eachPage<KommoContact>(transport, `/api/v4/${holder}`, holder, query, onPage, ctx);
}

/** Events of these types at or after `from` (Unix s), every page. */
export async function eventsSince(transport: Transport, types: string[], from: number, ctx?: RequestContext): Promise<KommoResult<KommoEvent[]>> {
  const all: KommoEvent[] = [];
  const r = await eachPage<Json>(transport, '/api/v4/events', 'events', { 'filter[type]': types.join(','), 'filter[created_at][from]': from }, (items) => {
    for (const e of items) {
      if (typeof e.entity_id === 'number' && typeof e.type === 'string') {
        all.push({ id: String(e.id ?? ''), type: e.type, entity_id: e.entity_id, entity_type: String(e.entity_type ?? ''), created_at: Number(e.created_at ?? 0) });
      }
    }
  }, ctx, EVENTS_PAGE);
  return r.ok ? success(all) : r;
}
