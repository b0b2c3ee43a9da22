import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeError } from '../../contracts/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import { abandon, compiles, freshDir, openOk } from './store-helpers.ts';

const T0 = new Date('2026-11-20T10:00:00.000Z');
const clock = () => T0;

describe('drafts and versions', () => {
  it('saves a draft without publishing it', async () => {
    const s = await openOk(freshDir(), { now: clock });
    const d = await s.saveDraft('need_registration', 'export default () => 1', 'anna');
    expect(d).toEqual({ source: 'export default () => 1', updatedAt: T0.toISOString(), author: 'anna' });
    expect(s.draft('need_registration')).toEqual(d);
    expect(s.published('need_registration')).toBeNull();
  });

  it('publishes the draft as version 1 with author, message, time and hash', async () => {
    const s = await openOk(freshDir(), { now: clock });
    await s.saveDraft('need_registration', 'export default () => 1', 'anna');
    const r = await s.publish('need_registration', { message: 'first', author: 'anna', check: compiles });
    expect(r).toEqual({
      ok: true,
      value: { version: 1, time: T0.toISOString(), author: 'anna', message: 'first', source: 'export default () => 1', hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(s.published('need_registration')).toEqual(r.ok && r.value);
  });

  it('publishes a given source instead of the draft, leaving the draft alone', async () => {
    const s = await openOk(freshDir());
    await s.saveDraft('need_registration', 'draft', 'anna');
    await s.publish('need_registration', { source: 'given', message: 'm', author: 'anna', check: compiles });
    expect(s.published('need_registration')?.source).toBe('given');
    expect(s.draft('need_registration')?.source).toBe('draft');
  });

  it('refuses to publish when the check fails, with the check\'s own error, and changes nothing', async () => {
    const dir = freshDir();
    const s = await openOk(dir);
    await s.publish('need_registration', { source: 'good', message: 'v1', author: 'a', check: compiles });
    await s.saveDraft('need_registration', 'export default (', 'a');
    const before = readFileSync(join(dir, 'scripts.json'), 'utf8');
    const compileError = makeError('COMPILE_ERROR', { hook: 'need_registration', detail: 'Unexpected end of file' });
    const r = await s.publish('need_registration', { message: 'broken', author: 'a', check: async () => compileError });
    expect(r).toEqual({ ok: false, error: compileError });
    expect(s.published('need_registration')?.version).toBe(1);
    expect(s.versions('need_registration')).toHaveLength(1);
    expect(readFileSync(join(dir, 'scripts.json'), 'utf8')).toBe(before);
  });

  it('refuses to publish when there is no draft and no source', async () => {
    const s = await openOk(freshDir());
    const r = await s.publish('need_registration', { message: 'm', author: 'a', check: compiles });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({ code: 'PUBLISH_REFUSED', message: 'need_registration was not published: there is no draft to publish' });
  });

  it('lists the 13 hooks with the published version, draft changed and failures of the last 24 hours', async () => {
    const s = await openOk(freshDir(), { now: clock });
    await s.publish('process_client_phone', { source: 'a', message: 'm', author: 'x', check: compiles });
    await s.saveDraft('process_client_phone', 'b', 'x');
    await s.saveDraft('need_registration', 'c', 'x');
    s.recordFailure('process_client_phone', { code: 'TIMEOUT', message: 'slow', version: 1, linkedid: '1.1' });
    s.recordFailure('process_client_phone', { code: 'TIMEOUT', message: 'old', version: 1, linkedid: '1.0', time: '2026-11-18T10:00:00.000Z' });
    const list = s.listHooks();
    expect(list).toHaveLength(13);
    expect(list.find((h) => h.hook === 'process_client_phone')).toEqual({ hook: 'process_client_phone', published: 1, draftChanged: true, versions: 1, failures24h: 1 });
    expect(list.find((h) => h.hook === 'need_registration')).toEqual({ hook: 'need_registration', published: null, draftChanged: true, versions: 0, failures24h: 0 });
  });

  it('says the draft is unchanged when it holds the published source', async () => {
    const s = await openOk(freshDir());
    await s.saveDraft('need_registration', 'same', 'x');
    await s.publish('need_registration', { message: 'm', author: 'x', check: compiles });
    expect(s.listHooks().find((h) => h.hook === 'need_registration')?.draftChanged).toBe(false);
  });
});

describe('rollback', () => {
  async function threeVersions() {
    const s = await openOk(freshDir());
    for (const src of ['a', 'b', 'c']) await s.publish('process_client_phone', { source: src, message: src, author: 'x', check: compiles });
    return s;
  }

  it('publishes the version before the published one again, as a new version that names it', async () => {
    const s = await threeVersions();
    const r = await s.rollback('process_client_phone', { author: 'y' });
    expect(r).toMatchObject({ ok: true, value: { version: 4, source: 'b', rollbackOf: 2, message: 'rollback to v2', author: 'y' } });
    expect(s.published('process_client_phone')?.version).toBe(4);
    expect(s.versions('process_client_phone').map((v) => [v.version, v.source, v.rollbackOf])).toEqual([
      [1, 'a', undefined],
      [2, 'b', undefined],
      [3, 'c', undefined],
      [4, 'b', 2],
    ]);
  });

  it('rolls back to a chosen version', async () => {
    const s = await threeVersions();
    const r = await s.rollback('process_client_phone', { author: 'y', toVersion: 1 });
    expect(r).toMatchObject({ ok: true, value: { version: 4, source: 'a', rollbackOf: 1 } });
    expect(s.published('process_client_phone')?.source).toBe('a');
  });

  it('refuses a version that does not exist, and one that is already published', async () => {
    const s = await threeVersions();
    const missing = await s.rollback('process_client_phone', { author: 'y', toVersion: 9 });
    expect(!missing.ok && missing.error.message).toBe('process_client_phone was not published: there is no version 9');
    const same = await s.rollback('process_client_phone', { author: 'y', toVersion: 3 });
    expect(!same.ok && same.error.message).toBe('process_client_phone was not published: version 3 is already the published one');
    expect(s.versions('process_client_phone')).toHaveLength(3);
  });

  it('refuses when there is no earlier version', async () => {
    const s = await openOk(freshDir());
    await s.publish('need_registration', { source: 'a', message: 'm', author: 'x', check: compiles });
    const r = await s.rollback('need_registration', { author: 'y' });
    expect(!r.ok && r.error).toMatchObject({ code: 'PUBLISH_REFUSED', message: 'need_registration was not published: there is no earlier version to roll back to' });
  });

  it('survives a reopen: versions and the published pointer come back from disk', async () => {
    const dir = freshDir();
    const s = await openOk(dir);
    for (const src of ['a', 'b']) await s.publish('process_client_phone', { source: src, message: src, author: 'x', check: compiles });
    await s.rollback('process_client_phone', { author: 'y' });
    abandon(dir);
    const again = await openOk(dir);
    expect(again.published('process_client_phone')).toMatchObject({ version: 3, source: 'a', rollbackOf: 1 });
    expect(again.versions('process_client_phone')).toEqual(s.versions('process_client_phone'));
  });
});

describe('onPublished', () => {
  it('tells listeners of each publish and rollback, once it is on disk', async () => {
    const dir = freshDir();
    const s = await openOk(dir);
    const seen: string[] = [];
    s.onPublished((hook, v) => {
      const onDisk = JSON.parse(readFileSync(join(dir, 'scripts.json'), 'utf8'));
      seen.push(`${hook} v${v.version} on disk: ${onDisk.hooks[hook].published}`);
    });
    await s.publish('process_client_phone', { source: 'a', message: 'm', author: 'x', check: compiles });
    await s.publish('process_client_phone', { source: 'b', message: 'm', author: 'x', check: compiles });
    await s.rollback('process_client_phone', { author: 'x' });
    expect(seen).toEqual(['process_client_phone v1 on disk: 1', 'process_client_phone v2 on disk: 2', 'process_client_phone v3 on disk: 3']);
  });

  it('does not tell a listener that unsubscribed, nor of a refused publish', async () => {
    const s = await openOk(freshDir());
    const seen: number[] = [];
    const off = s.onPublished((_h, v) => seen.push(v.version));
    await s.publish('need_registration', { source: 'bad', message: 'm', author: 'x', check: () => makeError('COMPILE_ERROR', { detail: 'x' }) });
    await s.publish('need_registration', { source: 'a', message: 'm', author: 'x', check: compiles });
    off();
    await s.publish('need_registration', { source: 'b', message: 'm', author: 'x', check: compiles });
    expect(seen).toEqual([1]);
  });

  it('keeps publishing and telling the other listeners when one listener throws, and logs the fault', async () => {
    const { log, lines } = createMemoryLogger();
    const s = await openOk(freshDir(), { log });
    const seen: number[] = [];
    s.onPublished(() => {
      throw new Error('listener bug');
    });
    s.onPublished((_h, v) => seen.push(v.version));
    const r = await s.publish('need_registration', { source: 'a', message: 'm', author: 'x', check: compiles });
    expect(r.ok).toBe(true);
    expect(seen).toEqual([1]);
    expect(lines().filter((l) => l.level === 50).map((l) => [l.msg, l.err])).toEqual([['a listener of published versions failed on need_registration v1', 'listener bug']]);
  });
});
