/**
 * Who may call: a long-lived token (no refresh, https://developers.kommo.com/docs/long-lived-token) and
 * OAuth 2 pairs (https://developers.kommo.com/docs/oauth-20). Each refresh returns a new pair; the refresh
 * token used stays valid "until you use the new one", so a client that lost the answer can retry. Access
 * tokens look like Kommo's (a JWT) and stay valid until they expire or a test expires them.
 */
import { createHash } from 'node:crypto';
import { AUTH_CODE_TTL_SEC } from './limits.ts';
import { oauthProblem, type SimReply } from './problems.ts';
import { isObject, type JsonObject } from './validate.ts';

export interface OAuthClientOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The pair the integration starts with (as if the code exchange happened before the emulator started). */
  accessToken?: string;
  refreshToken?: string;
  /** Authorization codes the token endpoint accepts once each, for `grant_type: authorization_code`. */
  authCodes?: string[];
}

export interface KommoAuthOptions {
  /** A long-lived token; `null` turns long-lived tokens off. Default DEFAULT_LONG_LIVED_TOKEN. */
  longLivedToken?: string | null;
  /** OAuth; `null` turns it off. Default DEFAULT_OAUTH. */
  oauth?: OAuthClientOptions | null;
}

export const DEFAULT_LONG_LIVED_TOKEN = 'sim-long-lived-token';
export const DEFAULT_OAUTH: Readonly<OAuthClientOptions> = Object.freeze({
  clientId: 'sim-client-id',
  clientSecret: 'sim-client-secret',
  redirectUri: 'https://hookline.test/oauth',
  accessToken: 'sim-access-token-0',
  refreshToken: 'sim-refresh-token-0',
  authCodes: ['sim-auth-code'],
});

interface AccessRecord {
  kind: 'long-lived' | 'oauth';
  expiresAtMs: number;
}

