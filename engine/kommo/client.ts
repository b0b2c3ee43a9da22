/**
 * createKommoClient: the typed Kommo API v4 client hookline registers calls with. Every method answers a
 * value (`{ok: true, value}` or `{ok: false, error}` with a KOMMO_* code), never throws for Kommo's
 * answers, and takes an optional `{linkedid}` that its errors and log lines name.
 * See docs/design/kommo-client.md for the decisions and their measurements.
 */
import { silentLogger, type Logger } from '../../log/index.ts';
import { createAuth, type AuthSession, type KommoAuth } from './auth.ts';
import { DEFAULT_RETRY, type RetryOptions } from './backoff.ts';
import { createBatcher, type Batcher } from './batcher.ts';
import { success, type KommoResult } from './errors.ts';
import { createHttp, type HttpMethod } from './http.ts';
import type {
  CustomFieldValueRead,
  AddedCall, AddedEntity, AddedUnsorted, CallBody, ContactBody, EntityPatch, KommoAccount, KommoCompany, KommoContact, KommoCustomField, KommoLead,
  KommoNote, KommoPipeline, KommoTask, KommoUser, LeadBody, TaskBody, UnsortedSipBody, UpdatedEntity,
} from './kommo-types.ts';
import { createPhoneCache, phoneKey } from './phone-cache.ts';
import { phoneFieldOf, type PhoneFieldCheck } from './phone-field.ts';
import { createRateLimiter, type RateLimiterStats } from './rate-limiter.ts';
import { createReadCache, type CachedKind } from './read-cache.ts';
import { getAll, getList, getOne, getRequired } from './reads.ts';
import { eventsSince, phoneHolders, type KommoEvent } from './lists.ts';
import { createTransport, type RequestContext } from './transport.ts';
import { writeSender, type WriteSpec } from './writes.ts';

export interface KommoClientOptions {
  /** The account's own host: https://<subdomain>.kommo.com (sim/kommo: its url). */
  baseUrl: string;
  auth: KommoAuth;
  /** The account's limit. Default 7 (https://developers.kommo.com/docs/limitations). */
  requestsPerSecond?: number;
  /** The window the limit is counted over. Default 1,000 ms; tests shrink it with sim/kommo's `limits`. */
  rateWindowMs?: number;
  /** Added to every rate slot's hold, for clock granularity at Kommo's edge (rate-limiter.ts). Default 10 ms. */
  rateMarginMs?: number;
  /** Per request. Default 10,000 ms. */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /** How long nothing is sent after Kommo blocks the IP (403). Default 5 minutes; then one request probes. */
  blockBackoffMs?: number;
  /**
   * Write batching: items within `windowMs` of the first, up to `maxItems`, go as one request; at most `maxInFlight`
   * requests of a route at once, the items that come meanwhile going together when one is back. Defaults 50 ms, 250, 1.
   */
  batch?: { windowMs?: number; maxItems?: number; maxInFlight?: number };
  /** How long a phone search is remembered. Default 30 s; 0 turns the cache off. */
  phoneCacheTtlMs?: number;
  /** How long a contact, lead or company read by id is remembered (read-cache.ts). Default phoneCacheTtlMs; 0 turns it off. */
  readCacheTtlMs?: number;
  logger?: Logger;
  /** The clock for token expiry, the block pause and the cache (ms since the epoch). Default Date.now. */
  now?: () => number;
  /** For the retry jitter. Default Math.random. */
  random?: () => number;
}

export interface KommoClientStats {
  /** HTTP requests sent (every attempt), by route. */
  requests: number;
  byRoute: Record<string, number>;
  phoneCache: { hits: number; misses: number; shared: number; size: number };
  batches: Record<string, { batches: number; items: number }>;
  limiter: RateLimiterStats;
  blockedUntil: number | null;
}

