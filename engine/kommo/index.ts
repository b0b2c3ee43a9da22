/**
 * @module engine/kommo — the typed Kommo API v4 client (axios): long-lived or OAuth tokens (refreshed once,
 * single-flight, saved before use), a sliding-window rate limit, retries with backoff and jitter, write
 * batching and a short phone → contact cache. Errors are values with KOMMO_* codes. See docs/design/kommo-client.md.
 */
export { createKommoClient, type KommoClient, type KommoClientOptions, type KommoClientStats } from './client.ts';
export type { KommoAuth } from './auth.ts';
export type { Tokens, TokenStore } from './tokens.ts';
export { createTokenFile } from './token-file.ts';
export type { KommoError, KommoErrorCode, KommoErrorDetail, KommoResult, KommoValidationItem } from './errors.ts';
export type { RequestContext } from './transport.ts';
export type { KommoEvent } from './lists.ts';
export type { RetryOptions } from './backoff.ts';
export type { PhoneFieldCheck } from './phone-field.ts';
export { createBatcher, type Batcher, type BatcherOptions, type BatchEntry } from './batcher.ts';
export { createRateLimiter, type RateLimiter, type RateLimiterOptions, type RateSlot } from './rate-limiter.ts';
export { stripNulls } from './strip-nulls.ts';
export { phoneKey } from './phone-cache.ts';
export { LEAD_STATUS_WON, LEAD_STATUS_LOST, isClosedLeadStatus } from './constants.ts';
export type {
  AddedCall, AddedEntity, AddedUnsorted, CallBody, ContactBody, CustomFieldValueInput, CustomFieldValueRead, EntityPatch, KommoAccount,
  KommoCompany, KommoContact, KommoCustomField, KommoLead, KommoNote, KommoPipeline, KommoTask, KommoStatus, KommoUser, LeadBody, TaskBody, UnsortedSipBody, UpdatedEntity,
} from './kommo-types.ts';
export { observeKommo, isKommoOp, INDEX_LOOKUP, KOMMO_OPS, type KommoExchange, type KommoObserver, type KommoOp } from './observe.ts';
