/**
 * Where the engine reaches Kommo, from the configuration: the account's base URL and how it authenticates (a
 * long-lived token, or OAuth 2 with the current token pair kept in the data folder).
 */
import { join } from 'node:path';
import type { Config } from '../config/index.ts';
import { createTokenFile, type KommoAuth, type TokenStore } from '../engine/kommo/index.ts';
import { ServiceError } from './errors.ts';

export function kommoBaseUrl(kommo: NonNullable<Config['kommo']>): string {
  const baseUrl = kommo.baseUrl ?? (kommo.subdomain ? `https://${kommo.subdomain}.kommo.com` : '');
  if (!baseUrl) throw new ServiceError('CONFIG_INVALID', 'kommo needs `baseUrl` or `subdomain`', 'Set kommo.subdomain to your account\'s subdomain (https://<subdomain>.kommo.com), or kommo.baseUrl.');
  return baseUrl.replace(/\/+$/, '');
}

export function kommoAuth(kommo: NonNullable<Config['kommo']>, dataDir: string): KommoAuth {
  if (kommo.token) return { kind: 'long-lived', token: kommo.token };
  const o = kommo.oauth;
  if (o) {
    return {
      kind: 'oauth', clientId: o.clientId, clientSecret: o.clientSecret, redirectUri: o.redirectUri,
      tokens: seededTokens(createTokenFile(join(dataDir, 'kommo-tokens.json')), o.refreshToken),
    };
  }
  throw new ServiceError('CONFIG_INVALID', 'kommo needs a long-lived `token` or an `oauth` section', 'Add kommo.token (Kommo → Settings → Integrations → your private integration → Keys and scopes → long-lived token), or kommo.oauth.');
}

/**
 * The OAuth pair kept in the data folder. Before the first refresh there is none yet: the refresh token of the
 * code exchange (kommo.oauth.refreshToken) starts it, with no access token, so the first request refreshes at
 * once and the new pair is saved. From then on the saved pair is used (the configured refresh token is spent).
 */
function seededTokens(file: TokenStore, refreshToken: string | undefined): TokenStore {
  return {
    async load() {
      const kept = await file.load();
      if (kept || !refreshToken) return kept;
      return { accessToken: '', refreshToken, expiresAt: 0 };
    },
    save: (t) => file.save(t),
  };
}
