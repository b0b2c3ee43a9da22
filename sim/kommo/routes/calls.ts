/**
 * `POST /api/v4/calls`: call logs, attached by the last 10 digits of `phone` to "the contact or company" with
 * it. Exactly one active lead of the contact → the lead; otherwise the contact. No contact but a company with
 * the phone → the same rule with the company's leads: its only active lead, else the company. No entity with
 * that phone → the call is not added.
 * https://kommo.com/developers/content/api_v4/adding-calls, https://www.kommo.com/developers/content/telephony/call_logging/
 * The "not found" body follows the field reports (https://github.com/amocrm/amocrm-api-php/issues/52).
 */
import { PROBLEM_JSON, ok, type FieldError, type SimReply } from '../problems.ts';
import type { RouteContext, RouteDef, RouteRequest } from '../route.ts';
import type { KommoStore } from '../store.ts';
import { phoneKey } from '../phone.ts';
import type { KommoCall, KommoCompany, KommoContact } from '../types.ts';
import { checkAll, field, itemsOf, notExpected, requestIdOf, type JsonObject } from '../validate.ts';
import { checkAudit, checkResponsible, entityLink } from './common.ts';

/** 1 left a message … 7 line busy (docs); 8 "undefined" is known to the official SDK (CallInterface). */
export const CALL_STATUSES = [1, 2, 3, 4, 5, 6, 7, 8] as const;

/** The fields of a call log (https://kommo.com/developers/content/api_v4/adding-calls); any other is FieldNotExpected. */
const CALL_FIELDS = [
  'direction', 'uniq', 'duration', 'source', 'link', 'phone', 'call_result', 'call_status', 'call_responsible', 'responsible_user_id',
  'created_by', 'updated_by', 'created_at', 'updated_at', 'request_id',
];

function checkCall(store: KommoStore) {
  return (item: JsonObject, errors: FieldError[]): void => {
    notExpected(errors, item, CALL_FIELDS);
    field(errors, item, 'direction', 'string', 'direction', { required: true, choices: ['inbound', 'outbound'] });
    field(errors, item, 'duration', 'int', 'duration', { required: true });
    field(errors, item, 'source', 'string', 'source', { required: true });
    field(errors, item, 'phone', 'string', 'phone', { required: true });
    for (const k of ['uniq', 'link', 'call_result']) field(errors, item, k, 'string', k);
    field(errors, item, 'call_status', 'int', 'call_status', { choices: CALL_STATUSES });
    field(errors, item, 'call_responsible', 'int|string', 'call_responsible');
    checkResponsible(errors, item, store);
    checkAudit(errors, item);
  };
}

type Attachment = { entity_type: KommoCall['entity_type']; entity_id: number };

/**
 * The entity a call goes to, by Kommo's rule, or null when no visible contact or company has the phone.
 * Contacts come first (the lowest id), then companies (the lowest id): differences.ts.
 */
function attachTo(store: KommoStore, index: Map<string, KommoContact[]>, companies: Map<string, KommoCompany[]>, phone: string): Attachment | null {
  const key = phoneKey(phone);
  const contact = [...(index.get(key) ?? [])].sort((a, b) => a.id - b.id)[0];
  if (contact) {
    // "exactly one active lead and no customers → the lead; exactly one customer and no active leads → the customer;
    // otherwise the contact" (https://kommo.com/developers/content/api_v4/adding-calls).
    const active = store.leadsOf(contact.id).filter((l) => store.isActive(l));
    const customers = store.customersOf(contact.id);
    if (active.length === 1 && active[0] && customers.length === 0) return { entity_type: 'lead', entity_id: active[0].id };
    if (customers.length === 1 && customers[0] && active.length === 0) return { entity_type: 'customer', entity_id: customers[0].id };
    return { entity_type: 'contact', entity_id: contact.id };
  }
  const company = [...(companies.get(key) ?? [])].sort((a, b) => a.id - b.id)[0];
  if (!company) return null;
  const active = store.leadsOfCompany(company.id).filter((l) => store.isActive(l));
  return active.length === 1 && active[0] ? { entity_type: 'lead', entity_id: active[0].id } : { entity_type: 'company', entity_id: company.id };
}

/** The collection an attached entity's link points into. */
const KIND: Record<KommoCall['entity_type'], string> = { lead: 'leads', contact: 'contacts', company: 'companies', customer: 'customers' };

const OPTIONAL = ['uniq', 'link', 'call_result', 'call_status', 'call_responsible', 'responsible_user_id', 'created_by', 'updated_by'] as const;

function store(s: KommoStore, item: JsonObject, at: Attachment): KommoCall {
  const now = s.now();
  const call: KommoCall = {
    id: s.nextId('call'), ...at, account_id: s.account.id,
    direction: item.direction as KommoCall['direction'], duration: item.duration as number, source: item.source as string, phone: item.phone as string,
    created_at: typeof item.created_at === 'number' ? item.created_at : now,
    updated_at: typeof item.updated_at === 'number' ? item.updated_at : now,
  };
  for (const k of OPTIONAL) if (item[k] !== undefined) (call as unknown as Record<string, unknown>)[k] = item[k];
  s.addCall(call);
  return call;
}

function add(req: RouteRequest, ctx: RouteContext): SimReply {
  const got = itemsOf(req.body, ctx.limits.maxEntitiesPerRequest);
  if ('reply' in got) return got.reply;
  const bad = checkAll(got.items, checkCall(ctx.store));
  if (bad) return bad;
  const index = ctx.store.phoneIndex();
  const companies = ctx.store.companyPhoneIndex();
  const items = got.items as JsonObject[];
  const misses = items.filter((item) => !attachTo(ctx.store, index, companies, item.phone as string));
  // A partly matched batch is not documented: 'refuse' answers it as a batch with no match (nothing written).
  if (misses.length > 0 && ctx.behaviour.callsPartlyMatched === 'refuse') {
    return { status: 400, contentType: PROBLEM_JSON, body: { _total_items: 0, errors: misses.map(() => ({ title: 'Entity not found', status: 263 })) } };
  }
  const added: unknown[] = [];
  const errors: unknown[] = [];
  (items as JsonObject[]).forEach((item, i) => {
    const requestId = requestIdOf(item, i);
    const at = attachTo(ctx.store, index, companies, item.phone as string);
    if (!at) {
      // The real body has no request_id (https://github.com/amocrm/amocrm-api-php/issues/52): which item missed
      // is not said.
      errors.push({ title: 'Entity not found', status: 263 });
      return;
    }
    const c = store(ctx.store, item, at);
    const kind = KIND[at.entity_type];
    added.push({ id: c.id, entity_id: c.entity_id, entity_type: c.entity_type, account_id: c.account_id, request_id: requestId, _embedded: { entity: { id: c.entity_id, _links: entityLink(ctx.base, kind, c.entity_id) } } });
  });
  if (added.length === 0) return { status: 400, contentType: PROBLEM_JSON, body: { _total_items: 0, errors } };
  return ok({ _total_items: added.length, errors, _embedded: { calls: added } });
}

export const callRoutes: RouteDef[] = [{ method: 'POST', url: '/api/v4/calls', auth: 'bearer', handler: add }];
