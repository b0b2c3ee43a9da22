/**
 * The emulator's in-memory account: entities by id, id counters, and the few lookups the routes share.
 * Ids are sequential from fixed bases so that a test can predict them.
 */
import { createHash } from 'node:crypto';
import { phonesOf } from './field-values.ts';
import { phoneKey } from './phone.ts';
import { STATUS_LOST, STATUS_WON } from './seeds.ts';
import type {
  CompanySeed, ContactSeed, CustomerSeed, KommoCustomer, KommoAccountInfo, KommoEvent, KommoAccountSeed, KommoCall, KommoCompany, KommoContact, KommoCustomField, KommoLead,
  KommoNoteRecord, KommoPipeline, KommoState, KommoStatus, KommoTask, KommoUnsorted, KommoUser, LeadSeed, StoredFieldValues,
} from './types.ts';

/** Users are 5_001_xxx (seeds.ts), so companies start above them. */
const ID_BASE = { contact: 1_000_001, lead: 2_000_001, call: 3_000_001, task: 4_000_001, company: 6_000_001, customer: 8_000_001, note: 9_000_001, unsorted: 1 } as const;
type IdKind = keyof typeof ID_BASE;

/** Default of StartKommoOptions.maxCallsAndTasksKept. */
export const DEFAULT_MAX_CALLS_AND_TASKS_KEPT = 10_000;

/** Drops the first-inserted (oldest) entries past `max`. */
function keepRecent<K, V>(map: Map<K, V>, max: number): void {
  for (const k of map.keys()) {
    if (map.size <= max) break;
    map.delete(k);
  }
}

export class KommoStore {
  account: KommoAccountInfo;
  users: KommoUser[];
  customFields: KommoCustomField[];
  pipelines: KommoPipeline[];
  contacts = new Map<number, KommoContact>();
  companies = new Map<number, KommoCompany>();
  customers = new Map<number, KommoCustomer>();
  leads = new Map<number, KommoLead>();
  unsorted = new Map<string, KommoUnsorted>();
  calls = new Map<number, KommoCall>();
  tasks = new Map<number, KommoTask>();
  /** Notes added through `POST /api/v4/{entity}/{id}/notes` (common notes a script writes; call notes are `calls`). */
  notes = new Map<number, KommoNoteRecord>();
  /** The events list (events.ts): oldest first, kept as long as calls and tasks are. */
  events: KommoEvent[] = [];
  #eventSeq = 0;
  #next: Record<IdKind, number> = { ...ID_BASE };
  #nowSec: () => number;
  /** Calls and tasks kept, each; the oldest go first (write-only records: the demo adds them for months). */
  #maxKept: number;

  constructor(seed: KommoAccountSeed, nowSec: () => number, maxKept = DEFAULT_MAX_CALLS_AND_TASKS_KEPT) {
    this.#nowSec = nowSec;
    this.#maxKept = Math.max(1, maxKept);
    this.account = structuredClone(seed.account);
    this.users = structuredClone(seed.users);
    this.customFields = structuredClone(seed.customFields);
    this.pipelines = structuredClone(seed.pipelines);
    for (const c of seed.contacts) this.seedContact(c);
    for (const c of seed.companies ?? []) this.seedCompany(c);
    for (const l of seed.leads) this.seedLead(l);
  }

  now(): number {
    return this.#nowSec();
  }

