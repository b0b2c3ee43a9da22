/**
 * The entities as the emulator keeps them: the same field names and shapes Kommo returns on read
 * (https://developers.kommo.com/reference/contacts-list and siblings), minus `_links`, which depend on the
 * URL the emulator listens on and are added when a response is built.
 */

export interface CustomFieldValue {
  value: string | number | boolean;
  enum_id?: number;
  enum_code?: string;
}

/** A custom field value on read: `enum_id` + `enum`, never `enum_code` (that is the write spelling). */
export interface StoredFieldValues {
  field_id: number;
  field_name: string;
  field_code: string | null;
  field_type: string;
  values: Array<{ value: string | number | boolean; enum_id?: number; enum?: string }>;
}

export interface KommoUser {
  id: number;
  name: string;
  email: string;
  lang: string;
  rights: { is_admin: boolean; is_free: boolean; is_active: boolean; group_id: number | null; role_id: number | null };
}

export interface CustomFieldEnum {
  id: number;
  value: string;
  sort: number;
}

export interface KommoCustomField {
  id: number;
  name: string;
  code: string | null;
  sort: number;
  type: 'multitext' | 'text' | 'numeric' | 'select' | 'multiselect' | 'checkbox' | 'date' | 'url';
  entity_type: 'contacts' | 'leads' | 'companies';
  is_predefined: boolean;
  is_deletable: boolean;
  is_visible: boolean;
  is_api_only: boolean;
  group_id: string | null;
  required_statuses: unknown[];
  remind: null;
  enums: CustomFieldEnum[] | null;
}

export interface KommoStatus {
  id: number;
  name: string;
  sort: number;
  is_editable: boolean;
  pipeline_id: number;
  color: string;
  /** 1 = the Unsorted (incoming leads) status, 0 = any other. */
  type: 0 | 1;
}

export interface KommoPipeline {
  id: number;
  name: string;
  sort: number;
  is_main: boolean;
  is_unsorted_on: boolean;
  is_archive: boolean;
  statuses: KommoStatus[];
}

/** What contacts and companies share: both hold phones (in their own `PHONE` field) that calls are matched by. */
interface KommoPhoneHolder {
  id: number;
  name: string;
  responsible_user_id: number;
  group_id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  closest_task_at: number | null;
  is_deleted: boolean;
  custom_fields_values: StoredFieldValues[] | null;
  account_id: number;
  tags: Array<{ id: number; name: string }>;
}

export interface KommoContact extends KommoPhoneHolder {
  first_name: string;
  last_name: string;
  /** True while the contact belongs to an incoming (unsorted) lead not yet accepted: hidden from lists. */
  is_unsorted: boolean;
}

/** A company: phones in its own `PHONE` field (entity_type `companies`), as Kommo keeps fields per entity. */
export type KommoCompany = KommoPhoneHolder;

export interface KommoLead {
  id: number;
  name: string;
  price: number;
  responsible_user_id: number;
  group_id: number;
  status_id: number;
  pipeline_id: number;
  loss_reason_id: number | null;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  closest_task_at: number | null;
  is_deleted: boolean;
  custom_fields_values: StoredFieldValues[] | null;
  score: number | null;
  account_id: number;
  tags: Array<{ id: number; name: string }>;
  contact_ids: number[];
  /** The lead's company (Kommo allows one), set only when there is one: read back as `_embedded.companies`. */
  company_id?: number;
}

export type UnsortedStatus = 'pending' | 'accepted' | 'declined';

export interface KommoUnsorted {
  uid: string;
  source_uid: string;
  source_name: string;
  category: 'sip';
  pipeline_id: number;
  created_at: number;
  metadata: Record<string, unknown>;
  account_id: number;
  lead_id: number;
  contact_ids: number[];
  /** Not a Kommo field: where the incoming lead stands, so tests can assert accept and decline. */
  status: UnsortedStatus;
}

export interface KommoCall {
  id: number;
  entity_id: number;
  entity_type: 'contact' | 'lead' | 'company' | 'customer';
  account_id: number;
  direction: 'inbound' | 'outbound';
  uniq?: string;
  duration: number;
  source: string;
  link?: string;
  phone: string;
  call_result?: string;
  call_status?: number;
  call_responsible?: number | string;
  responsible_user_id?: number;
  created_by?: number;
  updated_by?: number;
  created_at: number;
  updated_at: number;
}

