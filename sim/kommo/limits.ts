/**
 * Kommo's limits, each with the page it comes from. The emulator reads every number from here, and tests
 * shrink the timings through `startKommo({ limits })` so that a 403 block can be reached in milliseconds.
 * Where Kommo publishes no number, the constant says so and names why its value was chosen.
 */

/** "not more than 7 requests per second"; exceeding it gives 429. https://developers.kommo.com/docs/limitations */
export const MAX_REQUESTS_PER_SECOND = 7;

/** The window the per-second limit is counted over: a sliding second. Same page as above. */
export const RATE_WINDOW_MS = 1_000;

/**
 * "If the restrictions are repeatedly violated, the IP address is blocked and any code in the API will
 * return HTTP code 403" (https://developers.kommo.com/docs/limitations). Kommo does not say how many
 * violations make "repeatedly": 20 answers of 429 within a minute is our choice, high enough that a client
 * that backs off after a 429 never gets there, low enough that one that ignores 429 does.
 */
export const BLOCK_AFTER_429_COUNT = 20;

/**
 * The block also follows "suspicious activity", e.g. the same data requested many times in a short period
 * (https://developers.kommo.com/docs/limitations). Kommo names no number: by default the emulator does not block
 * for it; a test sets `limits.blockAfterRepeatedRequests` (identical reads allowed within
 * `repeatedRequestsWindowMs`, then 403).
 */
export const BLOCK_AFTER_REPEATED_REQUESTS = Number.POSITIVE_INFINITY;
export const REPEATED_REQUESTS_WINDOW_MS = 60_000;

/** The period over which BLOCK_AFTER_429_COUNT answers of 429 are counted. Not published; see above. */
export const BLOCK_COUNT_WINDOW_MS = 60_000;

/**
 * How long the 403 block lasts. Kommo publishes none: accounts were unblocked by writing to support
 * (https://github.com/amocrm/amocrm-api-php/issues/563). 15 minutes stands for "long enough to hurt".
 */
export const BLOCK_DURATION_MS = 15 * 60_000;

/**
 * Lists return at most 250 entities, and a request carries at most 250 entities; more gives
 * 422 "Limit 250 per page". https://developers.kommo.com/docs/limitations, https://developers.kommo.com/docs/http-codes
 */
export const MAX_ENTITIES_PER_REQUEST = 250;

/** The largest `limit` a list accepts. https://developers.kommo.com/reference/contacts-list ("limit ≤ 250") */
export const MAX_PAGE_LIMIT = 250;

/** The page size when a list is asked without `limit`. amoCRM contacts doc ("по умолчанию – 50"). */
export const DEFAULT_PAGE_LIMIT = 50;

/**
 * Custom field lists give at most 50 fields a page: "returns up to 50 fields per request"
 * (https://kommo.com/developers/content/api_v4/custom-fields, https://amocrm.ru/developers/content/crm_platform/custom-fields,
 * limit "Максимум – 50"). A `limit` above it is not refused, the page is just shorter; `_links.next` leads on.
 */
export const CUSTOM_FIELDS_PAGE_LIMIT = 50;

/**
 * The events list gives at most 100 a page: "Количество возвращаемых сущностей за один запрос (Максимум – 100)"
 * (https://www.amocrm.ru/developers/content/crm_platform/events-and-notes, GET /api/v4/events).
 */
export const EVENTS_PAGE_LIMIT = 100;

/** Access tokens live 24 hours. https://developers.kommo.com/docs/oauth-20 (`expires_in: 86400`) */
export const ACCESS_TOKEN_TTL_SEC = 86_400;

/** Refresh tokens live 3 months. https://developers.kommo.com/docs/oauth-20 */
export const REFRESH_TOKEN_TTL_SEC = 90 * 86_400;

/** Authorization codes expire after 20 minutes. https://developers.kommo.com/docs/oauth-20 */
export const AUTH_CODE_TTL_SEC = 20 * 60;

/** A call log is attached to the entity whose phone ends in the same 10 digits. https://www.kommo.com/developers/content/telephony/call_logging/ */
export const PHONE_MATCH_DIGITS = 10;

/**
 * A phone search (`GET /api/v4/contacts?query=<number>`) "uses the last 7 digits" (https://developers.kommo.com/docs/caller-id),
 * so it finds more than the caller: every entity whose phone ends in the same 7 digits.
 */
export const PHONE_SEARCH_DIGITS = 7;

/** At most 50 pipelines, 100 statuses per pipeline. https://www.amocrm.ru/developers/content/crm_platform/leads_pipelines */
export const MAX_PIPELINES = 50;
export const MAX_STATUSES_PER_PIPELINE = 100;

/**
 * Writes take ≤250 entities, "we recommend not sending more than 50", and "if you get a 504 error, reduce the number
 * of entities in the request" (https://developers.kommo.com/docs/limitations). Kommo names no size that times out:
 * by default the emulator never does; a test sets `limits.gatewayTimeoutAboveItems` (a write with more items is
 * answered 504 by the edge and not done; a 504 after the write is the `error` fault's business).
 */
export const GATEWAY_TIMEOUT_ABOVE_ITEMS = Number.POSITIVE_INFINITY;

/** The timings and sizes one emulator instance uses; defaults are the constants above. */
export interface KommoLimits {
  requestsPerSecond: number;
  rateWindowMs: number;
  blockAfter429Count: number;
  blockCountWindowMs: number;
  blockDurationMs: number;
  /** Identical reads (method, path, query) allowed within repeatedRequestsWindowMs before the 403 block. */
  blockAfterRepeatedRequests: number;
  repeatedRequestsWindowMs: number;
  maxEntitiesPerRequest: number;
  maxPageLimit: number;
  /** A write with more items than this is answered 504 and not done (GATEWAY_TIMEOUT_ABOVE_ITEMS). */
  gatewayTimeoutAboveItems: number;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
}

export const DEFAULT_LIMITS: Readonly<KommoLimits> = Object.freeze({
  requestsPerSecond: MAX_REQUESTS_PER_SECOND,
  rateWindowMs: RATE_WINDOW_MS,
  blockAfter429Count: BLOCK_AFTER_429_COUNT,
  blockCountWindowMs: BLOCK_COUNT_WINDOW_MS,
  blockDurationMs: BLOCK_DURATION_MS,
  blockAfterRepeatedRequests: BLOCK_AFTER_REPEATED_REQUESTS,
  repeatedRequestsWindowMs: REPEATED_REQUESTS_WINDOW_MS,
  maxEntitiesPerRequest: MAX_ENTITIES_PER_REQUEST,
  maxPageLimit: MAX_PAGE_LIMIT,
  gatewayTimeoutAboveItems: GATEWAY_TIMEOUT_ABOVE_ITEMS,
  accessTokenTtlSec: ACCESS_TOKEN_TTL_SEC,
  refreshTokenTtlSec: REFRESH_TOKEN_TTL_SEC,
});
