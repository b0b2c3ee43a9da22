import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOOK_NAMES } from '../../contracts/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import type { StoreFileName } from '../../scripts-store/index.ts';
import { abandon, captureOf, freshDir, openOk, readLog } from './store-helpers.ts';

const NO_TIMER = { flushMs: 3_600_000 };

describe('captured inputs', () => {
  it('keeps a bounded ring per hook, newest first', async () => {
    const s = await openOk(freshDir(), { ...NO_TIMER, captureRing: 5 });
    for (let i = 0; i < 12; i++) s.capture(captureOf(i));
    expect(s.captures('process_client_phone').map((c) => c.seed)).toEqual([11, 10, 9, 8, 7]);
    expect(s.captures('need_registration')).toEqual([]);
  });

  it('keeps 200 per hook by default', async () => {
    const s = await openOk(freshDir(), NO_TIMER);
    for (let i = 0; i < 250; i++) s.capture(captureOf(i));
    const c = s.captures('process_client_phone');
    expect(c).toHaveLength(200);
    expect([c[0]?.seed, c[199]?.seed]).toEqual([249, 50]);
  });

  it('stores id, hook, time, linkedid, input, now and seed', async () => {
    const s = await openOk(freshDir(), { ...NO_TIMER, now: () => new Date('2026-11-20T10:00:00.000Z') });
    s.capture(captureOf(1));
    expect(s.captures('process_client_phone')).toEqual([
      { id: expect.any(String), hook: 'process_client_phone', time: '2026-11-20T10:00:00.000Z', linkedid: '1700000000.1', input: { phone: '+79160001' }, now: 1_700_000_000_001, seed: 1 },
    ]);
  });

  it('takes the hook as a first argument too', async () => {
    const s = await openOk(freshDir(), NO_TIMER);
    const { hook: _hook, ...entry } = captureOf(1);
    s.capture('need_registration', entry);
    expect(s.captures('need_registration').map((c) => [c.hook, c.seed])).toEqual([['need_registration', 1]]);
  });

  it('keeps what the input was at capture, whatever the caller does with its object afterwards', async () => {
    const s = await openOk(freshDir(), NO_TIMER);
    const input = { phone: '+100', nested: { list: [1] } };
    s.capture({ hook: 'process_client_phone', linkedid: null, input, now: 0, seed: 0 });
    input.phone = '+200';
    input.nested.list.push(2);
    expect(s.captures('process_client_phone')[0]?.input).toEqual({ phone: '+100', nested: { list: [1] } });
  });

  it('picks captures by id and limits their number', async () => {
    const s = await openOk(freshDir(), NO_TIMER);
    for (let i = 0; i < 6; i++) s.capture(captureOf(i));
    const all = s.captures('process_client_phone');
    expect(s.captures('process_client_phone', { limit: 2 }).map((c) => c.seed)).toEqual([5, 4]);
    expect(s.captures('process_client_phone', { ids: [all[4]?.id as string, all[1]?.id as string] }).map((c) => c.seed)).toEqual([4, 1]);
    expect(s.captures('process_client_phone', { ids: ['no such id'] })).toEqual([]);
  });

  it('keeps nothing when capture is switched off', async () => {
    const dir = freshDir();
    const s = await openOk(dir, { ...NO_TIMER, captureEnabled: false });
    s.capture(captureOf(1));
    await s.flush();
    expect(s.captures('process_client_phone')).toEqual([]);
    expect(readLog(join(dir, 'captures.jsonl')).lines).toEqual([]);
  });

  it('drops an input that is not JSON, logs it, and goes on', async () => {
    const { log, lines } = createMemoryLogger();
    const s = await openOk(freshDir(), { ...NO_TIMER, log });
    s.capture({ hook: 'process_client_phone', linkedid: '1.1', input: { n: 1n }, now: 0, seed: 0 });
    s.capture(captureOf(2));
    expect(s.captures('process_client_phone').map((c) => c.seed)).toEqual([2]);
    expect(lines().some((l) => l.msg === 'an input of process_client_phone is not JSON and was not captured')).toBe(true);
  });

  it('applies a smaller ring to what the file held', async () => {
    const dir = freshDir();
    const s = await openOk(dir, NO_TIMER);
    for (let i = 0; i < 10; i++) s.capture(captureOf(i));
    await s.close();
    const small = await openOk(dir, { ...NO_TIMER, captureRing: 3 });
    expect(small.captures('process_client_phone').map((c) => c.seed)).toEqual([9, 8, 7]);
  });
});