  addCall(call: KommoCall): void {
    this.calls.set(call.id, call);
    keepRecent(this.calls, this.#maxKept);
  }

  addNote(note: KommoNoteRecord): void {
    this.notes.set(note.id, note);
    keepRecent(this.notes, this.#maxKept);
  }

  addTask(task: KommoTask): void {
    this.tasks.set(task.id, task);
    keepRecent(this.tasks, this.#maxKept);
  }

  /** Records an event at the current second (`GET /api/v4/events`). */
  addEvent(e: Omit<KommoEvent, 'id' | 'created_at' | 'account_id' | 'created_by'>): KommoEvent {
    this.#eventSeq += 1;
    const event: KommoEvent = {
      id: `01sim${String(this.#eventSeq).padStart(21, '0')}`, created_at: this.now(), created_by: this.currentUserId, account_id: this.account.id, ...e,
    };
    this.events.push(event);
    if (this.events.length > this.#maxKept) this.events.splice(0, this.events.length - this.#maxKept);
    return event;
  }

  nextId(kind: IdKind): number {
    const id = this.#next[kind];
    this.#next[kind] = id + 1;
    return id;
  }

  /** A 40-hex-digit uid like Kommo's, derived from a counter so runs are repeatable. */
  nextUid(): string {
    return createHash('sha1').update(`unsorted:${this.nextId('unsorted')}`).digest('hex');
  }

  /** Keeps the counter past an id chosen by a seed. */
  #reserve(kind: IdKind, id: number): void {
    if (id >= this.#next[kind]) this.#next[kind] = id + 1;
  }

  get currentUserId(): number {
    return this.account.current_user_id;
  }

  fieldsFor(entity: KommoCustomField['entity_type']): KommoCustomField[] {
    return this.customFields.filter((f) => f.entity_type === entity);
  }

  mainPipeline(): KommoPipeline | undefined {
    return this.pipelines.find((p) => p.is_main) ?? this.pipelines[0];
  }

  pipeline(id: number): KommoPipeline | undefined {
    return this.pipelines.find((p) => p.id === id);
  }

  /** A status by id; 142 and 143 exist in every pipeline, so the pipeline decides which one. */
  status(statusId: number, pipelineId?: number): KommoStatus | undefined {
    const pipes = pipelineId === undefined ? this.pipelines : this.pipelines.filter((p) => p.id === pipelineId);
    for (const p of pipes) {
      const s = p.statuses.find((x) => x.id === statusId);
      if (s) return s;
    }
    return undefined;
  }

  unsortedStatus(p: KommoPipeline): KommoStatus | undefined {
    return p.statuses.find((s) => s.type === 1);
  }

  /** "A missing status_id means the first stage of the main pipeline" (after Unsorted). */
  firstStage(p: KommoPipeline): KommoStatus | undefined {
    return p.statuses.find((s) => s.type === 0 && s.id !== STATUS_WON && s.id !== STATUS_LOST);
  }

  isActive(lead: KommoLead): boolean {
    return !lead.is_deleted && lead.status_id !== STATUS_WON && lead.status_id !== STATUS_LOST;
  }

  /** Visible contacts: not deleted and not hidden behind an incoming lead that was not accepted. */
  visibleContacts(): KommoContact[] {
    return [...this.contacts.values()].filter((c) => !c.is_deleted && !c.is_unsorted);
  }

  visibleCompanies(): KommoCompany[] {
    return [...this.companies.values()].filter((c) => !c.is_deleted);
  }

  /** Visible contacts by the last 10 digits of each phone: one scan per request instead of one per call. */
  phoneIndex(): Map<string, KommoContact[]> {
    return indexByPhone(this.visibleContacts());
  }

  /** The same for companies, which Kommo's call matching looks at after contacts. */
  companyPhoneIndex(): Map<string, KommoCompany[]> {
    return indexByPhone(this.visibleCompanies());
  }

  leadsOf(contactId: number): KommoLead[] {
    return [...this.leads.values()].filter((l) => !l.is_deleted && l.contact_ids.includes(contactId));
  }

  customersOf(contactId: number): KommoCustomer[] {
    return [...this.customers.values()].filter((c) => c.contact_ids.includes(contactId));
  }

  seedCustomer(seed: CustomerSeed): KommoCustomer {
    const now = this.now();
    const id = seed.id ?? this.nextId('customer');
    const c: KommoCustomer = {
      id, name: seed.name, contact_ids: [...seed.contact_ids], responsible_user_id: seed.responsible_user_id ?? this.currentUserId,
      created_at: now, updated_at: now, account_id: this.account.id,
    };
    this.customers.set(id, c);
    return c;
  }

  leadsOfCompany(companyId: number): KommoLead[] {
    return [...this.leads.values()].filter((l) => !l.is_deleted && l.company_id === companyId);
  }

  newContact(fields: Partial<KommoContact>): KommoContact {
    const now = this.now();
    const id = fields.id ?? this.nextId('contact');
    this.#reserve('contact', id);
    const c: KommoContact = {
      id, name: '', first_name: '', last_name: '', responsible_user_id: this.currentUserId, group_id: 0,
      created_by: this.currentUserId, updated_by: this.currentUserId, created_at: now, updated_at: now,
      closest_task_at: null, is_deleted: false, is_unsorted: false, custom_fields_values: null,
      account_id: this.account.id, tags: [], ...fields,
    };
    c.id = id;
    this.contacts.set(id, c);
    return c;
  }

  newCompany(fields: Partial<KommoCompany>): KommoCompany {
    const now = this.now();
    const id = fields.id ?? this.nextId('company');
    this.#reserve('company', id);
    const c: KommoCompany = {
      id, name: '', responsible_user_id: this.currentUserId, group_id: 0,
      created_by: this.currentUserId, updated_by: this.currentUserId, created_at: now, updated_at: now,
      closest_task_at: null, is_deleted: false, custom_fields_values: null, account_id: this.account.id, tags: [], ...fields,
    };
    c.id = id;
    this.companies.set(id, c);
    return c;
  }

  newLead(fields: Partial<KommoLead> & { status_id: number; pipeline_id: number }): KommoLead {
    const now = this.now();
    const id = fields.id ?? this.nextId('lead');
    this.#reserve('lead', id);
    const l: KommoLead = {
      id, name: '', price: 0, responsible_user_id: this.currentUserId, group_id: 0, loss_reason_id: null,
      created_by: this.currentUserId, updated_by: this.currentUserId, created_at: now, updated_at: now,
      closed_at: null, closest_task_at: null, is_deleted: false, custom_fields_values: null, score: null,
      account_id: this.account.id, tags: [], contact_ids: [], ...fields,
    };
    l.id = id;
    this.leads.set(id, l);
    return l;
  }

  /** Phones (a seed's, or a manager's edit) as the stored values of the entity's `PHONE` field; null without phones or without the field. */
  phoneValues(entity: 'contacts' | 'companies', seedPhones: ContactSeed['phones']): StoredFieldValues[] | null {
    const phoneField = this.fieldsFor(entity).find((f) => f.code === 'PHONE');
    const phones = (seedPhones ?? []).map((p) => (typeof p === 'string' ? { value: p, enum: 'WORK' } : p));
    return phoneField && phones.length > 0
      ? [{
          field_id: phoneField.id, field_name: phoneField.name, field_code: phoneField.code, field_type: phoneField.type,
          values: phones.map((p) => {
            const e = phoneField.enums?.find((x) => x.value === p.enum);
            return e ? { value: p.value, enum_id: e.id, enum: e.value } : { value: p.value };
          }),
        }]
      : null;
  }

  seedContact(seed: ContactSeed): KommoContact {
    return this.newContact({
      ...(seed.id !== undefined ? { id: seed.id } : {}),
      name: seed.name,
      responsible_user_id: seed.responsible_user_id ?? this.currentUserId,
      custom_fields_values: this.phoneValues('contacts', seed.phones),
    });
  }

  seedCompany(seed: CompanySeed): KommoCompany {
    return this.newCompany({
      ...(seed.id !== undefined ? { id: seed.id } : {}),
      name: seed.name,
      responsible_user_id: seed.responsible_user_id ?? this.currentUserId,
      custom_fields_values: this.phoneValues('companies', seed.phones),
    });
  }

  seedLead(seed: LeadSeed): KommoLead {
    const pipe = (seed.pipeline_id !== undefined ? this.pipeline(seed.pipeline_id) : undefined) ?? this.mainPipeline();
    if (!pipe) throw new Error('sim/kommo: a lead needs a pipeline, and the account has none');
    const statusId = seed.status_id ?? this.firstStage(pipe)?.id ?? STATUS_WON;
    return this.newLead({
      ...(seed.id !== undefined ? { id: seed.id } : {}),
      name: seed.name, price: seed.price ?? 0, pipeline_id: pipe.id, status_id: statusId,
      responsible_user_id: seed.responsible_user_id ?? this.currentUserId, contact_ids: seed.contact_ids ?? [],
      ...(seed.company_id !== undefined ? { company_id: seed.company_id } : {}),
    });
  }

  snapshot(): KommoState {
    return structuredClone({
      account: this.account, users: this.users, customFields: this.customFields, pipelines: this.pipelines,
      contacts: [...this.contacts.values()], companies: [...this.companies.values()], leads: [...this.leads.values()], unsorted: [...this.unsorted.values()],
      calls: [...this.calls.values()], tasks: [...this.tasks.values()], customers: [...this.customers.values()], notes: [...this.notes.values()], events: this.events,
    });
  }
}

/** Entities by the last 10 digits of each of their phones. */
function indexByPhone<T extends { custom_fields_values: StoredFieldValues[] | null }>(entities: T[]): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const c of entities) {
    for (const key of new Set(phonesOf(c.custom_fields_values).map(phoneKey).filter((x) => x !== ''))) {
      const list = index.get(key);
      if (list) list.push(c);
      else index.set(key, [c]);
    }
  }
  return index;
}
