/**
 * hookline writes the client's number into the contacts' PHONE field with the enum WORK (the standard Phone
 * field; enum codes WORK, WORKDD, MOB, FAX, HOME, OTHER). Without it, calls are not registered, and the
 * engine says so in its log and status (issue 4).
 */
import { kommoError, type KommoError, type KommoResult } from './errors.ts';
import type { KommoCustomField } from './kommo-types.ts';
import type { RequestContext } from './transport.ts';

export type PhoneFieldCheck =
  | { ok: true; fieldId: number; enumId: number }
  | { ok: false; reason: 'no-phone-field' | 'no-work-enum' | 'request-failed'; error: KommoError };

const ROUTE = 'GET /api/v4/contacts/custom_fields';

export function phoneFieldOf(fields: KommoResult<KommoCustomField[]>, ctx?: RequestContext): PhoneFieldCheck {
  if (!fields.ok) return { ok: false, reason: 'request-failed', error: fields.error };
  const field = fields.value.find((f) => f.code === 'PHONE');
  if (!field) {
    const error = kommoError('KOMMO_NO_PHONE_FIELD', { route: ROUTE, linkedid: ctx?.linkedid, summary: `none of the ${fields.value.length} contact fields has the code PHONE` });
    return { ok: false, reason: 'no-phone-field', error };
  }
  const work = (field.enums ?? []).find((e) => e.value === 'WORK');
  if (!work) {
    const codes = (field.enums ?? []).map((e) => e.value).join(', ') || 'none';
    const error = kommoError('KOMMO_NO_PHONE_FIELD', { route: ROUTE, linkedid: ctx?.linkedid, summary: `the field PHONE (id ${field.id}) has no enum WORK (it has ${codes})` });
    return { ok: false, reason: 'no-work-enum', error };
  }
  return { ok: true, fieldId: field.id, enumId: work.id };
}
