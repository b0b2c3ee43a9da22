/**
 * Sends one batch of writes and hands each item its own result. Items are matched to Kommo's answer by
 * `request_id`, which the client sets to the item's position in the batch and gives back to the caller as
 * the caller's own (`request_id` it sent, or its index in its own array).
 *
 * Kommo checks every item before writing any: one invalid item fails the whole request with 400 and
 * `validation-errors` naming it (sim/kommo does the same). That item gets its own KOMMO_BAD_REQUEST, and the
 * others are sent again without it, so one bad call log does not cost 249 good ones.
 * `POST /api/v4/calls` answers 400 with only `errors` ("Entity not found") when no item has an entity; those
 * errors carry no `request_id` (https://github.com/amocrm/amocrm-api-php/issues/52), and a partly matched batch
 * is not documented. So: in a 200, an item missing from the answer while `errors` is not empty is
 * KOMMO_ENTITY_NOT_FOUND; a 400 "Entity not found" to a batch of several says neither which items missed nor
 * whether the rest were written, and since a 400 is a refusal of the request the items are sent again one by
 * one, where the answer is the item's own.
 */
import type { Logger } from '../../log/index.ts';
import type { BatchEntry } from './batcher.ts';
import { kommoError, relabel, success, type KommoError, type KommoResult } from './errors.ts';
import type { HttpMethod } from './http.ts';
import { stripNulls } from './strip-nulls.ts';
import { routeOf, type Transport } from './transport.ts';

type Json = Record<string, unknown>;

export interface WriteSpec<O> {
  method: HttpMethod;
  path: string;
  /** The key of the answer's `_embedded` list: 'contacts', 'calls', 'unsorted'. */
  entity: string;
  /** PATCH: keep `custom_fields_values[].values: null`, which clears a field. */
  keepFieldClearing?: boolean;
  /** One answer item → the caller's value (without request_id), or null if it is not the documented shape. */
  read: (x: Json) => Omit<O, 'request_id'> | null;
  /** Values for an item's error message (the call's phone). */
  errorExtra?: (item: Json) => Record<string, unknown>;
  /** POST of contacts, leads, calls, tasks: a second copy would be a second entity. */
  createsEntities?: boolean;
}

export interface WriteDeps {
  transport: Transport;
  logger: Logger;
  /** Values every error message may read (auth kind, timeoutMs). */
  errorExtra: Record<string, unknown>;
}

const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function callerRequestId(e: BatchEntry<Json>): string {
  const r = e.item.request_id;
  return typeof r === 'string' || typeof r === 'number' ? String(r) : String(e.index);
}

/** The linkedid shared by every entry, if there is one. */
function sharedLinkedid(entries: BatchEntry<Json>[]): string | undefined {
  const first = entries[0]?.ctx.linkedid;
  return first !== undefined && entries.every((e) => e.ctx.linkedid === first) ? first : undefined;
}

export function writeSender<O extends { request_id: string }>(spec: WriteSpec<O>, deps: WriteDeps) {
  const route = routeOf(spec.method, spec.path);
  const extraOf = (e: BatchEntry<Json>) => ({ ...deps.errorExtra, ...spec.errorExtra?.(e.item) });

  async function send(entries: BatchEntry<Json>[]): Promise<KommoResult<O>[]> {
    const body = entries.map((e, i) => {
      const s = stripNulls(e.item, { keepFieldClearing: spec.keepFieldClearing });
      if (s.paths.length > 0) deps.logger.debug({ route, linkedid: e.ctx.linkedid, paths: s.paths }, 'kommo: nulls left out of the body (Kommo refuses null)');
      return { ...s.value, request_id: String(i) };
    });
    const linkedid = sharedLinkedid(entries);
    const res = await deps.transport.request({
      method: spec.method, path: spec.path, body, createsEntities: spec.createsEntities === true, ...(linkedid ? { ctx: { linkedid } } : {}),
    });
    if (res.ok) return fromAnswer(entries, res.value.body, res.value.status);
    return fromFailure(entries, res.error);
  }

  function fromAnswer(entries: BatchEntry<Json>[], answer: unknown, status: number): KommoResult<O>[] {
    const embedded = isObj(answer) && isObj(answer._embedded) ? answer._embedded[spec.entity] : undefined;
    const list = Array.isArray(embedded) ? embedded.filter(isObj) : [];
    const byRequestId = new Map(list.filter((x) => x.request_id !== undefined).map((x) => [String(x.request_id), x]));
    const errors = (isObj(answer) && Array.isArray(answer.errors) ? answer.errors : []).filter(isObj);
    const misses = new Set(errors.filter((x) => x.request_id !== undefined).map((x) => String(x.request_id)));
    // Errors without request_id (Kommo's real body): whatever is not in the answer missed.
    const unnamedMisses = errors.some((x) => x.request_id === undefined);
    const used = new Set<Json>();
    return entries.map((e, i) => {
      const id = String(i);
      // Kommo documents request_id on writes; fall back to the entity's id (PATCH), then the position.
      const x = byRequestId.get(id) ?? list.find((y) => !used.has(y) && e.item.id !== undefined && y.id === e.item.id) ?? (byRequestId.size === 0 ? list[i] : undefined);
      if (x) {
        used.add(x);
        const v = spec.read(x);
        if (v) return success({ ...v, request_id: callerRequestId(e) } as O);
      }
      if (misses.has(id) || unnamedMisses) {
        return { ok: false, error: kommoError('KOMMO_ENTITY_NOT_FOUND', { route, linkedid: e.ctx.linkedid, status, attempts: 1, extra: extraOf(e) }) };
      }
      return { ok: false, error: kommoError('KOMMO_BAD_RESPONSE', { route, linkedid: e.ctx.linkedid, status, attempts: 1, summary: `the answer has no ${spec.entity} result for item ${callerRequestId(e)}`, extra: extraOf(e) }) };
    });
  }

  async function fromFailure(entries: BatchEntry<Json>[], error: KommoError): Promise<KommoResult<O>[]> {
    if (error.code === 'KOMMO_ENTITY_NOT_FOUND' && entries.length > 1) {
      deps.logger.info({ route, items: entries.length }, 'kommo: "Entity not found" for a batch does not say which items; each is sent again alone');
      return (await Promise.all(entries.map((e) => send([e])))).flat();
    }
    const items = error.code === 'KOMMO_BAD_REQUEST' ? error.detail?.validationErrors ?? [] : [];
    const bad = new Map(items.map((v) => [String(v.request_id), v]));
    const badIndexes = entries.map((_, i) => i).filter((i) => bad.has(String(i)));
    if (badIndexes.length === 0) {
      return entries.map((e) => ({ ok: false, error: relabel(error, e.ctx.linkedid, extraOf(e)) }));
    }
    const results: (KommoResult<O> | undefined)[] = entries.map((e, i) => {
      const v = bad.get(String(i));
      if (!v) return undefined;
      const detail = { ...error.detail, validationErrors: [{ ...v, request_id: callerRequestId(e) }] };
      return { ok: false, error: relabel(error, e.ctx.linkedid, extraOf(e), detail) };
    });
    const rest = entries.filter((_, i) => results[i] === undefined);
    if (rest.length > 0) {
      deps.logger.info({ route, refused: badIndexes.length, resent: rest.length }, 'kommo: items Kommo refused are left out and the rest of the batch is sent again');
      const again = await send(rest);
      let k = 0;
      for (let i = 0; i < results.length; i += 1) if (results[i] === undefined) results[i] = again[k++];
    }
    return results as KommoResult<O>[];
  }

  return (entries: BatchEntry<Json>[]) => send(entries);
}
