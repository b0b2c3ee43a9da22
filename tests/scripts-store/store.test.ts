import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeError } from '../../contracts/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'hl-store-'));
const ok = async () => null;

async function open(dir: string, opts = {}): Promise<Store> {
  const r = await openStore(dir, opts);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('scripts store', () => {
  it('keeps drafts and numbered versions, and publishes the draft', async () => {
    const s = await open(fresh());
    await s.saveDraft('need_registration', 'export default () => 1', 'admin');
    const v = await s.publish('need_registration', { message: 'first', author: 'admin', check: ok });
    expect(v).toMatchObject({ ok: true, value: { version: 1, message: 'first', author: 'admin', source: 'export default () => 1' } });
    expect(s.published('need_registration')?.version).toBe(1);
    expect(s.listHooks().find((h) => h.hook === 'need_registration')).toEqual({ hook: 'need_registration', published: 1, draftChanged: false, versions: 1 });
    await s.saveDraft('need_registration', 'export default () => 2', 'admin');
    expect(s.listHooks().find((h) => h.hook === 'need_registration')?.draftChanged).toBe(true);
  });

  it('refuses to publish a version whose check fails, and changes nothing', async () => {
    const s = await open(fresh());
    await s.saveDraft('need_registration', 'export default (', 'admin');
    const r = await s.publish('need_registration', { message: 'x', author: 'a', check: async () => makeError('COMPILE_ERROR', { hook: 'need_registration', detail: 'Unexpected end of file' }) });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('PUBLISH_REFUSED');
      expect(r.error.message).toBe('need_registration was not published: COMPILE_ERROR: need_registration did not compile: Unexpected end of file');
    }
    expect(s.published('need_registration')).toBeNull();
  });

  it('rolls back by publishing the earlier source as a new version, and tells listeners', async () => {
    const s = await open(fresh());
    const seen: number[] = [];
    s.onPublished((_h, v) => seen.push(v.version));
    await s.publish('process_client_phone', { source: 'a', message: 'v1', author: 'x', check: ok });
    await s.publish('process_client_phone', { source: 'b', message: 'v2', author: 'x', check: ok });
    const r = await s.rollback('process_client_phone', { author: 'y' });
    expect(r).toMatchObject({ ok: true, value: { version: 3, source: 'a', rollbackOf: 1, message: 'rollback to v1' } });
    expect(s.published('process_client_phone')?.source).toBe('a');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('writes atomically under concurrent saves: the file stays valid and nothing is lost', async () => {
    const dir = fresh();
    const s = await open(dir);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 ? s.saveDraft('process_call_params', `draft ${i}`, 'a') : s.publish('process_lead_creation_params', { source: `v ${i}`, message: `m${i}`, author: 'a', check: ok }),
      ),
    );
    const onDisk = JSON.parse(readFileSync(join(dir, 'scripts.json'), 'utf8'));
    expect(onDisk.hooks.process_lead_creation_params.versions.map((v: { version: number }) => v.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const again = await open(dir);
    expect(again.versions('process_lead_creation_params')).toHaveLength(20);
    expect(again.draft('process_call_params')?.source).toMatch(/^draft \d+$/);
  });

  it('reports a corrupt file with its path and backup, never overwrites it, and the backup restores the state', async () => {
    const dir = fresh();
    const s = await open(dir);
    await s.publish('need_registration', { source: 'good', message: 'm', author: 'a', check: ok });
    const file = join(dir, 'scripts.json');
    writeFileSync(file, '{"schemaVersion": 1, "hooks": {"need_registr');
    const r = await openStore(dir);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('STORE_CORRUPT');
      expect(r.error.message).toContain(file);
      expect(r.error.message).toMatch(/not valid JSON/);
      expect(r.error.hint).toContain(`${file}.bak`);
    }
    expect(readFileSync(file, 'utf8')).toBe('{"schemaVersion": 1, "hooks": {"need_registr');
    copyFileSync(`${file}.bak`, file);
    expect((await open(dir)).published('need_registration')?.source).toBe('good');
  });

  it('reports an unreadable file (a folder where the file should be)', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'scripts.json'));
    const r = await openStore(dir);
    expect(!r.ok && r.error.code).toBe('STORE_UNREADABLE');
    expect(!r.ok && r.error.message).toContain(join(dir, 'scripts.json'));
  });

  it('migrates a file from before schema versions, keeping the original', async () => {
    const dir = fresh();
    const old = { process_client_phone: { source: 'new', history: [{ source: 'old', message: 'first' }, { source: 'new', message: 'second' }] } };
    writeFileSync(join(dir, 'scripts.json'), JSON.stringify(old));
    const s = await open(dir);
    expect(s.versions('process_client_phone').map((v) => [v.version, v.source, v.message])).toEqual([
      [1, 'old', 'first'],
      [2, 'new', 'second'],
    ]);
    expect(s.published('process_client_phone')?.version).toBe(2);
    expect(JSON.parse(readFileSync(join(dir, 'scripts.json'), 'utf8')).schemaVersion).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'scripts.json.v0.bak'), 'utf8'))).toEqual(old);
  });

  it('refuses a file from a newer hookline and leaves it as it is', async () => {
    const dir = fresh();
    const text = JSON.stringify({ schemaVersion: 9, hooks: {} });
    writeFileSync(join(dir, 'scripts.json'), text);
    const r = await openStore(dir);
    expect(!r.ok && r.error.code).toBe('STORE_TOO_NEW');
    expect(readFileSync(join(dir, 'scripts.json'), 'utf8')).toBe(text);
  });

  it('keeps a bounded ring of captures per hook, newest first', async () => {
    const s = await open(fresh(), { captureRing: 5 });
    for (let i = 0; i < 12; i++) s.capture({ hook: 'need_registration', linkedid: `1.${i}`, input: { i }, now: i, seed: i });
    const c = s.captures('need_registration');
    expect(c.map((x) => x.linkedid)).toEqual(['1.11', '1.10', '1.9', '1.8', '1.7']);
    expect(s.captures('need_registration', { limit: 2 })).toHaveLength(2);
    expect(s.captures('need_registration', { ids: [c[3]?.id as string] }).map((x) => x.linkedid)).toEqual(['1.8']);
  });

  it('captures nothing when capture is switched off', async () => {
    const s = await open(fresh(), { captureEnabled: false });
    s.capture({ hook: 'need_registration', linkedid: '1.1', input: {}, now: 0, seed: 0 });
    expect(s.captures('need_registration')).toEqual([]);
  });

  it('batches capture writes off the call path: many captures, one write at flush', async () => {
    const dir = fresh();
    const s = await open(dir, { flushMs: 60_000 });
    const before = s.fileWrites.captures;
    for (let i = 0; i < 100; i++) s.capture({ hook: 'process_client_phone', linkedid: `2.${i}`, input: { i }, now: i, seed: i });
    expect(s.fileWrites.captures).toBe(before);
    await s.flush();
    expect(s.fileWrites.captures).toBe(before + 1);
    expect(s.fileWrites.scripts).toBe(1);
    const reopened = await open(dir);
    expect(reopened.captures('process_client_phone')).toHaveLength(100);
  });

  it('keeps a bounded failure log per hook', async () => {
    const s = await open(fresh(), { failureLimit: 3 });
    for (let i = 0; i < 5; i++) s.recordFailure('need_registration', { code: 'TIMEOUT', message: `m${i}`, version: 1, linkedid: `3.${i}` });
    expect(s.failures('need_registration').map((f) => f.message)).toEqual(['m2', 'm3', 'm4']);
  });
});
