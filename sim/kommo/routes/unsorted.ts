/**
 * Incoming leads (Unsorted) of category `sip`: add, list, get, accept, decline.
 * https://kommo.com/developers/content/api_v4/incoming-leads, https://developers.kommo.com/reference/incoming-lead-uid,
 * https://developers.kommo.com/reference/declining-incoming-leads. Adding creates a lead in the pipeline's
 * Unsorted status and, when `_embedded.contacts` has one, a contact hidden from lists until acceptance.
 */
import { DUPLICATE_TAG, DUPLICATE_TAG_ID, type KommoBehaviour } from '../behaviour.ts';
import { checkFieldValues } from '../field-values.ts';
import { links, listPage, one, paging } from '../hal.ts';
import { noContent, ok, problem, validationFailed, type FieldError, type SimReply } from '../problems.ts';
import type { RouteContext, RouteDef, RouteRequest } from '../route.ts';
import type { KommoStore } from '../store.ts';
import type { KommoUnsorted } from '../types.ts';
import { checkAll, field, isObject, itemsOf, notExpected, requestIdOf, type JsonObject } from '../validate.ts';
import { entityLink } from './common.ts';
import { createContact } from './contacts.ts';
import { createLead } from './leads.ts';

const METADATA: Array<[string, 'string' | 'int' | 'bool' | 'string|int']> = [
  ['uniq', 'string'], ['from', 'string'], ['phone', 'string|int'], ['called_at', 'int'], ['duration', 'int'],
  ['link', 'string'], ['service_code', 'string'], ['is_call_event_needed', 'bool'], ['call_responsible', 'string|int'],
];

/**
 * The fields an incoming SIP lead and its embedded lead and contact take; any other is refused with
 * `FieldNotExpected` ("This field was not expected."), Kommo's answer to a field it does not take
 * (https://github.com/Krukov/amocrm_api/issues/68, /issues/112). Tags go under `_embedded.tags`, as the official
 * SDK writes them (amocrm-api-php `BaseApiModel::toApi` → `_embedded.tags`), not as a top-level `tags`.
 */
const ITEM_FIELDS = ['source_uid', 'source_name', 'pipeline_id', 'created_at', 'metadata', '_embedded', 'request_id'];
const LEAD_FIELDS = ['name', 'price', 'status_id', 'pipeline_id', 'responsible_user_id', 'created_by', 'updated_by', 'created_at', 'updated_at', 'custom_fields_values', 'tags_to_add', '_embedded', 'request_id'];
const CONTACT_FIELDS = ['name', 'first_name', 'last_name', 'responsible_user_id', 'created_by', 'updated_by', 'created_at', 'updated_at', 'custom_fields_values', 'tags_to_add', '_embedded', 'request_id'];

function checkEmbedded(errors: FieldError[], item: JsonObject, store: KommoStore): void {
  const emb = field(errors, item, '_embedded', 'object', '_embedded');
  if (!isObject(emb)) return;
  for (const key of ['leads', 'contacts', 'companies']) field(errors, emb, key, 'array', `_embedded.${key}`);
  const check = (key: 'leads' | 'contacts', entity: 'leads' | 'contacts') => {
    const list = emb[key];
    if (!Array.isArray(list)) return;
    list.forEach((x, i) => {
      const path = `_embedded.${key}.${i}`;
      if (!isObject(x)) { errors.push({ code: 'InvalidType', path, detail: 'This value should be of type array.' }); return; }
      const sub: FieldError[] = [];
      notExpected(sub, x, entity === 'leads' ? LEAD_FIELDS : CONTACT_FIELDS);
      field(sub, x, 'name', 'string', 'name');
      if (entity === 'leads') field(sub, x, 'price', 'int', 'price');
      checkFieldValues(sub, x, store.fieldsFor(entity), false);
      errors.push(...sub.map((e) => ({ ...e, path: `${path}.${e.path}` })));
    });
  };
  check('leads', 'leads');
  check('contacts', 'contacts');
}

function checkSip(store: KommoStore, seen: Set<string>, behaviour: KommoBehaviour) {
  return (item: JsonObject, errors: FieldError[]): void => {
    notExpected(errors, item, ITEM_FIELDS);
    const uid = field(errors, item, 'source_uid', 'string', 'source_uid', { required: true });
    field(errors, item, 'source_name', 'string', 'source_name', { required: true });
    field(errors, item, 'pipeline_id', 'int', 'pipeline_id', { choices: store.pipelines.map((p) => p.id) });
    field(errors, item, 'created_at', 'int', 'created_at');
    const md = field(errors, item, 'metadata', 'object', 'metadata');
    if (isObject(md)) for (const [k, kind] of METADATA) field(errors, md, k, kind, `metadata.${k}`);
    checkEmbedded(errors, item, store);
    // "There can't be 2 identical entities in the Incoming leads": the emulator takes source_uid as identity.
    // The older page refuses the second one; the current reference adds it and tags both (behaviour.ts).
    if (typeof uid === 'string' && behaviour.unsortedDuplicateSourceUid === 'refuse') {
      if (seen.has(uid) || [...store.unsorted.values()].some((u) => u.source_uid === uid)) {
        errors.push({ code: 'NotUnique', path: 'source_uid', detail: 'This value is already used.' });
      }
      seen.add(uid);
    }
  };
}