interface RefreshRecord {
  seq: number;
  expiresAtMs: number;
  revoked: boolean;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export type AuthCheck = { ok: true; kind: AccessRecord['kind'] } | { ok: false };

function b64url(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

export interface TokenBookDeps {
  nowMs: () => number;
  accessTtlSec: () => number;
  refreshTtlSec: () => number;
  accountId: number;
  userId: number;
}

export class TokenBook {
  #deps: TokenBookDeps;
  #oauth: OAuthClientOptions | null;
  #longLived: string | null;
  #access = new Map<string, AccessRecord>();
  #refresh = new Map<string, RefreshRecord>();
  #codes = new Map<string, { expiresAtMs: number; used: boolean }>();
  #seq = 0;
  #current: TokenPair | null = null;

  constructor(opts: KommoAuthOptions, deps: TokenBookDeps) {
    this.#deps = deps;
    this.#longLived = opts.longLivedToken === undefined ? DEFAULT_LONG_LIVED_TOKEN : opts.longLivedToken;
    this.#oauth = opts.oauth === undefined ? { ...DEFAULT_OAUTH } : opts.oauth;
    if (this.#longLived) this.#access.set(this.#longLived, { kind: 'long-lived', expiresAtMs: Number.POSITIVE_INFINITY });
    if (this.#oauth) {
      const now = deps.nowMs();
      for (const c of this.#oauth.authCodes ?? []) this.#codes.set(c, { expiresAtMs: now + AUTH_CODE_TTL_SEC * 1000, used: false });
      this.#issue(this.#oauth.accessToken, this.#oauth.refreshToken);
    }
  }

  /** The long-lived token and the newest OAuth pair, for tests and the CLI. */
  tokens(): { longLivedToken: string | null; accessToken: string | null; refreshToken: string | null } {
    return { longLivedToken: this.#longLived, accessToken: this.#current?.accessToken ?? null, refreshToken: this.#current?.refreshToken ?? null };
  }

  check(token: string | undefined): AuthCheck {
    if (!token) return { ok: false };
    const rec = this.#access.get(token);
    if (!rec || rec.expiresAtMs <= this.#deps.nowMs()) return { ok: false };
    return { ok: true, kind: rec.kind };
  }

  /**
   * Expires one token, or (no argument) every live OAuth access token, or the long-lived token when OAuth
   * is off. Returns the tokens expired.
   */
  expire(token?: string): string[] {
    const now = this.#deps.nowMs();
    const targets = token !== undefined
      ? [token]
      : [...this.#access.entries()].filter(([, r]) => r.expiresAtMs > now && (r.kind === 'oauth' || !this.#oauth)).map(([t]) => t);
    const done: string[] = [];
    for (const t of targets) {
      const rec = this.#access.get(t);
      if (rec) { rec.expiresAtMs = now; done.push(t); }
    }
    return done;
  }

  #jwt(seq: number): string {
    const iat = Math.floor(this.#deps.nowMs() / 1000);
    const payload = {
      aud: this.#oauth?.clientId, jti: `sim-${seq}`, iat, nbf: iat, exp: iat + this.#deps.accessTtlSec(),
      sub: String(this.#deps.userId), account_id: this.#deps.accountId, scopes: ['crm', 'notifications'],
    };
    const sig = createHash('sha256').update(`${seq}:${iat}`).digest('base64url');
    return `${b64url({ typ: 'JWT', alg: 'RS256' })}.${b64url(payload)}.${sig}`;
  }

  #issue(access?: string, refresh?: string): TokenPair {
    this.#seq += 1;
    const now = this.#deps.nowMs();
    const pair = { accessToken: access ?? this.#jwt(this.#seq), refreshToken: refresh ?? `sim-refresh-${this.#seq}-${createHash('sha1').update(String(now + this.#seq)).digest('hex').slice(0, 24)}` };
    this.#access.set(pair.accessToken, { kind: 'oauth', expiresAtMs: now + this.#deps.accessTtlSec() * 1000 });
    this.#refresh.set(pair.refreshToken, { seq: this.#seq, expiresAtMs: now + this.#deps.refreshTtlSec() * 1000, revoked: false });
    this.#current = pair;
    return pair;
  }

  #answer(pair: TokenPair): SimReply {
    return {
      status: 200, contentType: 'application/json',
      body: { token_type: 'Bearer', expires_in: this.#deps.accessTtlSec(), server_time: Math.floor(this.#deps.nowMs() / 1000), access_token: pair.accessToken, refresh_token: pair.refreshToken },
    };
  }

  /** `POST /oauth2/access_token`: the refresh_token and authorization_code grants. */
  token(body: unknown): SimReply {
    if (!this.#oauth) return oauthProblem('Client authentication failed', 401);
    if (!isObject(body)) return oauthProblem('Check the `grant_type` parameter');
    if (body.client_id !== this.#oauth.clientId || body.client_secret !== this.#oauth.clientSecret) return oauthProblem('Client authentication failed', 401);
    if (body.grant_type === 'refresh_token') return this.#refreshGrant(body);
    if (body.grant_type === 'authorization_code') return this.#codeGrant(body);
    return oauthProblem('Check the `grant_type` parameter');
  }

  #refreshGrant(body: JsonObject): SimReply {
    if (typeof body.refresh_token !== 'string' || body.refresh_token === '') return oauthProblem('Check the `refresh_token` parameter');
    const rec = this.#refresh.get(body.refresh_token);
    if (!rec) return oauthProblem('Cannot decrypt the refresh token');
    if (rec.revoked) return oauthProblem('Token has been revoked');
    if (rec.expiresAtMs <= this.#deps.nowMs()) return oauthProblem('Token has expired');
    // Using a refresh token retires every older one: "old … functional … until you use the new one".
    for (const r of this.#refresh.values()) if (r.seq < rec.seq) r.revoked = true;
    return this.#answer(this.#issue());
  }

  #codeGrant(body: JsonObject): SimReply {
    if (typeof body.code !== 'string' || body.code === '') return oauthProblem('Check the `code` parameter');
    const code = this.#codes.get(body.code);
    if (!code) return oauthProblem('Cannot decrypt the authorization code');
    if (code.used) return oauthProblem('Authorization code has been revoked');
    if (code.expiresAtMs <= this.#deps.nowMs()) return oauthProblem('Authorization code has expired');
    code.used = true;
    return this.#answer(this.#issue());
  }
}