export interface KommoClient {
  /** Contacts whose phone ends in the same 10 digits (204 → []). Cached for phoneCacheTtlMs. */
  findContactsByPhone(phone: string, ctx?: RequestContext): Promise<KommoResult<KommoContact[]>>;
  /** Companies whose phone ends in the same 10 digits (Kommo attaches a call to a company when no contact has the number). Cached. */
  findCompaniesByPhone(phone: string, ctx?: RequestContext): Promise<KommoResult<KommoCompany[]>>;
  /** Whether the account holds any company (one page read): an account without companies needs no company searches. */
  hasCompanies(ctx?: RequestContext): Promise<KommoResult<boolean>>;
  /** With `_embedded.leads`; null when there is no such company. */
  getCompany(id: number, ctx?: RequestContext): Promise<KommoResult<KommoCompany | null>>;
  /** Drops the cached answer for this number (the caller learned it is out of date); the next search asks Kommo. */
  forgetPhone(phone: string): void;
  /** Drops every cached answer (the account changed in ways hookline did not make: an import, a reset emulator). */
  clearPhoneCache(): void;
  /** With `_embedded.leads`; null when there is no such contact. */
  getContact(id: number, ctx?: RequestContext): Promise<KommoResult<KommoContact | null>>;
  addContacts(bodies: ContactBody[], ctx?: RequestContext): Promise<KommoResult<AddedEntity>[]>;
  updateContacts(patches: EntityPatch[], ctx?: RequestContext): Promise<KommoResult<UpdatedEntity>[]>;
  addLeads(bodies: LeadBody[], ctx?: RequestContext): Promise<KommoResult<AddedEntity>[]>;
  updateLeads(patches: EntityPatch[], ctx?: RequestContext): Promise<KommoResult<UpdatedEntity>[]>;
  /** With `_embedded.contacts`; null when there is no such lead. */
  getLead(id: number, ctx?: RequestContext): Promise<KommoResult<KommoLead | null>>;
  pipelines(ctx?: RequestContext): Promise<KommoResult<KommoPipeline[]>>;
  contactFields(ctx?: RequestContext): Promise<KommoResult<KommoCustomField[]>>;
  /** Is there a contacts field with code PHONE and the enum WORK? */
  checkPhoneField(ctx?: RequestContext): Promise<PhoneFieldCheck>;
  addUnsortedSip(bodies: UnsortedSipBody[], ctx?: RequestContext): Promise<KommoResult<AddedUnsorted>[]>;
  /**
   * The pending SIP incoming lead with this `source_uid`, or null: how an incoming lead whose answer was lost is
   * found again (the list of incoming leads, https://developers.kommo.com/reference/incoming-leads-list; Kommo
   * filters it by its own uid, category and pipeline, not by source_uid, so the pages are read and matched here).
   */
  findUnsorted(sourceUid: string, ctx?: RequestContext): Promise<KommoResult<Omit<AddedUnsorted, 'request_id'> | null>>;
  /** A miss (no entity has the phone) is KOMMO_ENTITY_NOT_FOUND, a refused body KOMMO_BAD_REQUEST. */
  addCalls(bodies: CallBody[], ctx?: RequestContext): Promise<KommoResult<AddedCall>[]>;
  addTasks(bodies: TaskBody[], ctx?: RequestContext): Promise<KommoResult<AddedEntity>[]>;
  users(ctx?: RequestContext): Promise<KommoResult<KommoUser[]>>;
  /** The call notes (call_in, call_out) of a contact or lead: how a call log already written is found again (by `params.uniq`). */
  callNotes(entity: 'contacts' | 'companies' | 'leads' | 'customers', id: number, ctx?: RequestContext): Promise<KommoResult<KommoNote[]>>;
  /**
   * The ids of a contact's customers ([] when there is no such contact). Kommo puts a call on the card of a
   * contact's only customer when it has no active lead (https://kommo.com/developers/content/api_v4/adding-calls).
   */
  customersOf(contactId: number, ctx?: RequestContext): Promise<KommoResult<number[]>>;
  /** The open tasks attached to a contact or lead. */
  openTasks(entity: 'contacts' | 'companies' | 'leads', id: number, ctx?: RequestContext): Promise<KommoResult<KommoTask[]>>;
  account(ctx?: RequestContext): Promise<KommoResult<KommoAccount>>;
  /**
   * The account's task types: Kommo predefines 1 Follow-up and 2 Meeting (https://developers.kommo.com/reference/tasks),
   * and an account adds its own (`GET /api/v4/account?with=task_types`, https://developers.kommo.com/reference/account-parameters).
   */
  taskTypes(ctx?: RequestContext): Promise<KommoResult<Array<{ id: number; name: string }>>>;
  /**
   * One request as a hook script asked for it (issue 19, `kommo.request` through capabilities/): the same token,
   * rate limit and retries as every other request (a POST is not retried when it may have been written). The
   * path is the script's, already checked to be an /api/v4/ path; a write drops the client's cached reads.
   */
  request(method: HttpMethod, path: string, body?: unknown, ctx?: RequestContext): Promise<KommoResult<{ status: number; body: unknown }>>;
  /**
   * Every contact or company, page by page (250 a page, oldest change first), each page handed to `onPage` as it
   * comes; with `updatedFrom` (Unix seconds, Kommo's clock) only those changed at or after it
   * (`filter[updated_at][from]`). Answers how many were read. The phone index's load and refresh (engine/phone-index).
   */
  phoneHolders(holder: 'contacts' | 'companies', updatedFrom: number | null, onPage: (items: KommoContact[]) => void, ctx?: RequestContext): Promise<KommoResult<number>>;
  /** The account's events of these types at or after `from` (Unix seconds): `contact_deleted`, `company_deleted`, `entity_merged`. */
  events(types: string[], from: number, ctx?: RequestContext): Promise<KommoResult<KommoEvent[]>>;
  /** Sends every waiting batch now. */
  flush(): void;
  stats(): KommoClientStats;
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);