function embeddedIds(u: KommoUnsorted, ctx: RouteContext): Record<string, unknown> {
  return {
    leads: [{ id: u.lead_id, _links: entityLink(ctx.base, 'leads', u.lead_id) }],
    contacts: u.contact_ids.map((id) => ({ id, _links: entityLink(ctx.base, 'contacts', id) })),
    companies: [],
  };
}

function unsortedView(u: KommoUnsorted, ctx: RouteContext): Record<string, unknown> {
  const { status: _status, lead_id: _lead, contact_ids: _contacts, ...rest } = u;
  return { ...rest, _links: links(ctx.base, `/api/v4/leads/unsorted/${u.uid}`), _embedded: embeddedIds(u, ctx) };
}

function create(store: KommoStore, item: JsonObject): KommoUnsorted {
  const pipe = (typeof item.pipeline_id === 'number' ? store.pipeline(item.pipeline_id) : undefined) ?? store.mainPipeline();
  const status = pipe && store.unsortedStatus(pipe);
  if (!pipe || !status) throw new Error('sim/kommo: incoming leads need a pipeline with an Unsorted status');
  const emb = isObject(item._embedded) ? item._embedded : {};
  const md = isObject(item.metadata) ? item.metadata : {};
  const leadItem = Array.isArray(emb.leads) && isObject(emb.leads[0]) ? emb.leads[0] : {};
  const contactItem = Array.isArray(emb.contacts) && isObject(emb.contacts[0]) ? emb.contacts[0] : null;
  const contact = contactItem ? createContact(store, contactItem, true) : null;
  const lead = createLead(store, { name: `Incoming call ${md.phone ?? ''}`.trim(), ...leadItem }, { pipeline_id: pipe.id, status_id: status.id });
  if (contact) lead.contact_ids.push(contact.id);
  const u: KommoUnsorted = {
    uid: store.nextUid(), source_uid: item.source_uid as string, source_name: item.source_name as string, category: 'sip',
    pipeline_id: pipe.id, created_at: typeof item.created_at === 'number' ? item.created_at : store.now(),
    metadata: md, account_id: store.account.id, lead_id: lead.id, contact_ids: contact ? [contact.id] : [], status: 'pending',
  };
  store.unsorted.set(u.uid, u);
  return u;
}

/** "a tag indicating a duplicate will be added to both of them" (https://developers.kommo.com/reference/incoming-leads). */
function tagDuplicate(store: KommoStore, u: KommoUnsorted): void {
  const lead = store.leads.get(u.lead_id);
  if (lead && !lead.tags.some((t) => t.name === DUPLICATE_TAG)) lead.tags = [...lead.tags, { id: DUPLICATE_TAG_ID, name: DUPLICATE_TAG }];
}

function addSip(req: RouteRequest, ctx: RouteContext): SimReply {
  const got = itemsOf(req.body, ctx.limits.maxEntitiesPerRequest);
  if ('reply' in got) return got.reply;
  const bad = checkAll(got.items, checkSip(ctx.store, new Set(), ctx.behaviour));
  if (bad) return bad;
  const added = (got.items as JsonObject[]).map((item, i) => {
    const twins = [...ctx.store.unsorted.values()].filter((x) => x.source_uid === item.source_uid);
    const u = create(ctx.store, item);
    if (twins.length > 0) for (const x of [...twins, u]) tagDuplicate(ctx.store, x);
    return {
      uid: u.uid, request_id: requestIdOf(item, i), category: u.category, pipeline_id: u.pipeline_id, created_at: u.created_at,
      account_id: u.account_id, _links: links(ctx.base, `/api/v4/leads/unsorted/${u.uid}`), _embedded: embeddedIds(u, ctx),
    };
  });
  return ok({ _total_items: added.length, _links: links(ctx.base, '/api/v4/leads/unsorted/sip'), _embedded: { unsorted: added } });
}

function list(req: RouteRequest, ctx: RouteContext): SimReply {
  const p = paging(req.query, ctx.limits.maxPageLimit);
  if ('reply' in p) return p.reply;
  const values = (key: string) => Object.entries(req.query).filter(([k]) => k === key || k.startsWith(`${key}[`)).flatMap(([, v]) => (Array.isArray(v) ? v : [v]));
  const uids = values('filter[uid]');
  const categories = values('filter[category]');
  const pipelineId = one(req.query, 'filter[pipeline_id]');
  const found = [...ctx.store.unsorted.values()].filter((u) => u.status === 'pending'
    && (uids.length === 0 || uids.includes(u.uid))
    && (categories.length === 0 || categories.includes(u.category))
    && (pipelineId === undefined || String(u.pipeline_id) === pipelineId));
  return listPage(found.map((u) => unsortedView(u, ctx)), { base: ctx.base, path: '/api/v4/leads/unsorted', query: req.query, entity: 'unsorted', ...p });
}

