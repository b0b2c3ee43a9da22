/**
 * `<dataDir>/admin.json`, the generated admin password's hash, checked before the editor's auth reads it: a file
 * edited by hand (not JSON, no hash) is refused at start with STORE_CORRUPT, rather than stopping the start with a
 * bare JSON.parse message or starting with a login that fails inside (500) for everyone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeError, type HooklineError } from '../contracts/index.ts';

/** What hookline writes: scrypt$N$r$p$<salt base64>$<hash base64> (http/auth.ts hashPassword). */
const SCRYPT_HASH = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;

/** Null when admin.json is absent or as hookline writes it; else the refusal. Reads only. */
export function adminFileProblem(dataDir: string): HooklineError | null {
  const path = join(dataDir, 'admin.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return makeError('STORE_UNREADABLE', { path, detail: (e as Error).message });
  }
  const refuse = (detail: string) =>
    makeError('STORE_CORRUPT', {
      path, detail,
      remedy: `Delete it and start again (with no admin.json hookline generates a new admin password and prints it once), or write it anew with hookline admin password, or fix it as hookline wrote it ({"username": "admin", "passwordHash": "scrypt$…"}). Or set editor.admin.password in the config.`,
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return refuse(`not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return refuse('expected an object {"username", "passwordHash"}');
  const hash = (parsed as { passwordHash?: unknown }).passwordHash;
  if (typeof hash !== 'string' || !SCRYPT_HASH.test(hash)) return refuse('passwordHash is missing or not an scrypt hash as hookline writes it');
  return null;
}