describe('capture writes are batched off the call path', () => {
  function counting() {
    const writes: StoreFileName[] = [];
    return { writes, onWrite: (e: { file: StoreFileName }) => writes.push(e.file) };
  }

  it('writes nothing while capturing; one write of captures.jsonl at flush, and none of scripts.json', async () => {
    const dir = freshDir();
    const { writes, onWrite } = counting();
    const s = await openOk(dir, { ...NO_TIMER, onWrite });
    const scriptsBefore = readFileSync(join(dir, 'scripts.json'), 'utf8');
    const opened = writes.length;
    for (let i = 0; i < 500; i++) s.capture(captureOf(i));
    expect(writes.length).toBe(opened);
    await s.flush();
    expect(writes.slice(opened)).toEqual(['captures']);
    expect(readFileSync(join(dir, 'scripts.json'), 'utf8')).toBe(scriptsBefore);
  });

  it('reaches the disk after a flush, every hook, readable by a new store', async () => {
    const dir = freshDir();
    const s = await openOk(dir, NO_TIMER);
    // 13 x 100 entries: the file is written from more chunks than one writev takes (IOV_MAX, 1024).
    for (let i = 0; i < 100; i++) for (const hook of HOOK_NAMES) s.capture({ ...captureOf(i), hook });
    await s.flush();
    const onDisk = readLog(join(dir, 'captures.jsonl'));
    expect(onDisk.header).toEqual({ schemaVersion: 1, kind: 'captures' });
    expect(onDisk.lines).toHaveLength(1300);
    expect(new Set(onDisk.lines.map(([hook]) => hook))).toEqual(new Set(HOOK_NAMES));
    abandon(dir);
    const reopened = await openOk(dir, NO_TIMER);
    for (const hook of HOOK_NAMES) expect(reopened.captures(hook)).toEqual(s.captures(hook));
  });

  it('writes nothing at a flush when nothing changed', async () => {
    const { writes, onWrite } = counting();
    const s = await openOk(freshDir(), { ...NO_TIMER, onWrite });
    const opened = writes.length;
    await s.flush();
    await s.flush();
    expect(writes.length).toBe(opened);
  });

  it('flushes by itself after flushMs, in one write for many captures', async () => {
    const written: StoreFileName[] = [];
    let wrote: (() => void) | null = null;
    const s = await openOk(freshDir(), {
      flushMs: 20,
      onWrite: (e) => {
        written.push(e.file);
        wrote?.();
      },
    });
    written.length = 0; // the writes that created the files at open
    const flushed = new Promise<void>((resolve) => (wrote = resolve));
    for (let i = 0; i < 100; i++) s.capture(captureOf(i));
    await flushed;
    expect(written).toEqual(['captures']);
    await s.close();
  });

  it('keeps unwritten captures when a flush fails, and writes them at the next one', async () => {
    const dir = freshDir();
    const s = await openOk(dir, NO_TIMER);
    s.capture(captureOf(1));
    const file = join(dir, 'captures.jsonl');
    rmSync(dir, { recursive: true });
    const failed = await s.flush();
    expect(failed?.code).toBe('STORE_UNREADABLE');
    expect(failed?.message).toContain(file);
    mkdirSync(dir);
    expect(await s.flush()).toBeNull();
    expect(readLog(file).lines.map(([hook, c]) => [hook, c.seed])).toEqual([['process_client_phone', 1]]);
  });
});
