/**
 * kommo.request(method, path, body?): Kommo API v4 through the engine's own client (its token, rate limiter and
 * retries: engine/kommo's `request`), so a script's requests share the account's 7 requests a second with the
 * registrar and never meet a 429 of their own making. Reads (GET) are granted unless `hooks.<hook>.kommo.read`
 * is false; writes only for the routes `hooks.<hook>.kommo.write` names. The path is checked to stay on the
 * account's API (`/api/v4/…`, no `//`, `..`, `\` or `@`): the client sends the token with every request, so a
 * path that reached another host would hand it the token. The token itself never reaches the isolate: only
 * the status and body of Kommo's answer do.
 */
import { capError } from './errors.ts';
import type { Grants } from './grants.ts';

/** The part of the engine's Kommo client this needs (engine/kommo KommoClient.request). */
export interface KommoRequester {
  request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, ctx?: { linkedid?: string }): Promise<
    { ok: true; value: { status: number; body: unknown } } | { ok: false; error: { code: string; message: string; status?: number } }
  >;
}

export interface KommoCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body: unknown;
}

const METHODS = new Set(['GET', 'POST', 'PATCH', 'DELETE']);

export function checkKommoCall(arg: unknown, grants: Grants, hook: string): KommoCall {
  const a = (arg ?? {}) as { method?: unknown; path?: unknown; body?: unknown };
  const method = String(a.method ?? '').toUpperCase();
  if (!METHODS.has(method)) throw capError('CAPABILITY_BAD_ARGUMENT', `kommo.request: the method is GET, POST, PATCH or DELETE, not ${JSON.stringify(a.method)}`);
  const path = typeof a.path === 'string' ? a.path : '';
  const bare = path.split('?')[0] as string;
  if (!/^\/api\/v4\/[A-Za-z0-9_/-]*$/.test(bare) || bare.includes('//') || /[\\@#\s]/.test(path) || /(^|\/)\.\.?(\/|$)/.test(bare)) {
    throw capError('CAPABILITY_BAD_ARGUMENT', `kommo.request: the path must be a Kommo API v4 path such as "/api/v4/leads/123/notes" (got ${JSON.stringify(path.slice(0, 200))})`);
  }
  const m = method as KommoCall['method'];
  const route = `${m} ${bare}`;
  if (m === 'GET') {
    if (!grants.kommo.read) throw capError('CAPABILITY_NOT_GRANTED', `kommo.request: reads are turned off for ${hook} (hooks.${hook}.kommo.read is false)`);
  } else if (!grants.kommo.write.some((r) => r.test(route))) {
    throw capError('CAPABILITY_NOT_GRANTED', `kommo.request: ${route} is a write not granted to ${hook}; grant it in the config: hooks.${hook}.kommo.write: ["${m} ${bare.replace(/\/\d+(?=\/|$)/g, '/*')}"]`);
  }
  if (m === 'GET' && a.body !== undefined && a.body !== null) throw capError('CAPABILITY_BAD_ARGUMENT', 'kommo.request: a GET has no body');
  return { method: m, path, body: a.body ?? undefined };
}
