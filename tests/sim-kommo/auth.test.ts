import { describe, expect, it } from 'vitest';
import { DEFAULT_OAUTH } from '../../sim/kommo/index.ts';
import { T0, useKommo } from './helpers.ts';

const UNAUTHORIZED = { title: 'Unauthorized', type: 'https://httpstatus.es/401', status: 401, detail: 'Invalid user name or password' };

function refresh(refreshToken: string, secret = DEFAULT_OAUTH.clientSecret) {
  return { client_id: DEFAULT_OAUTH.clientId, client_secret: secret, grant_type: 'refresh_token', refresh_token: refreshToken, redirect_uri: DEFAULT_OAUTH.redirectUri };
}

describe('sim/kommo authorization', () => {
  const k = useKommo();

  it('answers 401 with Kommo\'s problem body when the Authorization header is missing', async () => {
    const r = await k.api('GET', '/api/v4/account', undefined, { token: null });
    expect(r.status).toBe(401);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(r.body).toEqual(UNAUTHORIZED);
  });

  it('answers 401 to an unknown bearer token', async () => {
    const r = await k.api('GET', '/api/v4/account', undefined, { token: 'not-a-token' });
    expect([r.status, r.body]).toEqual([401, UNAUTHORIZED]);
  });

  it('accepts the long-lived token and the initial OAuth access token', async () => {
    const a = await k.api('GET', '/api/v4/account');
    const b = await k.api('GET', '/api/v4/account', undefined, { token: DEFAULT_OAUTH.accessToken! });
    expect([a.status, b.status]).toEqual([200, 200]);
  });

  it('answers 401 once the access token has expired on the emulator\'s clock', async () => {
    k.clock.advance(86_400_000);
    const r = await k.api('GET', '/api/v4/account', undefined, { token: DEFAULT_OAUTH.accessToken! });
    expect(r.status).toBe(401);
  });

  it('answers 401 after expireToken() and keeps the long-lived token working', async () => {
    expect(k.sim.expireToken()).toEqual([DEFAULT_OAUTH.accessToken]);
    const oauth = await k.api('GET', '/api/v4/account', undefined, { token: DEFAULT_OAUTH.accessToken! });
    const longLived = await k.api('GET', '/api/v4/account');
    expect([oauth.status, longLived.status]).toEqual([401, 200]);
  });

  it('refreshes into a new pair whose access token works', async () => {
    const r = await k.api('POST', '/oauth2/access_token', refresh(DEFAULT_OAUTH.refreshToken!), { token: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 86_400, server_time: T0 / 1000 });
    expect(r.body.refresh_token).not.toBe(DEFAULT_OAUTH.refreshToken);
    expect(r.body.access_token.split('.')).toHaveLength(3);
    const me = await k.api('GET', '/api/v4/account', undefined, { token: r.body.access_token });
    expect(me.status).toBe(200);
    expect(k.sim.tokens()).toMatchObject({ accessToken: r.body.access_token, refreshToken: r.body.refresh_token });
  });

  it('keeps the old refresh token valid until the new one is used', async () => {
    const first = await k.api('POST', '/oauth2/access_token', refresh(DEFAULT_OAUTH.refreshToken!), { token: null });
    const retry = await k.api('POST', '/oauth2/access_token', refresh(DEFAULT_OAUTH.refreshToken!), { token: null });
    expect([first.status, retry.status]).toEqual([200, 200]);
    const next = await k.api('POST', '/oauth2/access_token', refresh(retry.body.refresh_token), { token: null });
    expect(next.status).toBe(200);
    const old = await k.api('POST', '/oauth2/access_token', refresh(DEFAULT_OAUTH.refreshToken!), { token: null });
    expect(old.status).toBe(400);
    expect(old.body).toMatchObject({ hint: 'Token has been revoked', status: 400, type: 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson' });
  });

  it('refuses a refresh with the wrong client secret with 401', async () => {
    const r = await k.api('POST', '/oauth2/access_token', refresh(DEFAULT_OAUTH.refreshToken!, 'wrong'), { token: null });
    expect([r.status, r.body.hint]).toEqual([401, 'Client authentication failed']);
  });

  it('refuses an unknown refresh token', async () => {
    const r = await k.api('POST', '/oauth2/access_token', refresh('made-up'), { token: null });
    expect([r.status, r.body.hint]).toEqual([400, 'Cannot decrypt the refresh token']);
  });

  it('exchanges an authorization code once', async () => {
    const body = { client_id: DEFAULT_OAUTH.clientId, client_secret: DEFAULT_OAUTH.clientSecret, grant_type: 'authorization_code', code: 'sim-auth-code', redirect_uri: DEFAULT_OAUTH.redirectUri };
    const first = await k.api('POST', '/oauth2/access_token', body, { token: null });
    const again = await k.api('POST', '/oauth2/access_token', body, { token: null });
    expect(first.status).toBe(200);
    expect([again.status, again.body.hint]).toEqual([400, 'Authorization code has been revoked']);
  });
});
