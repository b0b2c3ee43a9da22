/**
 * The client's errors, as values. Each is a HooklineError from the catalogue (contracts/errors.ts, codes
 * KOMMO_*) plus what a caller needs to decide what to do next: the route, the HTTP status, how many
 * attempts were made, and Kommo's own words (validation-errors kept whole).
 */
import { makeError, type ErrorCode, type HooklineError } from '../../contracts/index.ts';

export type KommoErrorCode = Extract<ErrorCode, `KOMMO_${string}`>;

/** One item of Kommo's `validation-errors`: which entity of the batch (`request_id`) and what was wrong. */
export interface KommoValidationItem {
  request_id: string;
  errors: { code: string; path: string; detail: string }[];
}

/** Kommo's answer, kept for logs and for the caller (never the request's token). */
export interface KommoErrorDetail {
  title?: string;
  detail?: string;
  validationErrors?: KommoValidationItem[];
  /** `errors` of a calls answer: `[{title: 'Entity not found', status: 263}]`, with no `request_id` in Kommo's real body (amocrm-api-php #52). */
  errors?: { request_id?: string; title?: string; status?: number }[];
  /** The start of a body that is not JSON (an nginx page), or the network error's text. */
  body?: string;
  /** OAuth token endpoint: league/oauth2-server's `hint`. */
  hint?: string;
}

export interface KommoError extends HooklineError {
  code: KommoErrorCode;
  /** 'POST /api/v4/calls', 'GET /api/v4/contacts/:id'. */
  route: string;
  status?: number;
  /** Requests sent for this operation (0 when it was refused before sending, as during a block). */
  attempts: number;
  detail?: KommoErrorDetail;
  /** When waiting makes sense (a block, a rate limit): how long before trying again, in ms. */
  retryAfterMs?: number;
  /** A write that failed in a way Kommo may have acted on (a timeout, a reset, 500/502/504): it may exist. */
  maybeWritten?: boolean;
}

export type KommoResult<T> = { ok: true; value: T } | { ok: false; error: KommoError };

export interface KommoErrorParams {
  route: string;
  linkedid?: string;
  status?: number;
  attempts?: number;
  /** One line for the message. */
  summary?: string;
  detail?: KommoErrorDetail;
  retryAfterMs?: number;
  /** Extra values the message template reads (auth, phone, timeoutMs, backoffMs). */
  extra?: Record<string, unknown>;
  maybeWritten?: boolean;
}

export function kommoError(code: KommoErrorCode, p: KommoErrorParams): KommoError {
  const base = makeError(code, {
    route: p.route, linkedid: p.linkedid, status: p.status, attempts: p.attempts, detail: p.summary, ...p.extra,
  });
  const e: KommoError = { ...base, code, route: p.route, attempts: p.attempts ?? 0 };
  if (p.status !== undefined) e.status = p.status;
  if (p.detail !== undefined) e.detail = p.detail;
  if (p.retryAfterMs !== undefined) e.retryAfterMs = p.retryAfterMs;
  if (p.maybeWritten) e.maybeWritten = true;
  return e;
}

export function failure<T>(error: KommoError): KommoResult<T> {
  return { ok: false, error };
}

export function success<T>(value: T): KommoResult<T> {
  return { ok: true, value };
}

const MAX_SUMMARY = 400;

/** "Request validation failed: item 0: NotNullable at call_status (This value should not be null.)". */
export function summarize(d: KommoErrorDetail | undefined): string | undefined {
  if (!d) return undefined;
  const parts: string[] = [];
  const head = d.detail ?? d.title;
  if (head) parts.push(head);
  for (const item of d.validationErrors ?? []) {
    for (const e of item.errors) parts.push(`item ${item.request_id}: ${e.code} at ${e.path || '(body)'} (${e.detail})`);
  }
  if (d.hint) parts.push(d.hint);
  if (parts.length === 0 && d.body) parts.push(d.body);
  const s = parts.join('; ');
  return s.length > MAX_SUMMARY ? `${s.slice(0, MAX_SUMMARY)}…` : s || undefined;
}

/** The same error told for one item of a batch: its own call's linkedid, and extra message values. */
export function relabel(e: KommoError, linkedid: string | undefined, extra: Record<string, unknown> = {}, detail: KommoErrorDetail | undefined = e.detail): KommoError {
  return kommoError(e.code, {
    route: e.route, linkedid, status: e.status, attempts: e.attempts, summary: summarize(detail),
    ...(detail ? { detail } : {}), ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    ...(e.maybeWritten ? { maybeWritten: true } : {}),
    extra: { backoffMs: e.retryAfterMs, ...extra },
  });
}
