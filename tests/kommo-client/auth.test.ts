import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTokenFile, type TokenStore, type Tokens } from '../../engine/kommo/index.ts';
import { DEFAULT_OAUTH } from '../../sim/kommo/index.ts';
import { clientFor, makeClock, sent, startSim, tempDir } from './helpers.ts';

const DAY_MS = 86_400_000;
const ACCOUNT = 'GET /api/v4/account';
const TOKEN = 'POST /oauth2/access_token';

async function oauthSetup(store?: TokenStore) {
  const clock = makeClock();
  const sim = await startSim({ now: clock.now });
  const path = join(await tempDir(), 'kommo-tokens.json');
  const file = createTokenFile(path);
  await file.save({ accessToken: DEFAULT_OAUTH.accessToken as string, refreshToken: DEFAULT_OAUTH.refreshToken as string, expiresAt: clock.now() + DAY_MS });
  const kommo = clientFor(sim, {
    now: clock.now,
    auth: { kind: 'oauth', clientId: DEFAULT_OAUTH.clientId, clientSecret: DEFAULT_OAUTH.clientSecret, redirectUri: DEFAULT_OAUTH.redirectUri, tokens: store ?? file },
  });
  return { sim, kommo, clock, file };
}

function pairOf(t: Tokens | null) {
  return t && { accessToken: t.accessToken, refreshToken: t.refreshToken };
}

describe('engine/kommo: long-lived token', () => {
  it('treats a 401 as final: one request, and the error says to generate a new token', async () => {
    const sim = await startSim();
    const r = await clientFor(sim, { auth: { kind: 'long-lived', token: 'revoked-token' } }).account();
    expect(r.ok ? null : [r.error.code, r.error.status, r.error.hint.startsWith('Generate a new long-lived token')]).toEqual(['KOMMO_UNAUTHORIZED', 401, true]);
    expect(sent(sim, ACCOUNT)).toBe(1);
  });

  it('names the route and the call in the 401 message', async () => {
    const sim = await startSim();
    const r = await clientFor(sim, { auth: { kind: 'long-lived', token: 'revoked-token' } }).getContact(1000001, { linkedid: '1715000100.2' });
    expect(r.ok ? null : r.error.message).toBe('Kommo refused the long-lived token on GET /api/v4/contacts/:id on call 1715000100.2 (401): Invalid user name or password');
  });
});

describe('engine/kommo: OAuth', () => {
  it('refreshes before the access token expires and saves the new pair', async () => {
    const { sim, kommo, clock, file } = await oauthSetup();
    clock.advance(DAY_MS - 5 * 60_000);
    const r = await kommo.account();
    expect(r.ok).toBe(true);
    expect([sent(sim, TOKEN), sent(sim, ACCOUNT)]).toEqual([1, 1]);
    expect(pairOf(await file.load())).toEqual({ accessToken: sim.tokens().accessToken, refreshToken: sim.tokens().refreshToken });
  });

  it('refreshes once after a 401 and retries with the new token', async () => {
    const { sim, kommo, file } = await oauthSetup();
    sim.expireToken();
    const r = await kommo.account();
    expect(r.ok).toBe(true);
    expect(sim.requests({ route: ACCOUNT }).map((x) => x.status)).toEqual([401, 200]);
    expect((await file.load())?.refreshToken).toBe(sim.tokens().refreshToken);
  });

  it('shares one refresh among concurrent requests after a 401', async () => {
    const { sim, kommo } = await oauthSetup();
    sim.expireToken();
    const results = await Promise.all(Array.from({ length: 10 }, () => kommo.account()));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(sent(sim, TOKEN)).toBe(1);
  });

  it('shares one refresh among concurrent requests when the token is about to expire', async () => {
    const { sim, kommo, clock } = await oauthSetup();
    clock.advance(DAY_MS);
    const results = await Promise.all(Array.from({ length: 10 }, () => kommo.users()));
    expect(results.every((r) => r.ok)).toBe(true);
    expect([sent(sim, TOKEN), sim.counters().byStatus['401'] ?? 0]).toEqual([1, 0]);
  });

  it('does not use a new pair that could not be saved', async () => {
    const held: Tokens = { accessToken: DEFAULT_OAUTH.accessToken as string, refreshToken: DEFAULT_OAUTH.refreshToken as string, expiresAt: Date.now() + DAY_MS };
    const failing: TokenStore = { load: async () => held, save: async () => { throw new Error('disk full'); } };
    const { sim, kommo } = await oauthSetup(failing);
    sim.expireToken();
    const r = await kommo.account();
    expect(r.ok ? null : [r.error.code, r.error.message]).toEqual(['KOMMO_REFRESH_FAILED', 'the OAuth token refresh for POST /oauth2/access_token failed: the new token pair could not be saved: disk full']);
    expect(sim.requests({ route: ACCOUNT }).map((x) => x.status)).toEqual([401]);
  });

  it('reports a refused refresh token as KOMMO_REFRESH_FAILED with Kommo\'s hint', async () => {
    const store: TokenStore = { load: async () => ({ accessToken: 'expired', refreshToken: 'not-a-refresh-token', expiresAt: 0 }), save: async () => {} };
    const { sim, kommo } = await oauthSetup(store);
    const r = await kommo.account();
    expect(r.ok ? null : [r.error.code, r.error.route, r.error.detail?.hint]).toEqual(['KOMMO_REFRESH_FAILED', TOKEN, 'Cannot decrypt the refresh token']);
    expect(sent(sim, ACCOUNT)).toBe(0);
  });

  it('says so when no tokens are stored', async () => {
    const { kommo } = await oauthSetup({ load: async () => null, save: async () => {} });
    const r = await kommo.account();
    expect(r.ok ? null : [r.error.code, r.error.message]).toEqual(['KOMMO_UNAUTHORIZED', 'Kommo refused the OAuth access token on GET /api/v4/account (401): no OAuth tokens are stored yet']);
  });
});

describe('engine/kommo: token file', () => {
  it('reads back what it saved', async () => {
    const file = createTokenFile(join(await tempDir(), 't.json'));
    await file.save({ accessToken: 'a', refreshToken: 'r', expiresAt: 1 });
    expect(await file.load()).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: 1 });
  });

  it('answers null when the file does not exist', async () => {
    expect(await createTokenFile(join(await tempDir(), 'none.json')).load()).toBeNull();
  });

  it('leaves only the file, readable by its owner alone, after a save over an old one', async () => {
    const dir = await tempDir();
    const file = createTokenFile(join(dir, 't.json'));
    await file.save({ accessToken: 'a', refreshToken: 'r', expiresAt: 1 });
    await file.save({ accessToken: 'b', refreshToken: 's', expiresAt: 2 });
    expect([await readdir(dir), (await stat(join(dir, 't.json'))).mode & 0o777]).toEqual([['t.json'], 0o600]);
  });

  it('refuses a file that is not a token pair, naming the file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 't.json'), '{"accessToken":"a"}');
    await expect(createTokenFile(join(dir, 't.json')).load()).rejects.toThrow(`the token file ${join(dir, 't.json')} is not a token pair: refreshToken must be a non-empty string`);
  });
});
