/**
 * A TokenStore in one JSON file. A save writes a temporary file beside it, flushes it to disk and renames
 * it over the old one, so a crash leaves either the old pair or the new one, never half a file. The file
 * holds secrets: it is created readable by its owner only (0600).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkTokens, type TokenStore, type Tokens } from './tokens.ts';

export function createTokenFile(path: string): TokenStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`the token file ${path} is not JSON`);
      }
      const checked = checkTokens(parsed);
      if (!checked.ok) throw new Error(`the token file ${path} is not a token pair: ${checked.message}`);
      return checked.tokens;
    },
    async save(tokens: Tokens) {
      const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(`${JSON.stringify(tokens, null, 2)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
  };
}