export interface KommoTask {
  id: number;
  text: string;
  complete_till: number;
  responsible_user_id: number;
  entity_id: number | null;
  entity_type: 'leads' | 'contacts' | 'companies' | 'customers' | null;
  is_completed: boolean;
  task_type_id: number;
  duration: number;
  result: { text?: string } | null;
  group_id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  account_id: number;
}

export interface KommoAccountInfo {
  id: number;
  name: string;
  subdomain: string;
  country: string;
  currency: string;
  currency_symbol: string;
  current_user_id: number;
  created_at: number;
  /**
   * The account's task types beyond Kommo's two predefined ones (1 Follow-up, 2 Meeting): accounts define their
   * own, listed by `GET /api/v4/account?with=task_types` (https://developers.kommo.com/reference/account-parameters).
   */
  task_types?: KommoTaskType[];
}

export interface KommoTaskType {
  id: number;
  name: string;
  code: string | null;
}

/**
 * An entry of the account's events list (`GET /api/v4/events`,
 * https://www.amocrm.ru/developers/content/crm_platform/events-and-notes): what happened to which entity, when. The
 * emulator records the deletions, restorations and merges of contacts and companies (the types a copy of the
 * account's phones needs: an entity gone from the lists shows up nowhere else).
 */
export interface KommoEvent {
  /** Kommo's event ids are 26-character strings (`01drbfj5a8k9zd60bgg907a6w9`). */
  id: string;
  type: 'contact_deleted' | 'company_deleted' | 'contact_restored' | 'company_restored' | 'entity_merged';
  entity_id: number;
  entity_type: 'contact' | 'company';
  created_by: number;
  created_at: number;
  value_after: unknown[];
  value_before: unknown[];
  account_id: number;
}

/** Everything the emulator holds, as `state()` and `GET /__sim/state` return it. */
export interface KommoState {
  account: KommoAccountInfo;
  users: KommoUser[];
  customFields: KommoCustomField[];
  pipelines: KommoPipeline[];
  contacts: KommoContact[];
  companies: KommoCompany[];
  leads: KommoLead[];
  unsorted: KommoUnsorted[];
  calls: KommoCall[];
  tasks: KommoTask[];
  customers: KommoCustomer[];
  notes: KommoNoteRecord[];
  events: KommoEvent[];
}

/** A note added by `POST /api/v4/{entity}/{id}/notes` (https://developers.kommo.com/reference/adding-notes). */
export interface KommoNoteRecord {
  id: number;
  entity_type: 'lead' | 'contact' | 'company';
  entity_id: number;
  note_type: string;
  params: Record<string, unknown>;
  created_by: number;
  created_at: number;
  updated_at: number;
  responsible_user_id: number;
  account_id: number;
}

/**
 * A customer (Kommo's periodic-purchase entity), linked to contacts. Only what call matching needs: Kommo puts a call
 * on the card of a contact's only customer when the contact has no active lead (adding-calls page).
 */
export interface KommoCustomer {
  id: number;
  name: string;
  contact_ids: number[];
  responsible_user_id: number;
  created_at: number;
  updated_at: number;
  account_id: number;
}

export interface CustomerSeed {
  id?: number;
  name: string;
  contact_ids: number[];
  responsible_user_id?: number;
}

/** A contact to seed: a name and phone numbers (each `WORK` unless given as `{value, enum}`). */
export interface ContactSeed {
  id?: number;
  name: string;
  phones?: Array<string | { value: string; enum: string }>;
  responsible_user_id?: number;
}

/** A company to seed: a name and phone numbers in the companies' `PHONE` field (each `WORK` unless given as `{value, enum}`). */
export interface CompanySeed {
  id?: number;
  name: string;
  phones?: Array<string | { value: string; enum: string }>;
  responsible_user_id?: number;
}

/** A lead to seed, linked to contacts (and at most one company) by id. Default status: the first stage after Unsorted of the main pipeline. */
export interface LeadSeed {
  id?: number;
  name: string;
  price?: number;
  status_id?: number;
  pipeline_id?: number;
  responsible_user_id?: number;
  contact_ids?: number[];
  company_id?: number;
}

/** The account an emulator starts with. `customFields` without a `PHONE` field gives the "refuse to register" path. */
export interface KommoAccountSeed {
  account: KommoAccountInfo;
  users: KommoUser[];
  customFields: KommoCustomField[];
  pipelines: KommoPipeline[];
  contacts: ContactSeed[];
  /** Optional so that seeds written before companies existed still type-check; none when absent. */
  companies?: CompanySeed[];
  leads: LeadSeed[];
}
