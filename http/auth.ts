/**
 * One admin login, checked by the session gate (http/gate.ts). The password is kept only as an scrypt hash:
 * from the config (`editor.admin.passwordHash` or `password`), or generated on first start, stored in
 * `<dataDir>/admin.json`, and printed once. Sessions live in memory behind an HttpOnly, SameSite=Strict cookie.
 * `hookline admin password` (cli/commands/admin.ts, another process) replaces admin.json: a service whose password
 * comes from that file looks at it on each login and session check (a stat; read again only when it changed),
 * and a new hash ends every session.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { closeSync, fchownSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;
export const SESSION_COOKIE = 'hookline_session';
const SESSION_TTL_MS = 12 * 3600_000;
/** Sessions kept at most: past it a new login ends the oldest (a script that logs in for every run never grows the map). */
const MAX_SESSIONS = 1000;

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
  /** Sessions held now (expired ones are dropped at each login). */
  activeSessions(): number;
}

export const ADMIN_FILE = 'admin.json';

/** A password as hookline generates one: 16 characters of base64url (96 bits). */
export const generatePassword = () => randomBytes(12).toString('base64url');

/**
 * Writes `<dataDir>/admin.json` ({username, passwordHash}, mode 0600, owned by the data folder's owner) atomically:
 * a temp file fsynced, then renamed over, so a running hookline reading it sees the old hash or the new one, never
 * half a file.
 */
export function writeAdminFile(dataDir: string, username: string, passwordHash: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, ADMIN_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      // Run as root on a data folder owned by the service's user (systemd's User=hookline), the file must stay
      // readable by that user: a root-owned 0600 admin.json would lock the editor out at the next start.
      const folder = statSync(dataDir);
      if (process.getuid?.() === 0 && folder.uid !== 0) fchownSync(fd, folder.uid, folder.gid);
      writeSync(fd, `${JSON.stringify({ username, passwordHash }, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  return file;
}

/** Changes when the file is replaced or rewritten; null when it is missing. */
function fileStamp(file: string): string | null {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch {
    return null;
  }
}

/** Equal-length digests, so comparing them says nothing about the length of what was typed. */
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function createAuth(dataDir: string, admin: AdminConfig = {}, now: () => number = Date.now, maxSessions = MAX_SESSIONS): Auth {
  const username = admin.username ?? 'admin';
  let hash: string;
  let generatedPassword: string | null = null;
  /** admin.json when the password comes from it (not from the config), and its stamp when last read. */
  let watched: { file: string; stamp: string | null } | null = null;
  if (admin.passwordHash) hash = admin.passwordHash;
  else if (typeof admin.password === 'string') hash = hashPassword(admin.password);
  else {
    const file = join(dataDir, ADMIN_FILE);
    const stamp = fileStamp(file);
    if (stamp !== null) hash = (JSON.parse(readFileSync(file, 'utf8')) as { passwordHash: string }).passwordHash;
    else {
      generatedPassword = generatePassword();
      hash = hashPassword(generatedPassword);
      writeAdminFile(dataDir, username, hash);
    }
    watched = { file, stamp: fileStamp(file) };
  }
  const sessions = new Map<string, { username: string; expires: number }>();
  /**
   * admin.json replaced by `hookline admin password`: its new hash is the password, and every session ends. A file
   * removed, or one that does not hold a hash (an edit half done), changes nothing until it holds one again.
   */
  const followFile = () => {
    if (!watched) return;
    const stamp = fileStamp(watched.file);
    if (stamp === watched.stamp || stamp === null) return;
    watched.stamp = stamp;
    let next: unknown;
    try {
      next = (JSON.parse(readFileSync(watched.file, 'utf8')) as { passwordHash?: unknown }).passwordHash;
    } catch {
      return;
    }
    if (typeof next !== 'string' || !next.startsWith('scrypt$') || next === hash) return;
    hash = next;
    sessions.clear();
  };
  return {
    username,
    generatedPassword,
    login(u, p) {
      followFile();
      const okUser = timingSafeEqual(digest(u), digest(username));
      const okPass = verifyPassword(p, hash);
      if (!okUser || !okPass) return null;
      // Every session has the same lifetime, so the map (in insertion order) holds the expired ones first.
      const t = now();
      for (const [k, v] of sessions) {
        if (v.expires >= t && sessions.size < maxSessions) break;
        sessions.delete(k);
      }
      const token = randomBytes(32).toString('base64url');
      sessions.set(token, { username, expires: t + SESSION_TTL_MS });
      return token;
    },
    session(token) {
      if (!token) return null;
      followFile();
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
    activeSessions: () => sessions.size,
  };
}
