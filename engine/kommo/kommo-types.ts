/**
 * What the client sends and gets back, in Kommo API v4's own field names (https://developers.kommo.com/reference).
 * Bodies are open (`[key: string]: unknown`): hook scripts may add any field Kommo takes, and the client
 * passes it through. Read models name the fields hookline uses and keep the rest.
 */

export interface CustomFieldValueInput {
  field_id?: number;
  field_code?: string;
  /** `null` only on updates, where it clears the field. */
  values: { value?: unknown; enum_code?: string; enum_id?: number; [key: string]: unknown }[] | null;
  [key: string]: unknown;
}

export interface ContactBody {
  name?: string;
  first_name?: string;
  last_name?: string;
  responsible_user_id?: number;
  custom_fields_values?: CustomFieldValueInput[];
  [key: string]: unknown;
}

export interface LeadBody {
  name?: string;
  price?: number;
  status_id?: number;
  pipeline_id?: number;
  responsible_user_id?: number;
  _embedded?: { contacts?: { id: number; [key: string]: unknown }[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** A PATCH item: the entity's id and the fields to change. */
export interface EntityPatch {
  id: number;
  [key: string]: unknown;
}

/** POST /api/v4/calls (https://kommo.com/developers/content/api_v4/adding-calls). */
export interface CallBody {
  direction: 'inbound' | 'outbound';
  duration: number;
  source: string;
  phone: string;
  uniq?: string;
  link?: string;
  call_status?: number;
  call_result?: string;
  call_responsible?: number | string;
  responsible_user_id?: number;
  created_by?: number;
  created_at?: number;
  [key: string]: unknown;
}

/** POST /api/v4/tasks: `text` and `complete_till` are required. */
export interface TaskBody {
  text: string;
  complete_till: number;
  entity_id?: number;
  entity_type?: 'leads' | 'contacts' | 'companies' | 'customers';
  responsible_user_id?: number;
  task_type_id?: number;
  [key: string]: unknown;
}

/** POST /api/v4/leads/unsorted/sip (https://kommo.com/developers/content/api_v4/incoming-leads). */
export interface UnsortedSipBody {
  source_uid: string;
  source_name: string;
  pipeline_id?: number;
  created_at?: number;
  metadata?: {
    uniq?: string;
    from?: string;
    phone?: string | number;
    called_at?: number;
    duration?: number;
    link?: string;
    service_code?: string;
    is_call_event_needed?: boolean;
    call_responsible?: number | string;
    [key: string]: unknown;
  };
  _embedded?: { leads?: LeadBody[]; contacts?: ContactBody[]; [key: string]: unknown };
  [key: string]: unknown;
}

export interface CustomFieldValueRead {
  /** Always in Kommo's answers; absent in a contact the client cached from a body that named the field by its code. */
  field_id?: number;
  field_name?: string;
  field_code?: string | null;
  field_type?: string;
  values: { value: unknown; enum_id?: number; enum?: string; enum_code?: string }[];
}

export interface KommoContact {
  id: number;
  name: string;
  first_name?: string;
  last_name?: string;
  responsible_user_id: number;
  created_at?: number;
  updated_at?: number;
  custom_fields_values: CustomFieldValueRead[] | null;
  _embedded?: { leads?: { id: number }[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** A company as Kommo reads it: the same shape as a contact (name, responsible user, PHONE values, `_embedded.leads`). */
export type KommoCompany = KommoContact;

export interface KommoLead {
  id: number;
  name: string;
  price?: number;
  status_id: number;
  pipeline_id: number;
  responsible_user_id: number;
  closed_at?: number | null;
  _embedded?: { contacts?: { id: number; is_main?: boolean }[]; [key: string]: unknown };
  [key: string]: unknown;
}

export interface KommoStatus {
  id: number;
  name: string;
  sort: number;
  pipeline_id: number;
  /** 1: the Unsorted stage. */
  type: number;
  [key: string]: unknown;
}

export interface KommoPipeline {
  id: number;
  name: string;
  sort: number;
  is_main: boolean;
  _embedded: { statuses: KommoStatus[] };
  [key: string]: unknown;
}

export interface KommoCustomField {
  id: number;
  name: string;
  code: string | null;
  type: string;
  enums: { id: number; value: string; sort: number }[] | null;
  [key: string]: unknown;
}

export interface KommoUser {
  id: number;
  name: string;
  email?: string;
  [key: string]: unknown;
}

export interface KommoAccount {
  id: number;
  name: string;
  subdomain?: string;
  current_user_id?: number;
  [key: string]: unknown;
}

/** A created entity: its id and the `request_id` the caller sent (or its index in the caller's array). */
export interface AddedEntity {
  id: number;
  request_id: string;
}

export interface UpdatedEntity {
  id: number;
  updated_at?: number;
  request_id: string;
}

export interface AddedCall {
  id: number;
  entity_id: number;
  entity_type: string;
  request_id: string;
}

export interface AddedUnsorted {
  uid: string;
  request_id: string;
  leadId?: number;
  contactId?: number;
}

/** A note as Kommo lists it; call notes (call_in, call_out) carry the call in `params`. */
export interface KommoNote {
  id: number;
  entity_id: number;
  note_type: string;
  params?: { uniq?: string; duration?: number; source?: string; link?: string; phone?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface KommoTask {
  id: number;
  text: string;
  complete_till: number;
  entity_id: number | null;
  entity_type: string | null;
  is_completed: boolean;
  responsible_user_id: number;
  [key: string]: unknown;
}
