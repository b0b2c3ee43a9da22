/**
 * Field checks and read shapes shared by the contact and lead routes.
 */
import { links } from '../hal.ts';
import type { FieldError } from '../problems.ts';
import type { KommoStore } from '../store.ts';
import { field, isObject, type JsonObject } from '../validate.ts';

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
