/** OAuth tokens and where they are kept between runs. */

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, in ms since the epoch on the client's clock (`now`). */
  expiresAt: number;
}

/**
 * Where the OAuth pair lives: the scripts store or a file (token-file.ts). `save` must be durable when it
 * resolves: Kommo revokes the old refresh token once the new one is used, so a pair that was used but not
 * saved would lock hookline out after a restart.
 */
export interface TokenStore {
  load(): Promise<Tokens | null>;
  save(tokens: Tokens): Promise<void>;
}

/** Checks a value read back from a store; a message says what is wrong. */
export function checkTokens(x: unknown): { ok: true; tokens: Tokens } | { ok: false; message: string } {
  if (typeof x !== 'object' || x === null) return { ok: false, message: 'expected an object {accessToken, refreshToken, expiresAt}' };
  const t = x as Record<string, unknown>;
  if (typeof t.accessToken !== 'string' || t.accessToken === '') return { ok: false, message: 'accessToken must be a non-empty string' };
  if (typeof t.refreshToken !== 'string' || t.refreshToken === '') return { ok: false, message: 'refreshToken must be a non-empty string' };
  if (typeof t.expiresAt !== 'number' || !Number.isFinite(t.expiresAt)) return { ok: false, message: 'expiresAt must be a number (ms since the epoch)' };
  return { ok: true, tokens: { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt } };
}
