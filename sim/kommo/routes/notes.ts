/**
 * `GET /api/v4/{contacts|companies|leads|customers}/{id}/notes`: the entity's notes. The emulator keeps calls as call records
 * (routes/calls.ts) and shows each as the note Kommo makes of it: `note_type` `call_in` / `call_out` with
 * `params` {uniq, duration, source, link, phone, call_status, call_result}. Filter `filter[note_type]`
 * (one or several). 204 when there is none, as every Kommo list.
 * https://www.kommo.com/developers/content/api_v4/events-and-notes (note types call_in, call_out and their params)
 */
import { listPage, paging, type Query } from '../hal.ts';
import { noContent, type SimReply } from '../problems.ts';
import type { RouteContext, RouteDef, RouteRequest } from '../route.ts';
import type { KommoCall } from '../types.ts';

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
      .filter((n) => types.length === 0 || types.includes(n.note_type));
    const path = `/api/v4/${COLLECTION[entity]}/${id}/notes`;
    return listPage(notes, { base: ctx.base, path, query: req.query, entity: 'notes', ...p });
  };
}

export const noteRoutes: RouteDef[] = [
  { method: 'GET', url: '/api/v4/contacts/:id/notes', auth: 'bearer', handler: list('contact') },
  { method: 'GET', url: '/api/v4/companies/:id/notes', auth: 'bearer', handler: list('company') },
  { method: 'GET', url: '/api/v4/leads/:id/notes', auth: 'bearer', handler: list('lead') },
  { method: 'GET', url: '/api/v4/customers/:id/notes', auth: 'bearer', handler: list('customer') },
];