const readAdded = (x: Json) => (typeof x.id === 'number' ? { id: x.id } : null);
const readUpdated = (x: Json) => (typeof x.id === 'number' ? { id: x.id, ...(num(x.updated_at) !== undefined ? { updated_at: num(x.updated_at) } : {}) } : null);
const readCall = (x: Json) => (typeof x.id === 'number' ? { id: x.id, entity_id: Number(x.entity_id), entity_type: String(x.entity_type) } : null);
function readUnsorted(x: Json): Omit<AddedUnsorted, 'request_id'> | null {
  if (typeof x.uid !== 'string') return null;
  const emb = isObj(x._embedded) ? x._embedded : {};
  const first = (k: string) => (Array.isArray(emb[k]) && isObj(emb[k][0]) ? num((emb[k][0] as Json).id) : undefined);
  const leadId = first('leads');
  const contactId = first('contacts');
  return { uid: x.uid, ...(leadId !== undefined ? { leadId } : {}), ...(contactId !== undefined ? { contactId } : {}) };
}

/** The phone numbers written in a contact body (any field value that looks like a number). */
function phonesIn(body: Json): string[] {
  const cfv = Array.isArray(body.custom_fields_values) ? body.custom_fields_values.filter(isObj) : [];
  return cfv.flatMap((f) => (Array.isArray(f.values) ? f.values.filter(isObj).map((v) => String(v.value ?? '')) : []))
    .filter((v) => /^[+\d\s().-]+$/.test(v) && v.replace(/\D/g, '').length >= 3);
}

/** The contact Kommo made from `body`, as a search would show it, when the body says all the registrar reads. */
function createdContact(body: Json, id: number): KommoContact | null {
  if (typeof body.name !== 'string' || typeof body.responsible_user_id !== 'number') return null;
  const cfv = Array.isArray(body.custom_fields_values) ? body.custom_fields_values.filter(isObj).map(fieldRead) : null;
  return { id, name: body.name, responsible_user_id: body.responsible_user_id, custom_fields_values: cfv, _embedded: { leads: [] } };
}

/** A custom field value as sent, kept as a read shows it (the body may name the field by its code only). */
function fieldRead(f: Json): CustomFieldValueRead {
  return {
    ...(typeof f.field_id === 'number' ? { field_id: f.field_id } : {}),
    ...(typeof f.field_code === 'string' ? { field_code: f.field_code } : {}),
    values: Array.isArray(f.values) ? f.values.filter(isObj).map((v) => ({ ...v, value: v.value })) : [],
  };
}

