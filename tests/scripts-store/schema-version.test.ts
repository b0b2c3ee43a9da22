import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, SCRIPTS_SCHEMA } from '../../scripts-store/index.ts';
import { compiles, freshDir, openOk } from './store-helpers.ts';

/** The scripts file as hookline wrote it before schema versions: per hook the live source and its history. */
const v0 = {
  process_client_phone: {
    source: 'new',
    history: [
      { source: 'old', message: 'first', time: '2026-01-01T00:00:00.000Z', author: 'anna' },
      { source: 'new', message: 'second', time: '2026-02-01T00:00:00.000Z' },
    ],
  },
  need_registration: { source: 'only live', history: [] },
  customize_autodistribution: { source: 'rolled back', history: [{ source: 'rolled back' }, { source: 'later' }] },
};

async function migrated() {
  const dir = freshDir();
  writeFileSync(join(dir, 'scripts.json'), JSON.stringify(v0));
  return { dir, store: await openOk(dir) };
}

describe('migration from the file before schema versions (v0)', () => {
  it('turns the history into numbered versions with the live source published', async () => {
    const { store } = await migrated();
    expect(store.versions('process_client_phone').map((v) => [v.version, v.source, v.message, v.author, v.time])).toEqual([
      [1, 'old', 'first', 'anna', '2026-01-01T00:00:00.000Z'],
      [2, 'new', 'second', 'unknown', '2026-02-01T00:00:00.000Z'],
    ]);
    expect(store.published('process_client_phone')?.version).toBe(2);
    expect(store.draft('process_client_phone')).toBeNull();
  });

  it('makes a version of a live source the history lacks', async () => {
    const { store } = await migrated();
    expect(store.published('need_registration')).toMatchObject({ version: 1, source: 'only live' });
  });

  it('keeps the pointer on an older version when that is what was live', async () => {
    const { store } = await migrated();
    expect(store.published('customize_autodistribution')).toMatchObject({ version: 1, source: 'rolled back' });
    expect(store.versions('customize_autodistribution')).toHaveLength(2);
  });

  it('writes the file at the current schema version and keeps the original beside it', async () => {
    const { dir } = await migrated();
    expect(JSON.parse(readFileSync(join(dir, 'scripts.json'), 'utf8')).schemaVersion).toBe(SCRIPTS_SCHEMA);
    expect(JSON.parse(readFileSync(join(dir, 'scripts.json.v0.bak'), 'utf8'))).toEqual(v0);
  });

  it('goes on from the migrated versions', async () => {
    const { store } = await migrated();
    const r = await store.publish('process_client_phone', { source: 'newer', message: 'm', author: 'a', check: compiles });
    expect(r.ok && r.value.version).toBe(3);
  });

  it('reports a v0 file it cannot make sense of as corrupt, and leaves it alone', async () => {
    const dir = freshDir();
    const text = JSON.stringify({ process_client_phone: { history: [{ message: 'no source' }] } });
    writeFileSync(join(dir, 'scripts.json'), text);
    const r = await openStore(dir);
    expect(!r.ok && r.error.message).toBe(
      `the store file ${join(dir, 'scripts.json')} cannot be read as hookline data: migration from schema version 0 failed: "process_client_phone".history[0].source is not a string`,
    );
    expect(readFileSync(join(dir, 'scripts.json'), 'utf8')).toBe(text);
    expect(existsSync(join(dir, 'scripts.json.v0.bak'))).toBe(false);
  });
});

describe('a file from a newer hookline', () => {
  it('is refused with both versions named, and left as it is', async () => {
    const dir = freshDir();
    const file = join(dir, 'scripts.json');
    const text = JSON.stringify({ schemaVersion: SCRIPTS_SCHEMA + 1, hooks: {}, somethingNew: true });
    writeFileSync(file, text);
    const r = await openStore(dir);
    expect(!r.ok && r.error).toMatchObject({
      code: 'STORE_TOO_NEW',
      message: `the store file ${file} has schema version ${SCRIPTS_SCHEMA + 1}, newer than this hookline understands (${SCRIPTS_SCHEMA})`,
    });
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('is refused for the captures file too', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'captures.jsonl'), '{"schemaVersion":2,"kind":"captures"}\n["need_registration",{"whatever":"v2 holds"}]\n');
    const r = await openStore(dir);
    expect(!r.ok && r.error.code).toBe('STORE_TOO_NEW');
    expect(!r.ok && r.error.message).toContain(join(dir, 'captures.jsonl'));
  });
});
