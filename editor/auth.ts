/**
 * One admin login. The password is kept only as an scrypt hash: from the config (`editor.admin.passwordHash`
 * or `password`), or generated on first start, stored in `<dataDir>/admin.json`, and printed once.
 * Sessions live in memory behind an HttpOnly, SameSite=Strict cookie.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;
export const SESSION_COOKIE = 'hookline_session';
const SESSION_TTL_MS = 12 * 3600_000;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, KEYLEN, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = scryptSync(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export interface AdminConfig {
  username?: string;
  password?: unknown;
  passwordHash?: string;
}

export interface Auth {
  username: string;
  /** Set on the first start with no admin configured: print it once. */
  generatedPassword: string | null;
  login(username: string, password: string): string | null;
  session(token: string | undefined): { username: string } | null;
  logout(token: string | undefined): void;
}

export function createAuth(dataDir: string, admin: AdminConfig = {}, now: () => number = Date.now): Auth {
  const username = admin.username ?? 'admin';
  let hash: string;
  let generatedPassword: string | null = null;
  if (admin.passwordHash) hash = admin.passwordHash;
  else if (typeof admin.password === 'string') hash = hashPassword(admin.password);
  else {
    const file = join(dataDir, 'admin.json');
    if (existsSync(file)) hash = (JSON.parse(readFileSync(file, 'utf8')) as { passwordHash: string }).passwordHash;
    else {
      generatedPassword = randomBytes(12).toString('base64url');
      hash = hashPassword(generatedPassword);
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, `${JSON.stringify({ username, passwordHash: hash }, null, 2)}\n`, { mode: 0o600 });
    }
  }
  const sessions = new Map<string, { username: string; expires: number }>();
  return {
    username,
    generatedPassword,
    login(u, p) {
      const okUser = u.length === username.length && timingSafeEqual(Buffer.from(u), Buffer.from(username));
      const okPass = verifyPassword(p, hash);
      if (!okUser || !okPass) return null;
      const token = randomBytes(32).toString('base64url');
      sessions.set(token, { username, expires: now() + SESSION_TTL_MS });
      return token;
    },
    session(token) {
      if (!token) return null;
      const s = sessions.get(token);
      if (!s) return null;
      if (s.expires < now()) {
        sessions.delete(token);
        return null;
      }
      return { username: s.username };
    },
    logout(token) {
      if (token) sessions.delete(token);
    },
  };
}
