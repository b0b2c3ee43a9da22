/**
 * What an answer from Kommo means for the caller: done, retry later, refresh the token, or fail now.
 * The statuses and bodies are Kommo's (https://developers.kommo.com/docs/http-codes; notes Part A12):
 * 400 is a refusal of the data and never retried; 401 is the token; 403 as an nginx page is the IP block
 * after repeated 429s, a JSON 403 is a refusal of rights; 429 (JSON or HTML) and 5xx are retried.
 * `POST /api/v4/calls` answers 400 without validation-errors when no entity has the phone
 * (amocrm-api-php #52): that is KOMMO_ENTITY_NOT_FOUND, not a bad request.
 */
import type { KommoErrorCode, KommoErrorDetail, KommoValidationItem } from './errors.ts';
import type { HttpOutcome } from './http.ts';

export type Decision =
  | { kind: 'ok'; status: number; body: unknown }
  | {
      kind: 'retry';
      code: 'KOMMO_RATE_LIMITED' | 'KOMMO_UNAVAILABLE' | 'KOMMO_TIMEOUT';
      status?: number;
      detail?: KommoErrorDetail;
      /** Kommo may have done the work before the failure (see AMBIGUOUS below). */
      ambiguous: boolean;
    }
  | { kind: 'unauthorized'; status: 401; detail?: KommoErrorDetail }
  | { kind: 'blocked'; status: 403; detail?: KommoErrorDetail }
  | { kind: 'fail'; code: KommoErrorCode; status?: number; detail?: KommoErrorDetail };

const BODY_EXCERPT = 200;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

/** Kommo's problem body, kept as it came (validation-errors whole), or the start of a page that is not JSON. */
export function detailOf(out: Extract<HttpOutcome, { kind: 'response' }>): KommoErrorDetail | undefined {
  if (!out.json) {
    // An nginx page (429, 403, 502-504 at Kommo's edge): its title says it all.
    const title = /<title>([^<]*)<\/title>/i.exec(out.text)?.[1]?.trim();
    if (title) return { body: `${title} (an HTML page)` };
    const text = out.text.replace(/\s+/g, ' ').trim();
    return text ? { body: text.slice(0, BODY_EXCERPT) } : undefined;
  }
  if (!isObject(out.body)) return undefined;
  const b = out.body;
  const d: KommoErrorDetail = {};
  const title = str(b.title);
  const detail = str(b.detail);
  const hint = str(b.hint);
  if (title) d.title = title;
  if (detail) d.detail = detail;
  if (hint) d.hint = hint;
  if (Array.isArray(b['validation-errors'])) d.validationErrors = b['validation-errors'] as KommoValidationItem[];
  if (Array.isArray(b.errors)) d.errors = b.errors as KommoErrorDetail['errors'];
  return d;
}

function entityNotFound(d: KommoErrorDetail | undefined): boolean {
  return !d?.validationErrors && (d?.errors ?? []).length > 0 && (d?.errors ?? []).every((e) => e.title === 'Entity not found');
}

/**
 * Failures after which Kommo may have done the work: no answer (a timeout, a connection reset mid-way),
 * its own 500, and the gateway errors that come after the request reached the application (502, 504).
 * A 429, a 503 and a refused connection mean the request was not processed.
 */
const NOT_SENT_ERRNOS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const NOT_PROCESSED_STATUSES = new Set([429, 503]);

/** `tokenEndpoint`: answers of POST /oauth2/access_token, where 400 and 401 mean the refresh was refused. */
export function classify(out: HttpOutcome, tokenEndpoint = false): Decision {
  if (out.kind === 'timeout') return { kind: 'retry', code: 'KOMMO_TIMEOUT', ambiguous: true };
  if (out.kind === 'network') {
    const detail = { body: out.errno ? `${out.errno}: ${out.message}` : out.message };
    return { kind: 'retry', code: 'KOMMO_UNAVAILABLE', detail, ambiguous: !NOT_SENT_ERRNOS.has(out.errno ?? '') };
  }
  const { status } = out;
  if (status >= 200 && status < 300) {
    if (status !== 204 && out.body !== undefined && !out.json) return { kind: 'fail', code: 'KOMMO_BAD_RESPONSE', status, detail: detailOf(out) };
    return { kind: 'ok', status, body: out.body };
  }
  const detail = detailOf(out);
  if (tokenEndpoint && (status === 400 || status === 401)) return { kind: 'fail', code: 'KOMMO_REFRESH_FAILED', status, detail };
  if (status === 400) return { kind: 'fail', code: entityNotFound(detail) ? 'KOMMO_ENTITY_NOT_FOUND' : 'KOMMO_BAD_REQUEST', status, detail };
  if (status === 401) return { kind: 'unauthorized', status, detail };
  if (status === 403) return out.json ? { kind: 'fail', code: 'KOMMO_FORBIDDEN', status, detail } : { kind: 'blocked', status, detail };
  if (status === 402) return { kind: 'fail', code: 'KOMMO_FORBIDDEN', status, detail };
  if (status === 404 || status === 405) return { kind: 'fail', code: 'KOMMO_NOT_FOUND', status, detail };
  if (status === 422) return { kind: 'fail', code: 'KOMMO_TOO_MANY_ENTITIES', status, detail };
  if (status === 429) return { kind: 'retry', code: 'KOMMO_RATE_LIMITED', status, detail, ambiguous: false };
  if (status >= 500) return { kind: 'retry', code: 'KOMMO_UNAVAILABLE', status, detail: detail ?? { body: `HTTP ${status}` }, ambiguous: !NOT_PROCESSED_STATUSES.has(status) };
  if (status >= 400) return { kind: 'fail', code: 'KOMMO_BAD_REQUEST', status, detail };
  return { kind: 'fail', code: 'KOMMO_BAD_RESPONSE', status, detail: detail ?? { body: `HTTP ${status}` } };
}
