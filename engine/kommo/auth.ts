/**
 * The bearer token of each request. A long-lived token (https://developers.kommo.com/docs/long-lived-token)
 * is sent as it is, and its 401 is final: it cannot be refreshed (the official SDK refuses too). OAuth 2
 * (https://developers.kommo.com/docs/oauth-20) is refreshed before it expires and once after a 401. One
 * refresh runs at a time: concurrent requests wait for the same one, since each refresh issues a new pair
 * and using the new refresh token revokes the older ones. The new pair is saved before it is used.
 */
import type { Logger } from '../../log/index.ts';
import { failure, kommoError, success, type KommoResult } from './errors.ts';
import type { TokenStore, Tokens } from './tokens.ts';

export type KommoAuth =
  | { kind: 'long-lived'; token: string }
  | {
      kind: 'oauth';
      clientId: string;
      clientSecret: string;
      redirectUri: string;
      tokens: TokenStore;
      /** Refresh when the access token expires within this many ms. Default 10 minutes. */
      refreshBeforeMs?: number;
    };

/** The token endpoint's answer (https://developers.kommo.com/reference/get-token). */
export interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export interface AuthContext {
  linkedid?: string;
  route: string;
}

export interface AuthSession {
  kind: KommoAuth['kind'];
  /** The token for the next request; an OAuth token that expires soon is refreshed first. */
  current(ctx: AuthContext): Promise<KommoResult<string>>;
  /**
   * After a 401 on `rejected`. Long-lived: null (final). OAuth: the token to retry with, refreshed once
   * unless another request already replaced `rejected`.
   */
  renew(rejected: string, ctx: AuthContext): Promise<KommoResult<string> | null>;
}

export interface AuthDeps {
  now: () => number;
  logger: Logger;
  /** POST /oauth2/access_token with this body (through the rate limit and retries, without a bearer). */
  exchange: (body: Record<string, string>, ctx: AuthContext) => Promise<KommoResult<unknown>>;
}

const TOKEN_ROUTE = 'POST /oauth2/access_token';

export function createAuth(auth: KommoAuth, deps: AuthDeps): AuthSession {
  if (auth.kind === 'long-lived') {
    return { kind: 'long-lived', current: async () => success(auth.token), renew: async () => null };
  }
  return createOAuth(auth, deps);
}

function isTokenAnswer(x: unknown): x is TokenAnswer {
  const t = x as Partial<TokenAnswer> | null;
  return typeof t === 'object' && t !== null && typeof t.access_token === 'string' && typeof t.refresh_token === 'string' && typeof t.expires_in === 'number';
}

function createOAuth(auth: Extract<KommoAuth, { kind: 'oauth' }>, deps: AuthDeps): AuthSession {
  const refreshBeforeMs = auth.refreshBeforeMs ?? 10 * 60_000;
  const log = deps.logger;
  let held: Tokens | null = null;
  let loading: Promise<KommoResult<Tokens>> | null = null;
  let refreshing: Promise<KommoResult<Tokens>> | null = null;

  async function load(ctx: AuthContext): Promise<KommoResult<Tokens>> {
    try {
      const t = await auth.tokens.load();
      if (t) return success(t);
      return failure(kommoError('KOMMO_UNAUTHORIZED', { route: ctx.route, linkedid: ctx.linkedid, summary: 'no OAuth tokens are stored yet', extra: { auth: 'oauth' } }));
    } catch (e) {
      return failure(kommoError('KOMMO_UNAUTHORIZED', { route: ctx.route, linkedid: ctx.linkedid, summary: `the token store could not be read: ${(e as Error).message}`, extra: { auth: 'oauth' } }));
    }
  }

  async function tokens(ctx: AuthContext): Promise<KommoResult<Tokens>> {
    if (held) return success(held);
    loading ??= load(ctx).finally(() => { loading = null; });
    const r = await loading;
    if (r.ok) held ??= r.value;
    return held ? success(held) : r;
  }

  async function refresh(from: Tokens, ctx: AuthContext): Promise<KommoResult<Tokens>> {
    const where = { route: TOKEN_ROUTE, linkedid: ctx.linkedid };
    const answer = await deps.exchange({
      client_id: auth.clientId, client_secret: auth.clientSecret, grant_type: 'refresh_token',
      refresh_token: from.refreshToken, redirect_uri: auth.redirectUri,
    }, { route: TOKEN_ROUTE, linkedid: ctx.linkedid });
    if (!answer.ok) {
      // A refusal is already KOMMO_REFRESH_FAILED; an outage or a rate limit keeps its own code.
      log.error({ code: answer.error.code, linkedid: ctx.linkedid, err: answer.error.message }, 'kommo: OAuth refresh failed');
      return answer as KommoResult<never>;
    }
    if (!isTokenAnswer(answer.value)) {
      return failure(kommoError('KOMMO_BAD_RESPONSE', { ...where, status: 200, attempts: 1, summary: 'the token answer has no access_token, refresh_token and expires_in' }));
    }
    const next: Tokens = { accessToken: answer.value.access_token, refreshToken: answer.value.refresh_token, expiresAt: deps.now() + answer.value.expires_in * 1000 };
    try {
      await auth.tokens.save(next);
    } catch (e) {
      // Not used unless saved: the old refresh token stays valid until the new one is used (oauth-20).
      log.error({ linkedid: ctx.linkedid, err: (e as Error).message }, 'kommo: the refreshed OAuth tokens could not be saved');
      return failure(kommoError('KOMMO_REFRESH_FAILED', { ...where, attempts: 1, summary: `the new token pair could not be saved: ${(e as Error).message}` }));
    }
    held = next;
    log.info({ expiresAt: next.expiresAt }, 'kommo: OAuth tokens refreshed and saved');
    return success(next);
  }

  /** One refresh at a time; every caller that asks meanwhile gets the same result. */
  function refreshOnce(from: Tokens, ctx: AuthContext): Promise<KommoResult<Tokens>> {
    refreshing ??= refresh(from, ctx).finally(() => { refreshing = null; });
    return refreshing;
  }

  return {
    kind: 'oauth',
    async current(ctx) {
      if (refreshing) {
        const r = await refreshing;
        if (!r.ok) return r;
      }
      const t = await tokens(ctx);
      if (!t.ok) return t;
      if (t.value.expiresAt - deps.now() > refreshBeforeMs) return success(t.value.accessToken);
      const r = await refreshOnce(t.value, ctx);
      return r.ok ? success(r.value.accessToken) : r;
    },
    async renew(rejected, ctx) {
      if (refreshing) await refreshing;
      const t = await tokens(ctx);
      if (!t.ok) return t;
      if (t.value.accessToken !== rejected) return success(t.value.accessToken);
      const r = await refreshOnce(t.value, ctx);
      return r.ok ? success(r.value.accessToken) : r;
    },
  };
}

