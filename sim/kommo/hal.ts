/**
 * HAL envelopes and paging: `{_page, _links: {self, next}, _embedded: {<entity>: [...]}}`, 204 with no body
 * when the page holds nothing (https://developers.kommo.com/docs/http-codes, amoCRM contacts doc).
 */
import { DEFAULT_PAGE_LIMIT } from './limits.ts';
import { limitExceeded, noContent, ok, type SimReply } from './problems.ts';

export type Query = Record<string, string | string[] | undefined>;

export function links(base: string, path: string): { self: { href: string } } {
  return { self: { href: `${base}${path}` } };
}

export function one(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[0] : v;
}

/** `page` (1-based) and `limit`; a limit above the maximum answers 422 "Limit 250 per page". */
export function paging(q: Query, maxLimit: number): { page: number; limit: number } | { reply: SimReply } {
  const page = Number.parseInt(one(q, 'page') ?? '1', 10);
  const limit = Number.parseInt(one(q, 'limit') ?? String(DEFAULT_PAGE_LIMIT), 10);
  if (Number.isFinite(limit) && limit > maxLimit) return { reply: limitExceeded(maxLimit) };
  return {
    page: Number.isFinite(page) && page >= 1 ? page : 1,
    limit: Number.isFinite(limit) && limit >= 1 ? limit : DEFAULT_PAGE_LIMIT,
  };
}

function href(base: string, path: string, q: Query, page: number, limit: number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (k === 'page' || k === 'limit' || v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
  }
  params.set('page', String(page));
  params.set('limit', String(limit));
  return `${base}${path}?${params.toString().replace(/%5B/g, '[').replace(/%5D/g, ']')}`;
}

export interface ListOptions {
  base: string;
  path: string;
  query: Query;
  entity: string;
  page: number;
  limit: number;
  /** Pipelines, calls and users also carry `_total_items` (users `_page_count` too). */
  withTotal?: boolean;
  withPageCount?: boolean;
  /** Turns each item of the page into its read shape (only the page's items: a list of 100,000 stays cheap). */
  view?: (item: never) => unknown;
}

/** One page of `items` in a HAL envelope, or 204 when the page is empty. */
export function listPage(items: unknown[], o: ListOptions): SimReply {
  const start = (o.page - 1) * o.limit;
  const raw = items.slice(start, start + o.limit);
  const slice = o.view ? raw.map((x) => (o.view as (item: unknown) => unknown)(x)) : raw;
  if (slice.length === 0) return noContent();
  const l: Record<string, { href: string }> = { self: { href: href(o.base, o.path, o.query, o.page, o.limit) } };
  if (start + o.limit < items.length) l.next = { href: href(o.base, o.path, o.query, o.page + 1, o.limit) };
  if (o.page > 1) l.prev = { href: href(o.base, o.path, o.query, o.page - 1, o.limit) };
  return ok({
    ...(o.withTotal ? { _total_items: items.length } : {}),
    _page: o.page,
    ...(o.withPageCount ? { _page_count: Math.ceil(items.length / o.limit) } : {}),
    _links: l,
    _embedded: { [o.entity]: slice },
  });
}
