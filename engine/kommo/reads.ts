/**
 * Reads: single entities (204 when the id does not exist: null), lists walked page by page (204 past the
 * end: https://developers.kommo.com/docs/http-codes), and the answers' `_embedded` lists.
 */
import { kommoError, success, type KommoResult } from './errors.ts';
import type { QueryValue } from './http.ts';
import { routeOf, type RequestContext, type Transport } from './transport.ts';

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The biggest page Kommo gives (https://developers.kommo.com/docs/limitations). */
export const PAGE_LIMIT = 250;
/** A guard against a `next` link that never ends. */
const MAX_PAGES = 200;

function badShape<T>(path: string, ctx: RequestContext | undefined, what: string): KommoResult<T> {
  return { ok: false, error: kommoError('KOMMO_BAD_RESPONSE', { route: routeOf('GET', path), linkedid: ctx?.linkedid, status: 200, attempts: 1, summary: what }) };
}

/** An entity that must exist (the account): 204 is a bad answer. */
export async function getRequired<T>(transport: Transport, path: string, ctx?: RequestContext): Promise<KommoResult<T>> {
  const r = await getOne<T>(transport, path, undefined, ctx);
  if (!r.ok) return r;
  return r.value === null ? badShape(path, ctx, 'the answer is empty (204)') : success(r.value);
}

export async function getOne<T>(transport: Transport, path: string, query: Record<string, QueryValue> | undefined, ctx?: RequestContext): Promise<KommoResult<T | null>> {
  const r = await transport.request({ method: 'GET', path, ...(query ? { query } : {}), ...(ctx ? { ctx } : {}) });
  if (!r.ok) return r;
  if (r.value.status === 204 || r.value.body === undefined) return success(null);
  if (!isObj(r.value.body) || typeof r.value.body.id !== 'number') return badShape(path, ctx, 'the entity has no numeric id');
  return success(r.value.body as T);
}

/** Every page of a list; `entity` names the `_embedded` key. */
export async function getAll<T>(transport: Transport, path: string, entity: string, query: Record<string, QueryValue> = {}, ctx?: RequestContext, maxPages = MAX_PAGES, pageLimit = PAGE_LIMIT): Promise<KommoResult<T[]>> {
  const all: T[] = [];
  for (let page = 1; page <= maxPages; page += 1) {
    const r = await transport.request({ method: 'GET', path, query: { ...query, page, limit: pageLimit }, ...(ctx ? { ctx } : {}) });
    if (!r.ok) return r;
    if (r.value.status === 204 || r.value.body === undefined) break;
    const body = r.value.body;
    const list = isObj(body) && isObj(body._embedded) ? body._embedded[entity] : undefined;
    if (!isObj(body) || !Array.isArray(list)) return badShape(path, ctx, `the answer has no _embedded.${entity} list`);
    all.push(...(list as T[]));
    // Follow `_links.next`, not the page's length: a list may give fewer than `limit` a page (custom fields: 50,
    // https://kommo.com/developers/content/api_v4/custom-fields) and still have more.
    const next = isObj(body._links) && isObj(body._links.next);
    if (!next || list.length === 0) break;
  }
  return success(all);
}

/** A list that comes whole (pipelines: at most 50, https://www.amocrm.ru/developers/content/crm_platform/leads_pipelines). */
export async function getList<T>(transport: Transport, path: string, entity: string, ctx?: RequestContext): Promise<KommoResult<T[]>> {
  return getAll<T>(transport, path, entity, {}, ctx, 1);
}
