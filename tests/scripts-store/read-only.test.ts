import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../scripts-store/index.ts';
import { captureOf, compiles, freshDir, openOk } from './store-helpers.ts';

/** A store with one version and three captures, closed; and the files' bytes and times. */
async function written() {
  const dir = freshDir();
  const s = await openOk(dir);
  await s.publish('process_client_phone', { source: 'v1', message: 'm', author: 'a', check: compiles });
  for (let i = 0; i < 3; i++) s.capture(captureOf(i));
  await s.close();
  return dir;
}

const snapshot = (dir: string) => readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8'), statSync(join(dir, f)).mtimeMs]);

describe('a read-only store (hookline replay while hookline runs)', () => {
  it('reads versions and captures and writes nothing, even where a writer would repair', async () => {
    const dir = await written();
    appendFileSync(join(dir, 'captures.jsonl'), '["process_client_phone",{"id":"torn'); // a writer mid-append
    const before = snapshot(dir);
    const r = await openStore(dir, { readOnly: true });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.published('process_client_phone')?.source).toBe('v1');
    expect(r.value.captures('process_client_phone').map((c) => c.seed)).toEqual([2, 1, 0]);
    r.value.capture(captureOf(9));
    r.value.recordFailure('process_client_phone', { code: 'TIMEOUT', message: 'm', version: 1, linkedid: null });
    await r.value.close();
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses changes with an error value', async () => {
    const dir = await written();
    const r = await openStore(dir, { readOnly: true });
    if (!r.ok) throw new Error(r.error.message);
    const p = await r.value.publish('process_client_phone', { source: 'v2', message: 'm', author: 'a', check: compiles });
    expect(!p.ok && p.error.message).toBe(`the store file ${join(dir, 'scripts.json')} cannot be used: the store was opened read-only`);
    expect(r.value.published('process_client_phone')?.source).toBe('v1');
  });

  it('creates nothing in a folder with no store', async () => {
    const dir = join(freshDir(), 'none');
    const r = await openStore(dir, { readOnly: true });
    expect(r.ok && r.value.listHooks().every((h) => h.published === null)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });
});
