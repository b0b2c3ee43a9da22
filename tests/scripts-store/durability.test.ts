import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOOK_NAMES } from '../../contracts/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import { openStore, StoreWriteError } from '../../scripts-store/index.ts';
import { abandon, compiles, freshDir, openOk, tempFiles } from './store-helpers.ts';

describe('atomic writes', () => {
  it('keeps every change of many saves and publishes run at once, in a valid file', async () => {
    const dir = freshDir();
    const s = await openOk(dir);
    const work = HOOK_NAMES.flatMap((hook) =>
      Array.from({ length: 6 }, (_, i) =>
        i % 2
          ? s.saveDraft(hook, `${hook} draft ${i}`, 'a')
          : s.publish(hook, { source: `${hook} v${i}`, message: `m${i}`, author: 'a', check: compiles }),
      ),
    );
    await Promise.all(work);
    const onDisk = JSON.parse(readFileSync(join(dir, 'scripts.json'), 'utf8'));
    for (const hook of HOOK_NAMES) {
      expect(onDisk.hooks[hook].versions.map((v: { version: number; source: string }) => [v.version, v.source])).toEqual([
        [1, `${hook} v0`],
        [2, `${hook} v2`],
        [3, `${hook} v4`],
      ]);
      expect(onDisk.hooks[hook].published).toBe(3);
      // Saves of one hook land in the order they were made, so the last one stays.
      expect(onDisk.hooks[hook].draft.source).toBe(`${hook} draft 5`);
    }
    expect(tempFiles(dir)).toEqual([]);
  });

  it('reads back after a reopen exactly what it held', async () => {
    const dir = freshDir();
    const s = await openOk(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.publish('need_registration', { source: `v${i}`, message: 'm', author: 'a', check: compiles })));
    abandon(dir);
    const again = await openOk(dir);
    expect(again.versions('need_registration')).toEqual(s.versions('need_registration'));
  });

  it('keeps the backup equal to the last write', async () => {
    const dir = freshDir();
    const s = await openOk(dir);
    await s.saveDraft('need_registration', 'x', 'a');
    await s.publish('need_registration', { message: 'm', author: 'a', check: compiles });
    const file = join(dir, 'scripts.json');
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(readFileSync(file, 'utf8'));
  });

  it('refuses a publish it cannot write, names the file, and keeps memory as it was', async () => {
    const dir = freshDir();
    const s = await openOk(dir);
    await s.publish('need_registration', { source: 'v1', message: 'm', author: 'a', check: compiles });
    rmSync(dir, { recursive: true });
    const r = await s.publish('need_registration', { source: 'v2', message: 'm', author: 'a', check: compiles });
    expect(!r.ok && r.error.code).toBe('STORE_UNREADABLE');
    expect(!r.ok && r.error.message).toContain(`the store file ${join(dir, 'scripts.json')} cannot be used: ENOENT`);
    expect(s.published('need_registration')?.source).toBe('v1');
    expect(s.versions('need_registration')).toHaveLength(1);
  });

  it('rejects a draft it cannot write with the error value, and keeps the old draft', async () => {
    const dir = freshDir();
    const s = await openOk(dir);
    await s.saveDraft('need_registration', 'old', 'a');
    rmSync(dir, { recursive: true });
    const err = await s.saveDraft('need_registration', 'new', 'a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreWriteError);
    expect((err as StoreWriteError).error.code).toBe('STORE_UNREADABLE');
    expect(s.draft('need_registration')?.source).toBe('old');
  });
});

