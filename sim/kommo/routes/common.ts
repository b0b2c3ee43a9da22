/**
 * Field checks, read shapes and the PATCH handlers shared by the contact, company and lead routes.
 */
import { links } from '../hal.ts';
import { ok, problem, type FieldError, type SimReply } from '../problems.ts';
import type { RouteContext, RouteRequest } from '../route.ts';
import type { KommoStore } from '../store.ts';
import { checkAll, field, isObject, itemsOf, objectOf, requestIdOf, type JsonObject } from '../validate.ts';

/** The audit fields every writable entity takes (`created_by`, `updated_at`, …): ints, never null. */
export function checkAudit(errors: FieldError[], item: JsonObject): void {
  for (const k of ['created_by', 'updated_by', 'created_at', 'updated_at']) field(errors, item, k, 'int', k);
}

/** `responsible_user_id` must be a user of the account. */
export function checkResponsible(errors: FieldError[], item: JsonObject, store: KommoStore, key = 'responsible_user_id'): void {
  field(errors, item, key, 'int', key, { choices: store.users.map((u) => u.id) });
}

/** `tags_to_add` and `_embedded.tags`: arrays of `{id}` or `{name}`. */
export function checkTags(errors: FieldError[], item: JsonObject): void {
  field(errors, item, 'tags_to_add', 'array', 'tags_to_add');
  field(errors, item, 'tags_to_delete', 'array', 'tags_to_delete');
  const emb = field(errors, item, '_embedded', 'object', '_embedded');
  if (isObject(emb)) field(errors, emb, 'tags', 'array', '_embedded.tags');
}

let tagSeq = 900_000;

/** The tags after a write: `_embedded.tags` replaces, `tags_to_add` adds, `tags_to_delete` removes. */
export function applyTags(current: Array<{ id: number; name: string }>, item: JsonObject): Array<{ id: number; name: string }> {
  const toTag = (t: unknown) => {
    const o = isObject(t) ? t : {};
    const name = typeof o.name === 'string' ? o.name : '';
    const id = typeof o.id === 'number' ? o.id : (tagSeq += 1);
    return { id, name };
  };
  let out = isObject(item._embedded) && Array.isArray(item._embedded.tags) ? item._embedded.tags.map(toTag) : [...current];
  if (Array.isArray(item.tags_to_add)) out = [...out, ...item.tags_to_add.map(toTag).filter((t) => !out.some((o) => o.name === t.name && t.name !== ''))];
  if (Array.isArray(item.tags_to_delete)) {
    const del = item.tags_to_delete.filter(isObject);
    out = out.filter((t) => !del.some((d) => d.id === t.id || d.name === t.name));
  }
  return out;
}

/** `with=leads,contacts` as a list. */
export function withList(q: Record<string, unknown>): string[] {
  const w = q.with;
  return typeof w === 'string' ? w.split(',').map((s) => s.trim()) : [];
}

export function entityLink(base: string, kind: string, id: number): { self: { href: string } } {
  return links(base, `/api/v4/${kind}/${id}`);
}

/** Ids from `filter[id]=1`, `filter[id][]=1&filter[id][]=2` or `filter[id][0]=1`. */
export function filterIds(q: Record<string, unknown>): number[] | null {
  const raw: unknown[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (k === 'filter[id]' || k.startsWith('filter[id][')) raw.push(...(Array.isArray(v) ? v : [v]));
  }
  if (raw.length === 0) return null;
  return raw.map((x) => Number(x)).filter((n) => Number.isInteger(n));
}

/**
 * A range filter on a timestamp (`filter[updated_at]`, `filter[created_at]`): a single value means "from then on",
 * `[from]` and `[to]` bound it on either side, both inclusive ("Можно передать timestamp … Также можно передать
 * массив вида filter[updated_at][from]=… и filter[updated_at][to]=…", filters page,
 * https://www.amocrm.com/developers/content/api_v4/filters_api/; the SDK's BaseRangeFilter). null: no such filter.
 */
export function rangeFilter(q: Record<string, unknown>, name: string): ((t: number) => boolean) | null {
  const num = (v: unknown) => {
    const x = Number(Array.isArray(v) ? v[0] : v);
    return Number.isFinite(x) ? x : undefined;
  };
  const single = num(q[`filter[${name}]`]);
  const from = single ?? num(q[`filter[${name}][from]`]);
  const to = num(q[`filter[${name}][to]`]);
  if (from === undefined && to === undefined) return null;
  return (t) => (from === undefined || t >= from) && (to === undefined || t <= to);
}

/**
 * `PATCH /api/v4/<entity>` (a list) and `PATCH /api/v4/<entity>/:id`, the same for every entity: every item is
 * checked before any is applied (one bad item refuses the request), and an unknown id in the path is 404.
 */
export function patchHandlers(o: {
  entity: 'contacts' | 'companies' | 'leads';
  exists: (store: KommoStore, id: number) => boolean;
  check: (store: KommoStore) => (item: JsonObject, errors: FieldError[]) => void;
  /** Applies a checked item and answers its line of the response. */
  apply: (item: JsonObject, ctx: RouteContext, requestId?: string) => Record<string, unknown>;
}): { update: (req: RouteRequest, ctx: RouteContext) => SimReply; updateById: (req: RouteRequest, ctx: RouteContext) => SimReply } {
  return {
    update(req, ctx) {
      const got = itemsOf(req.body, ctx.limits.maxEntitiesPerRequest);
      if ('reply' in got) return got.reply;
      const bad = checkAll(got.items, o.check(ctx.store));
      if (bad) return bad;
      const updated = (got.items as JsonObject[]).map((item, i) => o.apply(item, ctx, requestIdOf(item, i)));
      return ok({ _links: links(ctx.base, `/api/v4/${o.entity}`), _embedded: { [o.entity]: updated } });
    },
    updateById(req, ctx) {
      const id = Number(req.params.id);
      if (!o.exists(ctx.store, id)) return problem(404, 'Entity not found');
      const got = objectOf(req.body);
      if ('reply' in got) return got.reply;
      const item = { ...got.item, id };
      const bad = checkAll([item], o.check(ctx.store));
      if (bad) return bad;
      return ok(o.apply(item, ctx));
    },
  };
}
