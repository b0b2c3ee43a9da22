/**
 * @module sim/kommo — a Kommo API v4 emulator for tests and the demo: real HTTP on 127.0.0.1, stateful,
 * answering with Kommo's status codes, envelopes and error bodies. See docs/design/sim-kommo.md.
 */
export { startKommo, type KommoSim, type KommoTokens, type StartKommoOptions } from './server.ts';
export { DEFAULT_LONG_LIVED_TOKEN, DEFAULT_OAUTH, type KommoAuthOptions, type OAuthClientOptions } from './auth.ts';
export type { ActiveFault, FaultKind, FaultRule } from './faults.ts';
export type { KommoCounters, KommoRequestRecord, RequestFilter } from './request-log.ts';
export type { TooManyRequestsBody } from './problems.ts';
export {
  ACCESS_TOKEN_TTL_SEC, BLOCK_AFTER_429_COUNT, BLOCK_COUNT_WINDOW_MS, BLOCK_DURATION_MS, DEFAULT_LIMITS, DEFAULT_PAGE_LIMIT,
  EVENTS_PAGE_LIMIT, MAX_ENTITIES_PER_REQUEST, MAX_PAGE_LIMIT, MAX_REQUESTS_PER_SECOND, PHONE_MATCH_DIGITS, PHONE_SEARCH_DIGITS, RATE_WINDOW_MS, REFRESH_TOKEN_TTL_SEC,
  type KommoLimits,
} from './limits.ts';
export {
  ACCOUNT_NAMES, COMPANY_PHONE_FIELD_ID, DEMO_EMAIL_TASK_TYPE_ID, DEMO_ACCOUNT_ID, EMAIL_FIELD_ID, MAIN_PIPELINE_ID, PHONE_ENUMS, PHONE_FIELD_ID, STATUS_LOST, STATUS_WON,
  SUPPORT_PIPELINE_ID, accountWithoutPhoneField, demoAccount, emptyAccount, namedAccount, type AccountName,
} from './seeds.ts';
export { DEFAULT_BEHAVIOUR, DUPLICATE_TAG, type KommoBehaviour } from './behaviour.ts';
export { DIFFERENCES, type KnownDifference } from './differences.ts';
export type {
  CompanySeed, ContactSeed, CustomerSeed, KommoAccountInfo, KommoCustomer, KommoAccountSeed, KommoCall, KommoCompany, KommoContact, KommoCustomField, KommoEvent, KommoLead, KommoPipeline,
  KommoState, KommoStatus, KommoTask, KommoTaskType, KommoUnsorted, KommoUser, LeadSeed, StoredFieldValues,
} from './types.ts';
export type { EntityEdit, HolderKind } from './manager.ts';
