/**
 * `GET /api/v4/{contacts|companies|leads|customers}/{id}/notes`: the entity's notes. The emulator keeps calls as call records
 * (routes/calls.ts) and shows each as the note Kommo makes of it: `note_type` `call_in` / `call_out` with
 * `params` {uniq, duration, source, link, phone, call_status, call_result}. Filter `filter[note_type]`
 * (one or several). 204 when there is none, as every Kommo list.
 * https://www.kommo.com/developers/content/api_v4/events-and-notes (note types call_in, call_out and their params)
 */
import { links, listPage, paging, type Query } from '../hal.ts';
import { noContent, ok, problem, validationFailed, type SimReply } from '../problems.ts';
import type { RouteContext, RouteDef, RouteRequest } from '../route.ts';
import type { KommoCall, KommoNoteRecord } from '../types.ts';
import { itemsOf, type JsonObject } from '../validate.ts';

const COLLECTION: Record<KommoCall['entity_type'], 'contacts' | 'companies' | 'leads' | 'customers'> = { contact: 'contacts', company: 'companies', lead: 'leads', customer: 'customers' };

function noteTypes(q: Query): string[] {
  return Object.entries(q).filter(([k]) => k.startsWith('filter[note_type]')).flatMap(([, v]) => (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')));
}

function list(entity: KommoCall['entity_type']) {
  return (req: RouteRequest, ctx: RouteContext): SimReply => {
    const p = paging(req.query, ctx.limits.maxPageLimit);
    if ('reply' in p) return p.reply;
    const id = Number(req.params.id);
    const exists = ctx.store[COLLECTION[entity]].has(id);
    if (!exists) return noContent();
    const types = noteTypes(req.query);
    const notes = [...ctx.store.calls.values()]
      .filter((c) => c.entity_type === entity && c.entity_id === id)
      .map((c) => ({
        id: c.id, entity_id: c.entity_id, created_by: c.created_by ?? 0, updated_by: c.updated_by ?? 0, created_at: c.created_at, updated_at: c.updated_at,
        responsible_user_id: c.responsible_user_id ?? 0, group_id: 0, note_type: c.direction === 'inbound' ? 'call_in' : 'call_out', account_id: c.account_id,
        params: {
          ...(c.uniq !== undefined ? { uniq: c.uniq } : {}), duration: c.duration, source: c.source, ...(c.link !== undefined ? { link: c.link } : {}), phone: c.phone,
          ...(c.call_status !== undefined ? { call_status: c.call_status } : {}), ...(c.call_result !== undefined ? { call_result: c.call_result } : {}),
        },
      }))
      .concat([...ctx.store.notes.values()].filter((n) => n.entity_type === entity && n.entity_id === id).map((n) => ({ ...n, group_id: 0, updated_by: n.created_by })) as never[])
      .filter((n) => types.length === 0 || types.includes(n.note_type));
    const path = `/api/v4/${COLLECTION[entity]}/${id}/notes`;
    return listPage(notes, { base: ctx.base, path, query: req.query, entity: 'notes', ...p });
  };
}

const ENTITY: Record<'leads' | 'contacts' | 'companies', KommoNoteRecord['entity_type']> = { leads: 'lead', contacts: 'contact', companies: 'company' };

/**
 * `POST /api/v4/{leads|contacts|companies}/{id}/notes`: notes added to one entity, an array of
 * `{note_type, params}` (https://developers.kommo.com/reference/adding-notes); the answer lists each note's id
 * and request_id. Common notes need `params.text`. The GET list shows them beside the call notes.
 */
function add(collection: 'leads' | 'contacts' | 'companies') {
  return (req: RouteRequest, ctx: RouteContext): SimReply => {
    const id = Number(req.params.id);
    if (!ctx.store[collection].has(id)) return problem(404, `No ${ENTITY[collection]} with id ${id}`);
    const got = itemsOf(req.body, ctx.limits.maxEntitiesPerRequest);
    if ('reply' in got) return got.reply;
    const bad = (got.items as JsonObject[]).findIndex((n) => typeof n.note_type !== 'string' || (n.note_type === 'common' && typeof (n.params as JsonObject | undefined)?.text !== 'string'));
    if (bad >= 0) return validationFailed([{ request_id: String(bad), errors: [{ code: 'NotSupportedChoice', path: 'note_type', detail: 'a note needs note_type, and a common note params.text' }] }]);
    const now = ctx.store.now();
    const made = (got.items as JsonObject[]).map((n, i) => {
      const note: KommoNoteRecord = {
        id: ctx.store.nextId('note'), entity_type: ENTITY[collection], entity_id: id, note_type: String(n.note_type), params: (n.params as Record<string, unknown>) ?? {},
        created_by: ctx.store.currentUserId, created_at: now, updated_at: now, responsible_user_id: ctx.store.currentUserId, account_id: ctx.store.account.id,
      };
      ctx.store.addNote(note);
      return { id: note.id, entity_id: id, request_id: typeof n.request_id === 'string' ? n.request_id : String(i) };
    });
    return ok({ _links: links(ctx.base, `/api/v4/${collection}/${id}/notes`), _embedded: { notes: made } });
  };
}

export const noteRoutes: RouteDef[] = [
  { method: 'POST', url: '/api/v4/leads/:id/notes', auth: 'bearer', handler: add('leads') },
  { method: 'POST', url: '/api/v4/contacts/:id/notes', auth: 'bearer', handler: add('contacts') },
  { method: 'POST', url: '/api/v4/companies/:id/notes', auth: 'bearer', handler: add('companies') },
  { method: 'GET', url: '/api/v4/contacts/:id/notes', auth: 'bearer', handler: list('contact') },
  { method: 'GET', url: '/api/v4/companies/:id/notes', auth: 'bearer', handler: list('company') },
  { method: 'GET', url: '/api/v4/leads/:id/notes', auth: 'bearer', handler: list('lead') },
  { method: 'GET', url: '/api/v4/customers/:id/notes', auth: 'bearer', handler: list('customer') },
];
