/** The editor's JSON API, as the page calls it (same origin, session cookie, JSON bodies). */
export interface ApiError {
  code: string;
  message: string;
  hint?: string;
}

export type ApiResult<T> = { ok: true; status: number; body: T } | { ok: false; status: number; error: ApiError };

/** Called when any request answers 401: the session is gone, show the login form. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f;
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (e) {
    return { ok: false, status: 0, error: { code: 'NETWORK', message: `hookline did not answer (${String(e)})`, hint: 'Is hookline still running?' } };
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (res.ok) return { ok: true, status: res.status, body: parsed as T };
  if (res.status === 401 && path !== '/api/login') onUnauthorized();
  const err = (parsed as { error?: ApiError } | null)?.error ?? { code: `HTTP_${res.status}`, message: text.slice(0, 200) || res.statusText };
  return { ok: false, status: res.status, error: err };
}

export async function text(path: string): Promise<string | null> {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (res.status === 401) onUnauthorized();
  return res.ok ? res.text() : null;
}

export const describe = (e: ApiError) => `${e.code}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;

export interface HookRow {
  hook: string;
  number: number;
  summary: string;
  published: number | null;
  draftChanged: boolean;
  versions: number;
  failures24h: number;
  /** The live version's suspension (it timed out or ran out of memory too often in a row), or null. */
  quarantine: { version: number | string; reason: string; failures: number; until: number } | null;
}

export interface Version {
  version: number;
  time: string;
  author: string;
  message: string;
  source: string;
  rollbackOf?: number;
  /** This entry returned the hook to its built-in default (its source is empty; nothing is published after it). */
  toDefault?: boolean;
}

export interface Capture {
  id: string;
  hook: string;
  time: string;
  linkedid: string | null;
  input: unknown;
}

export interface ReplayRun {
  ok: boolean;
  data: unknown;
  error: ApiError | null;
  logs: { level: string; text: string }[];
  durationMs: number;
}

export interface ReplayResult {
  id: string;
  linkedid: string | null;
  time: string;
  verdict: 'changed' | 'unchanged' | 'failed';
  draft: ReplayRun;
  published: ReplayRun;
  diff: string;
}

export interface ReplaySummary {
  total: number;
  changed: number;
  unchanged: number;
  failed: number;
}

export interface FailureRow {
  time: string;
  code: string;
  message: string;
  version: number | string | null;
  linkedid: string | null;
  /** The input of the same call (a capture of this hook with the failure's linkedid), or null when none is kept. */
  capture: { id: string; time: string; input: unknown } | null;
}