describe('a corrupt file', () => {
  async function corruptScripts() {
    const dir = freshDir();
    const s = await openOk(dir);
    await s.publish('need_registration', { source: 'good', message: 'm', author: 'a', check: compiles });
    const file = join(dir, 'scripts.json');
    const broken = '{"schemaVersion": 1, "hooks": {"need_registr';
    writeFileSync(file, broken);
    abandon(dir);
    return { dir, file, broken };
  }

  it('is reported with its path, what is wrong and the backup to restore', async () => {
    const { dir, file } = await corruptScripts();
    const r = await openStore(dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('STORE_CORRUPT');
    expect(r.error.message).toMatch(new RegExp(`^the store file ${file} cannot be read as hookline data: not valid JSON \\(`));
    expect(r.error.hint).toBe(
      `hookline left the file as it is. Restore the last good state from ${file}.bak (copy it over the file), or move the file and its backup away to start that part of the store empty; then start hookline again.`,
    );
  });

  it('is left exactly as it was, and so is its backup', async () => {
    const { dir, file, broken } = await corruptScripts();
    const backup = readFileSync(`${file}.bak`, 'utf8');
    await openStore(dir);
    await openStore(dir);
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(backup);
  });

  it('can be restored from its backup', async () => {
    const { dir, file } = await corruptScripts();
    await openStore(dir);
    copyFileSync(`${file}.bak`, file);
    expect((await openOk(dir)).published('need_registration')?.source).toBe('good');
  });

  it('is reported when it parses but has the wrong shape, with the JSON path', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'scripts.json'), JSON.stringify({ schemaVersion: 1, hooks: { need_registration: { draft: null, published: 1, versions: 'v1' } } }));
    const r = await openStore(dir);
    expect(!r.ok && r.error.code).toBe('STORE_CORRUPT');
    expect(!r.ok && r.error.message).toContain('/hooks/need_registration/versions');
  });

  it('is reported for the captures file too, which is not reset either', async () => {
    const dir = freshDir();
    const s = await openOk(dir);
    await s.close();
    const file = join(dir, 'captures.jsonl');
    writeFileSync(file, '[]\n');
    const r = await openStore(dir);
    expect(!r.ok && r.error.message).toBe(`the store file ${file} cannot be read as hookline data: line 1 is not the header ({"schemaVersion": …, "kind": …})`);
    expect(readFileSync(file, 'utf8')).toBe('[]\n');
  });
});

describe('an unreadable or missing file', () => {
  it('is reported when the path is not a readable file (a folder in its place)', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'scripts.json'));
    const r = await openStore(dir);
    expect(!r.ok && r.error.code).toBe('STORE_UNREADABLE');
    expect(!r.ok && r.error.message).toMatch(new RegExp(`^the store file ${join(dir, 'scripts.json')} cannot be used: EISDIR`));
    expect(statSync(join(dir, 'scripts.json')).isDirectory()).toBe(true);
  });

  it('is reported when the data folder cannot be made (a file in its place)', async () => {
    const dir = join(freshDir(), 'data');
    writeFileSync(dir, 'not a folder');
    const r = await openStore(dir);
    expect(!r.ok && r.error.code).toBe('STORE_UNREADABLE');
    expect(!r.ok && r.error.message).toContain(dir);
  });

  it('refuses to start empty when the file is gone but its backup is there', async () => {
    const dir = freshDir();
    const s = await openOk(dir);
    await s.publish('need_registration', { source: 'good', message: 'm', author: 'a', check: compiles });
    const file = join(dir, 'scripts.json');
    rmSync(file);
    abandon(dir);
    const r = await openStore(dir);
    expect(!r.ok && r.error).toMatchObject({ code: 'STORE_MISSING', message: `the store file ${file} is missing, but its backup ${file}.bak is there` });
    expect(existsSync(file)).toBe(false);
    expect(JSON.parse(readFileSync(`${file}.bak`, 'utf8')).hooks.need_registration.versions[0].source).toBe('good');
  });
});

describe('a backup that cannot be written', () => {
  it('is a warning: the store opens and writes, and the log names the backup', async () => {
    const dir = freshDir();
    await (await openOk(dir)).publish('need_registration', { source: 'a', message: 'm', author: 'a', check: compiles });
    const backup = join(dir, 'scripts.json.bak');
    rmSync(backup);
    mkdirSync(backup); // a folder where the backup should be
    abandon(dir);
    const { log, lines } = createMemoryLogger();
    const s = await openOk(dir, { log });
    const r = await s.publish('need_registration', { source: 'b', message: 'm', author: 'a', check: compiles });
    expect(r.ok).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'scripts.json'), 'utf8')).hooks.need_registration.versions).toHaveLength(2);
    const warnings = lines().filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings).toEqual([
      `the backup ${backup} could not be refreshed; the store file itself is fine`,
      `the backup ${backup} could not be refreshed; the store file itself is fine`,
    ]);
  });
});
