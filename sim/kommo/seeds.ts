/**
 * Accounts to start the emulator with. `demo` has users, a `PHONE` field, two pipelines and a few contacts
 * whose numbers occur in the AMI fixtures (tests/fixtures/ami, ../shared/fixtures/ami): +31260010001 and
 * +31150010001 (cacofonisk's external callers) and 123 (the trunk caller in callme). The other external numbers of the
 * fixtures (+31150010004, 260010001, …) match nobody, so a demo run both finds clients and creates them.
 * One company, Acme Logistics BV, has +31201234567, which no contact has: the path where a call goes to a company.
 */
import type { KommoAccountSeed, KommoCustomField, KommoPipeline, KommoUser } from './types.ts';

export type AccountName = 'demo' | 'empty' | 'no-phone-field';
export const ACCOUNT_NAMES: readonly AccountName[] = ['demo', 'empty', 'no-phone-field'];

export const DEMO_ACCOUNT_ID = 31_000_001;
export const PHONE_FIELD_ID = 264_001;
export const EMAIL_FIELD_ID = 264_003;
/** Companies have their own fields in Kommo: this is their `PHONE`, not the contacts' one. */
export const COMPANY_PHONE_FIELD_ID = 264_005;
/** The demo account's own task type "Email" (Kommo predefines only 1 Follow-up and 2 Meeting). */
export const DEMO_EMAIL_TASK_TYPE_ID = 3_101;
export const MAIN_PIPELINE_ID = 7_001;
export const SUPPORT_PIPELINE_ID = 7_002;
/** Kommo's fixed ids for the two closing statuses, present in every pipeline. */
export const STATUS_WON = 142;
export const STATUS_LOST = 143;

function user(id: number, name: string, email: string, isAdmin: boolean): KommoUser {
  return { id, name, email, lang: 'en', rights: { is_admin: isAdmin, is_free: false, is_active: true, group_id: null, role_id: null } };
}

export function demoUsers(): KommoUser[] {
  return [
    user(5_001_001, 'Alice Smit', 'alice@hookline.test', true),
    user(5_001_002, 'Bram de Vries', 'bram@hookline.test', false),
    user(5_001_003, 'Carla Jansen', 'carla@hookline.test', false),
    user(5_001_004, 'Daan Bakker', 'daan@hookline.test', false),
  ];
}

/** Enum codes of the phone field, in Kommo's order ("WORK, WORKDD, MOB, FAX, HOME, OTHER"). */
export const PHONE_ENUMS = ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER'] as const;
export const EMAIL_ENUMS = ['WORK', 'PRIV', 'OTHER'] as const;

function multitext(id: number, name: string, code: string, enums: readonly string[], enumBase: number, sort: number, entity: KommoCustomField['entity_type'] = 'contacts'): KommoCustomField {
  return {
    id, name, code, sort, type: 'multitext', entity_type: entity,
    is_predefined: true, is_deletable: false, is_visible: true, is_api_only: false,
    group_id: null, required_statuses: [], remind: null,
    enums: enums.map((value, i) => ({ id: enumBase + i, value, sort: (i + 1) * 2 })),
  };
}

export function phoneField(): KommoCustomField {
  return multitext(PHONE_FIELD_ID, 'Phone', 'PHONE', PHONE_ENUMS, 140_001, 4);
}

export function emailField(): KommoCustomField {
  return multitext(EMAIL_FIELD_ID, 'Email', 'EMAIL', EMAIL_ENUMS, 140_011, 6);
}

/** The companies' `PHONE` field: the same enums as the contacts' one, with their own ids (140021 `WORK` … 140026 `OTHER`). */
export function companyPhoneField(): KommoCustomField {
  return multitext(COMPANY_PHONE_FIELD_ID, 'Phone', 'PHONE', PHONE_ENUMS, 140_021, 4, 'companies');
}

function pipeline(id: number, name: string, isMain: boolean, sort: number, stages: string[]): KommoPipeline {
  const base = id * 10;
  return {
    id, name, sort, is_main: isMain, is_unsorted_on: true, is_archive: false,
    statuses: [
      { id: base, name: 'Incoming leads', sort: 10, is_editable: false, pipeline_id: id, color: '#c1c1c1', type: 1 },
      ...stages.map((s, i) => ({ id: base + i + 1, name: s, sort: 20 + i * 10, is_editable: true, pipeline_id: id, color: '#99ccff', type: 0 as const })),
      { id: STATUS_WON, name: 'Closed - won', sort: 10_000, is_editable: false, pipeline_id: id, color: '#CCFF66', type: 0 },
      { id: STATUS_LOST, name: 'Closed - lost', sort: 11_000, is_editable: false, pipeline_id: id, color: '#D5D8DB', type: 0 },
    ],
  };
}

export function demoPipelines(): KommoPipeline[] {
  return [
    pipeline(MAIN_PIPELINE_ID, 'Sales', true, 1, ['Initial contact', 'Negotiation', 'Decision']),
    pipeline(SUPPORT_PIPELINE_ID, 'Support', false, 2, ['Open', 'Waiting for client']),
  ];
}

function accountInfo(): KommoAccountSeed['account'] {
  return {
    id: DEMO_ACCOUNT_ID, name: 'hookline demo', subdomain: 'hooklinedemo', country: 'NL',
    currency: 'EUR', currency_symbol: '€', current_user_id: 5_001_001, created_at: 1_700_000_000,
    // An account's own task type besides Kommo's predefined 1 and 2 (https://developers.kommo.com/reference/tasks).
    task_types: [{ id: DEMO_EMAIL_TASK_TYPE_ID, name: 'Email', code: null }],
  };
}

export function demoAccount(): KommoAccountSeed {
  return {
    account: accountInfo(),
    users: demoUsers(),
    customFields: [phoneField(), emailField(), companyPhoneField()],
    pipelines: demoPipelines(),
    contacts: [
      { id: 1_000_001, name: 'Jan Visser', phones: ['+31260010001'], responsible_user_id: 5_001_002 },
      { id: 1_000_002, name: 'Eva Mulder', phones: ['+31150010001', { value: '+31612345678', enum: 'MOB' }], responsible_user_id: 5_001_003 },
      { id: 1_000_003, name: 'Trunk test line', phones: ['123'], responsible_user_id: 5_001_004 },
    ],
    // A company whose number no contact has: a call from it is attached to the company.
    companies: [{ id: 6_000_001, name: 'Acme Logistics BV', phones: ['+31201234567'], responsible_user_id: 5_001_004 }],
    // Jan Visser has one active lead, so a call with his number is attached to the lead (Kommo's rule).
    leads: [{ id: 2_000_001, name: 'Jan Visser: renewal', price: 1200, contact_ids: [1_000_001], responsible_user_id: 5_001_002 }],
  };
}

/** Users, fields and pipelines, but no contacts, companies or leads. */
export function emptyAccount(): KommoAccountSeed {
  return { ...demoAccount(), contacts: [], companies: [], leads: [] };
}

/** The demo account whose contacts (and companies) have no `PHONE` field: hookline must refuse to register calls. */
export function accountWithoutPhoneField(): KommoAccountSeed {
  return { ...demoAccount(), customFields: [emailField()], contacts: [], companies: [], leads: [] };
}

export function namedAccount(name: AccountName): KommoAccountSeed {
  switch (name) {
    case 'demo': return demoAccount();
    case 'empty': return emptyAccount();
    case 'no-phone-field': return accountWithoutPhoneField();
  }
}
