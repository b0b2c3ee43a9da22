/**
 * The key recording links are signed with: 32 random bytes generated once and kept in the data folder
 * (recordings.key, mode 0600), so links stay valid across restarts. Replacing the file invalidates every link
 * given out so far (that is how to revoke them all). A file that is there but unreadable or too short is an
 * error, never silently replaced: that would break every link in Kommo without saying so.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KEY_FILE = 'recordings.key';
const KEY_BYTES = 32;

export function keyPath(dataDir: string): string {
  return join(dataDir, KEY_FILE);
}

/** Reads the key, creating it on first use. Throws an Error whose message says what to do. */
export function loadOrCreateKey(dataDir: string): Buffer {
  const file = keyPath(dataDir);
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': only one process can create it; a second start reads what the first wrote.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create ${file}: ${(e as Error).message}; check that the data folder is writable`);
  }
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64,}$/i.test(text)) {
    throw new Error(`${file} is not a recording-link key (64 hex characters); move it away and hookline makes a new one (links given out so far stop working)`);
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return Buffer.from(text, 'hex');
}
