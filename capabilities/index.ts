/**
 * @module capabilities: what a hook script may do outside its isolate (issue 19): `fetch`, `kommo.request`,
 * `store.get/set`, granted per hook by the config, carried out by the host, logged and recorded; and the mode
 * switch (`live` / `recorded`) that replay, dry runs and shadow runs use so that they never act.
 */
export { createCapabilities, type CapabilityHost, type CapabilitiesOptions, type CapabilitySession, type SessionOptions, type CapabilityCall, type CapabilityKind, type CapabilityMode, type WouldSend, type LogLine } from './session.ts';
export { grantsOf, grantProblems, parsePattern, parseRoute, redactUrl, FETCH_DEFAULTS, STORE_DEFAULTS, KOMMO_MAX_REQUESTS, type Grants, type HookGrantConfig, type FetchGrantConfig, type KommoGrantConfig, type StoreGrantConfig } from './grants.ts';
export { refusedRange, systemResolver, type Resolver, type ResolvedAddress } from './address.ts';
export type { KommoRequester } from './kommo.ts';
export { CapabilityError, type CapabilityErrorCode } from './errors.ts';