function get(req: RouteRequest, ctx: RouteContext): SimReply {
  const u = ctx.store.unsorted.get(req.params.uid ?? '');
  return u && u.status === 'pending' ? ok(unsortedView(u, ctx)) : noContent();
}

function isUnsorted(x: KommoUnsorted | SimReply): x is KommoUnsorted {
  return 'uid' in x;
}

/** The incoming lead to accept or decline, or the answer when there is none or it was already handled. */
function pending(req: RouteRequest, ctx: RouteContext): KommoUnsorted | SimReply {
  const u = ctx.store.unsorted.get(req.params.uid ?? '');
  if (!u) return problem(404, 'Entity not found');
  if (u.status !== 'pending') return problem(400, `Incoming lead is already ${u.status}`);
  return u;
}

function decisionBody(req: RouteRequest, ctx: RouteContext, u: KommoUnsorted, withStatus: boolean): { body: JsonObject } | { reply: SimReply } {
  const body = req.body.kind === 'json' && isObject(req.body.value) ? req.body.value : {};
  if (req.body.kind === 'invalid' || (req.body.kind === 'json' && !isObject(req.body.value))) {
    return { reply: validationFailed([{ request_id: '0', errors: [{ code: 'InvalidType', path: '', detail: 'This value should be of type array.' }] }]) };
  }
  const errors: FieldError[] = [];
  field(errors, body, 'user_id', 'int', 'user_id', { choices: ctx.store.users.map((x) => x.id) });
  if (withStatus) {
    const pipe = ctx.store.pipeline(u.pipeline_id);
    field(errors, body, 'status_id', 'int', 'status_id', { choices: (pipe?.statuses ?? []).filter((s) => s.type === 0).map((s) => s.id) });
  }
  return errors.length > 0 ? { reply: validationFailed([{ request_id: '0', errors }]) } : { body };
}

function decisionView(u: KommoUnsorted, ctx: RouteContext): SimReply {
  return ok({ uid: u.uid, pipeline_id: u.pipeline_id, category: u.category, created_at: u.created_at, account_id: u.account_id, _links: links(ctx.base, `/api/v4/leads/unsorted/${u.uid}`), _embedded: embeddedIds(u, ctx) });
}

function accept(req: RouteRequest, ctx: RouteContext): SimReply {
  const u = pending(req, ctx);
  if (!isUnsorted(u)) return u;
  const got = decisionBody(req, ctx, u, true);
  if ('reply' in got) return got.reply;
  const b = got.body;
  const store = ctx.store;
  const lead = store.leads.get(u.lead_id);
  const pipe = store.pipeline(u.pipeline_id);
  const userId = typeof b.user_id === 'number' ? b.user_id : store.currentUserId;
  if (lead && pipe) {
    lead.status_id = typeof b.status_id === 'number' ? b.status_id : (store.firstStage(pipe)?.id ?? lead.status_id);
    lead.responsible_user_id = userId;
    lead.updated_at = store.now();
  }
  for (const id of u.contact_ids) {
    const c = store.contacts.get(id);
    if (c) { c.is_unsorted = false; c.responsible_user_id = userId; c.updated_at = store.now(); }
  }
  u.status = 'accepted';
  return decisionView(u, ctx);
}

function decline(req: RouteRequest, ctx: RouteContext): SimReply {
  const u = pending(req, ctx);
  if (!isUnsorted(u)) return u;
  const got = decisionBody(req, ctx, u, false);
  if ('reply' in got) return got.reply;
  const lead = ctx.store.leads.get(u.lead_id);
  if (lead) { lead.is_deleted = true; lead.updated_at = ctx.store.now(); }
  for (const id of u.contact_ids) {
    const c = ctx.store.contacts.get(id);
    if (c) c.is_deleted = true;
  }
  u.status = 'declined';
  return decisionView(u, ctx);
}

export const unsortedRoutes: RouteDef[] = [
  { method: 'POST', url: '/api/v4/leads/unsorted/sip', auth: 'bearer', handler: addSip },
  { method: 'GET', url: '/api/v4/leads/unsorted', auth: 'bearer', handler: list },
  { method: 'GET', url: '/api/v4/leads/unsorted/:uid', auth: 'bearer', handler: get },
  { method: 'POST', url: '/api/v4/leads/unsorted/:uid/accept', auth: 'bearer', handler: accept },
  { method: 'DELETE', url: '/api/v4/leads/unsorted/:uid/decline', auth: 'bearer', handler: decline },
];