/** Who can hold a phone in Kommo: the collections searched by number. */
type PhoneHolder = 'contacts' | 'companies';

function hasPhone(c: KommoContact, key: string): boolean {
  return (c.custom_fields_values ?? []).some((f) => f.field_code === 'PHONE' && f.values.some((v) => phoneKey(String(v.value)) === key));
}

export function createKommoClient(options: KommoClientOptions): KommoClient {
  const now = options.now ?? Date.now;
  const logger = (options.logger ?? silentLogger).child({ module: 'kommo' });
  const rateWindowMs = options.rateWindowMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const limiter = createRateLimiter({ limit: options.requestsPerSecond ?? 7, windowMs: rateWindowMs, ...(options.rateMarginMs !== undefined ? { marginMs: options.rateMarginMs } : {}) });
  const http = createHttp({ baseUrl: options.baseUrl, timeoutMs });
  const byRoute: Record<string, number> = {};
  let requests = 0;
  const counted: typeof http = {
    async send(req) {
      requests += 1;
      const key = `${req.method} ${req.path.replace(/\/\d+(?=\/|$)/g, '/:id')}`;
      byRoute[key] = (byRoute[key] ?? 0) + 1;
      return http.send(req);
    },
  };
  let auth: AuthSession | null = null;
  const transport = createTransport({
    http: counted, limiter, auth: () => auth as AuthSession, retry: { ...DEFAULT_RETRY, ...options.retry }, timeoutMs, rateWindowMs,
    blockBackoffMs: options.blockBackoffMs ?? 5 * 60_000, now, logger, ...(options.random ? { random: options.random } : {}),
  });
  auth = createAuth(options.auth, {
    now, logger,
    exchange: async (body, ctx) => {
      const r = await transport.request({ method: 'POST', path: '/oauth2/access_token', body, tokenEndpoint: true, ...(ctx.linkedid ? { ctx: { linkedid: ctx.linkedid } } : {}) });
      return r.ok ? success(r.value.body) : r;
    },
  });
  const writeDeps = { transport, logger, errorExtra: { auth: options.auth.kind, timeoutMs } };
  const batchers: Record<string, Batcher<Json, unknown>> = {};
  function batcher<O extends { request_id: string }>(spec: WriteSpec<O>): Batcher<Json, O> {
    const sender = writeSender(spec, writeDeps);
    const b = createBatcher<Json, O>({
      windowMs: options.batch?.windowMs ?? 50, maxItems: Math.min(250, options.batch?.maxItems ?? 250), maxInFlight: options.batch?.maxInFlight ?? 1,
      // "If you get a 504 error, reduce the number of entities in the request" (https://developers.kommo.com/docs/limitations):
      // a batch answered 504 halves the batch size of this route for as long as the client lives.
      send: async (entries) => {
        const r = await sender(entries);
        if (entries.length > 1 && r.some((x) => !x.ok && x.error.status === 504)) {
          b.shrink(Math.ceil(entries.length / 2));
          logger.warn({ route: `${spec.method} ${spec.path}`, items: entries.length, maxItems: b.counts().maxItems }, 'kommo: 504 to a batch; later batches of this route are smaller');
        }
        return r;
      },
    });
    batchers[`${spec.method} ${spec.path}`] = b as Batcher<Json, unknown>;
    return b;
  }
  const contactsAdd = batcher<AddedEntity>({ method: 'POST', path: '/api/v4/contacts', entity: 'contacts', read: readAdded, createsEntities: true });
  const contactsUpdate = batcher<UpdatedEntity>({ method: 'PATCH', path: '/api/v4/contacts', entity: 'contacts', read: readUpdated, keepFieldClearing: true });
  const leadsAdd = batcher<AddedEntity>({ method: 'POST', path: '/api/v4/leads', entity: 'leads', read: readAdded, createsEntities: true });
  const leadsUpdate = batcher<UpdatedEntity>({ method: 'PATCH', path: '/api/v4/leads', entity: 'leads', read: readUpdated, keepFieldClearing: true });
  // A repeated source_uid is not refused by Kommo as its current reference reads: the duplicate is added and both
  // are tagged (https://developers.kommo.com/reference/incoming-leads). So an incoming lead is a write that must not
  // be sent twice blindly: the registrar looks it up (findUnsorted) before sending it again.
  const unsortedAdd = batcher<AddedUnsorted>({ method: 'POST', path: '/api/v4/leads/unsorted/sip', entity: 'unsorted', read: readUnsorted, createsEntities: true });
  const callsAdd = batcher<AddedCall>({ method: 'POST', path: '/api/v4/calls', entity: 'calls', read: readCall, errorExtra: (item) => ({ phone: item.phone }), createsEntities: true });
  const tasksAdd = batcher<AddedEntity>({ method: 'POST', path: '/api/v4/tasks', entity: 'tasks', read: readAdded, createsEntities: true });

  const cacheTtl = options.phoneCacheTtlMs ?? 30_000;
  const cache = createPhoneCache({ ttlMs: cacheTtl, now });
  const searching = new Map<string, Promise<KommoResult<KommoContact[]>>>();
  const cacheCounts = { hits: 0, misses: 0, shared: 0 };

  // Companies have phones too, and Kommo attaches a call to "the contact or company" with the number: their own
  // cache (hookline never writes companies), the same rules.
  const companyCache = createPhoneCache({ ttlMs: cacheTtl, now });
  const byHolder = {
    contacts: { cache, searching },
    companies: { cache: companyCache, searching: new Map<string, Promise<KommoResult<KommoContact[]>>>() },
  } as const;

  async function search(holder: PhoneHolder, key: string, ctx?: RequestContext): Promise<KommoResult<KommoContact[]>> {
    // The last 10 digits: a substring of the number however Kommo stores it (+31…, 0031…, 8…); the
    // results are then kept to those whose PHONE ends in the same digits, as Kommo's call matching does.
    const r = await getAll<KommoContact>(transport, `/api/v4/${holder}`, holder, { query: key, with: 'leads' }, ctx, 1);
    if (!r.ok) return r;
    const found = r.value.filter((c) => hasPhone(c, key));
    if (cacheTtl > 0) byHolder[holder].cache.set(key, found);
    return success(found);
  }

  async function findByPhone(holder: PhoneHolder, phone: string, ctx?: RequestContext): Promise<KommoResult<KommoContact[]>> {
    const key = phoneKey(phone);
    if (key.length < 3) {
      // Kommo's query would match nearly everyone; a number this short is nobody's phone.
      logger.debug({ linkedid: ctx?.linkedid, phone }, 'kommo: phone search skipped: fewer than 3 digits');
      return success([]);
    }
    const { cache: c, searching: inFlight } = byHolder[holder];
    const cached = cacheTtl > 0 ? c.get(key) : undefined;
    if (cached) {
      cacheCounts.hits += 1;
      logger.debug({ linkedid: ctx?.linkedid, key, holder }, 'kommo: phone search answered from the cache');
      return success(cached);
    }
    const pending = inFlight.get(key);
    if (pending) {
      cacheCounts.shared += 1;
      const r = await pending;
      return r.ok ? success(structuredClone(r.value)) : r;
    }
    cacheCounts.misses += 1;
    const p = search(holder, key, ctx).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    const r = await p;
    return r.ok ? success(structuredClone(r.value)) : r;
  }

  // Entities read by id, kept as long as phone answers (read-cache.ts: a burst of one client's calls read the same
  // contact and lead dozens of times, which Kommo counts as suspicious activity).
  const reads = createReadCache({ ttlMs: options.readCacheTtlMs ?? cacheTtl, now });
  async function cachedOne<T>(kind: CachedKind, id: number, query: Record<string, string>, ctx?: RequestContext): Promise<KommoResult<T | null>> {
    const hit = reads.get<T>(kind, id);
    if (hit) return success(hit);
    const r = await getOne<T>(transport, `/api/v4/${kind}/${id}`, query, ctx);
    if (r.ok && r.value !== null) reads.set(kind, id, r.value);
    return r;
  }
  /** The contacts and companies a lead body links (`_embedded.contacts` / `companies`): their leads change. */
  function forgetHolders(bodies: object[]): void {
    for (const b of bodies as Json[]) {
      const emb = isObj(b._embedded) ? b._embedded : {};
      for (const kind of ['contacts', 'companies'] as const) {
        const list = Array.isArray(emb[kind]) ? emb[kind] : [];
        reads.forget(kind, list.filter(isObj).map((x) => num(x.id)).filter((x): x is number => x !== undefined));
      }
    }
  }

  // Every body type is an open record (kommo-types.ts): the batcher takes them as JSON objects.
  const asJson = <T extends Json>(xs: T[]): Json[] => xs;

  return {
    findContactsByPhone: (phone, ctx) => findByPhone('contacts', phone, ctx),
    findCompaniesByPhone: (phone, ctx) => findByPhone('companies', phone, ctx),
    forgetPhone(phone) {
      cache.forgetPhones([phone]);
      companyCache.forgetPhones([phone]);
    },
    clearPhoneCache() {
      reads.clear();
      cache.clear();
      companyCache.clear();
    },
    getContact: (id, ctx) => cachedOne<KommoContact>('contacts', id, { with: 'leads' }, ctx),
    async hasCompanies(ctx) {
      // One company is enough to know: a page of one, not of 250.
      const r = await getAll<KommoCompany>(transport, '/api/v4/companies', 'companies', {}, ctx, 1, 1);
      return r.ok ? success(r.value.length > 0) : r;
    },
    getCompany: (id, ctx) => cachedOne<KommoCompany>('companies', id, { with: 'leads' }, ctx),
    async addContacts(bodies, ctx) {
      const r = await contactsAdd.add(asJson(bodies), ctx);
      // Write-through: where the cache holds the answer for a phone (the search that found nobody, just
      // before), the new contact joins it, so the client's next call needs no search; Kommo's search may also
      // not show a contact created a moment ago. Otherwise (no entry, a failed create, a body whose name or
      // responsible user Kommo would fill in) the phone is forgotten and the next call asks Kommo.
      bodies.forEach((b, i) => {
        const added = r[i];
        const made = added?.ok ? createdContact(b, added.value.id) : null;
        for (const key of new Set(phonesIn(b).map(phoneKey))) {
          const known = made ? cache.get(key) : undefined;
          if (known && made) cache.set(key, [...known.filter((c) => c.id !== made.id), made]);
          else cache.forgetPhones([key]);
        }
      });
      return r;
    },
    async updateContacts(patches, ctx) {
      reads.forget('contacts', patches.map((p) => p.id));
      const r = await contactsUpdate.add(asJson(patches), ctx);
      reads.forget('contacts', patches.map((p) => p.id));
      cache.forgetPhones(patches.flatMap((b) => phonesIn(b)));
      cache.forgetContacts(patches.map((p) => p.id));
      return r;
    },
    async addLeads(bodies, ctx) {
      // A new lead changes its contact's and company's leads, whether or not its answer comes back.
      forgetHolders(bodies);
      const r = await leadsAdd.add(asJson(bodies), ctx);
      forgetHolders(bodies);
      return r;
    },
    async updateLeads(patches, ctx) {
      reads.forget('leads', patches.map((p) => p.id));
      const r = await leadsUpdate.add(asJson(patches), ctx);
      reads.forget('leads', patches.map((p) => p.id));
      forgetHolders(patches);
      return r;
    },
    getLead: (id, ctx) => cachedOne<KommoLead>('leads', id, { with: 'contacts' }, ctx),
    pipelines: (ctx) => getList<KommoPipeline>(transport, '/api/v4/leads/pipelines', 'pipelines', ctx),
    contactFields: (ctx) => getAll<KommoCustomField>(transport, '/api/v4/contacts/custom_fields', 'custom_fields', {}, ctx),
    async checkPhoneField(ctx) {
      return phoneFieldOf(await getAll<KommoCustomField>(transport, '/api/v4/contacts/custom_fields', 'custom_fields', {}, ctx), ctx);
    },
    async addUnsortedSip(bodies, ctx) {
      const r = await unsortedAdd.add(asJson(bodies), ctx);
      // The incoming lead brings its contact: a cached "nobody has this phone" is no longer true.
      cache.forgetPhones(bodies.flatMap((b) => [...(b._embedded?.contacts ?? []).flatMap((c) => phonesIn(c as Json)), ...(b.metadata?.phone !== undefined ? [String(b.metadata.phone)] : [])]));
      return r;
    },
    async findUnsorted(sourceUid, ctx) {
      const r = await getAll<Json>(transport, '/api/v4/leads/unsorted', 'unsorted', { 'filter[category][]': ['sip'], 'order[created_at]': 'desc' }, ctx, 20);
      if (!r.ok) return r;
      const found = r.value.find((u) => u.source_uid === sourceUid);
      return success(found ? readUnsorted(found) : null);
    },
    addCalls: (bodies, ctx) => callsAdd.add(asJson(bodies), ctx),
    addTasks: (bodies, ctx) => tasksAdd.add(asJson(bodies), ctx),
    users: (ctx) => getAll<KommoUser>(transport, '/api/v4/users', 'users', {}, ctx),
    callNotes: (entity, id, ctx) => getAll<KommoNote>(transport, `/api/v4/${entity}/${id}/notes`, 'notes', { 'filter[note_type][]': ['call_in', 'call_out'] }, ctx),
    async customersOf(contactId, ctx) {
      const r = await getOne<Json>(transport, `/api/v4/contacts/${contactId}`, { with: 'customers' }, ctx);
      if (!r.ok) return r;
      const list = r.value && isObj(r.value._embedded) ? r.value._embedded.customers : undefined;
      return success(Array.isArray(list) ? list.filter(isObj).map((x) => num(x.id)).filter((x): x is number => x !== undefined) : []);
    },
    openTasks: (entity, id, ctx) => getAll<KommoTask>(transport, '/api/v4/tasks', 'tasks', { 'filter[entity_type]': entity, 'filter[entity_id][]': [String(id)], 'filter[is_completed]': '0' }, ctx),
    account: (ctx) => getRequired<KommoAccount>(transport, '/api/v4/account', ctx),
    async taskTypes(ctx) {
      const r = await getOne<Json>(transport, '/api/v4/account', { with: 'task_types' }, ctx);
      if (!r.ok) return r;
      const list = r.value && isObj(r.value._embedded) ? r.value._embedded.task_types : undefined;
      return success(Array.isArray(list) ? list.filter(isObj).map((t) => ({ id: Number(t.id), name: String(t.name ?? '') })) : []);
    },
    async request(method, path, body, ctx) {
      const r = await transport.request({ method, path, ...(body !== undefined ? { body } : {}), ...(ctx ? { ctx } : {}), createsEntities: method === 'POST' });
      if (method !== 'GET') {
        // A script's write may change any contact, lead or company the caches hold.
        reads.clear();
        cache.clear();
        companyCache.clear();
      }
      return r.ok ? success({ status: r.value.status, body: r.value.body ?? null }) : r;
    },
    phoneHolders: (holder, updatedFrom, onPage, ctx) => phoneHolders(transport, holder, updatedFrom, onPage, ctx),
    events: (types, from, ctx) => eventsSince(transport, types, from, ctx),
    flush() {
      for (const b of Object.values(batchers)) b.flush();
    },
    stats() {
      const batches: KommoClientStats['batches'] = {};
      for (const [k, b] of Object.entries(batchers)) batches[k] = b.counts();
      return {
        requests, byRoute: { ...byRoute }, phoneCache: { ...cacheCounts, size: cache.size() }, batches,
        limiter: limiter.stats(), blockedUntil: transport.blockedUntil(),
      };
    },
  };
}
