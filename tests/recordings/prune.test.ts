/**
 * Pruning the cache of converted recordings (engine/recordings/prune.ts) on real files: what is deleted (old
 * cache files), what is left alone (fresh files, symlinks and what they point to, sub-folders, other names),
 * and how createRecordings keeps a re-linked cached MP3 alive by setting its mtime. Time is injected (`now`),
 * file ages are set with utimes: nothing sleeps.
 */
import { existsSync, lutimesSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import {
  checkToken, createRecordings, loadOrCreateKey, mp3CacheDir, pruneMp3Cache, recordingsCapabilities, PRUNE_EVERY_MS,
} from '../../engine/recordings/index.ts';
import type { HookInvoker } from '../../engine/hooks/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import type { Runner } from '../../sandbox/index.ts';
import { createRunner, createTestInvoker } from '../autodistribution/host.ts';
import { makeWav } from './media.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const TTL = 90 * DAY; // the default link TTL
const T = Date.parse('2026-06-01T12:00:00.000Z');

let dir: string;
let dataDir: string;
let cache: string;
let monitor: string;

/** A file of `bytes` bytes whose mtime is `mtimeMs`. */
function file(path: string, bytes: number, mtimeMs: number): string {
  writeFileSync(path, Buffer.alloc(bytes, 1));
  utimesSync(path, mtimeMs / 1000, mtimeMs / 1000);
  return path;
}

const mtimeOf = (path: string) => statSync(path).mtimeMs;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hl-prune-'));
  dataDir = join(dir, 'data');
  cache = mp3CacheDir(dataDir);
  monitor = join(dir, 'monitor');
  mkdirSync(cache, { recursive: true });
  mkdirSync(monitor, { recursive: true });
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('pruneMp3Cache', () => {
  it('deletes cache files older than the TTL and keeps the fresh ones', async () => {
    const old = file(join(cache, 'in-101-a1b2c3d4e5f60718.mp3'), 1000, T - TTL - HOUR);
    const part = file(join(cache, 'in-102-0011223344556677.mp3.4242.lx0.part'), 10, T - 200 * DAY);
    const fresh = file(join(cache, 'in-103-8899aabbccddeeff.mp3'), 500, T - TTL + HOUR);
    const edge = file(join(cache, 'in-104-ffeeddccbbaa9988.mp3'), 20, T - TTL); // exactly the TTL: a link made then expires now
    const other = file(join(cache, 'README.txt'), 30, T - 400 * DAY); // not a name the cache writes

    expect(await pruneMp3Cache({ cacheDir: cache, now: () => T })).toEqual({ removed: 2, bytes: 1010, kept: 3 });
    expect(existsSync(old)).toBe(false);
    expect(existsSync(part)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(edge)).toBe(true);
    expect(existsSync(other)).toBe(true);

    // A second run finds nothing more to delete.
    expect(await pruneMp3Cache({ cacheDir: cache, now: () => T })).toEqual({ removed: 0, bytes: 0, kept: 3 });
    // A day later, the ones that were within a day of the TTL go too.
    expect(await pruneMp3Cache({ cacheDir: cache, now: () => T + DAY })).toEqual({ removed: 2, bytes: 520, kept: 1 });
    expect(existsSync(fresh)).toBe(false);
    expect(existsSync(edge)).toBe(false);
  });

  it('follows the TTL it is given', async () => {
    const a = file(join(cache, 'a-0000000000000001.mp3'), 7, T - 3 * HOUR);
    const b = file(join(cache, 'b-0000000000000002.mp3'), 9, T - HOUR / 2);
    expect(await pruneMp3Cache({ cacheDir: cache, ttlHours: 1, now: () => T })).toEqual({ removed: 1, bytes: 7, kept: 1 });
    expect(existsSync(a)).toBe(false);
    expect(existsSync(b)).toBe(true);
  });

  it('does not follow a symlink out of the cache: the link and its target survive', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const target = file(join(outside, 'precious.mp3'), 100, T - 365 * DAY);
    const targetDir = join(outside, 'folder');
    mkdirSync(targetDir);
    const inTargetDir = file(join(targetDir, 'x-0000000000000003.mp3'), 100, T - 365 * DAY);
    const link = join(cache, 'link-0000000000000004.mp3');
    symlinkSync(target, link);
    lutimesSync(link, (T - 365 * DAY) / 1000, (T - 365 * DAY) / 1000); // the link itself is old too
    const dirLink = join(cache, 'dirlink');
    symlinkSync(targetDir, dirLink);
    const old = file(join(cache, 'old-0000000000000005.mp3'), 11, T - 365 * DAY);

    expect(await pruneMp3Cache({ cacheDir: cache, now: () => T })).toEqual({ removed: 1, bytes: 11, kept: 0 });
    expect(existsSync(old)).toBe(false);
    expect(readFileSync(target).length).toBe(100);
    expect(existsSync(inTargetDir)).toBe(true);
    expect(statSync(link, { throwIfNoEntry: false })).toBeDefined(); // the symlink itself is left alone
    expect(existsSync(dirLink)).toBe(true);
  });

  it('leaves a sub-folder and what is inside it alone', async () => {
    const sub = join(cache, 'sub');
    mkdirSync(sub);
    const inner = file(join(sub, 'inner-0000000000000006.mp3'), 50, T - 365 * DAY);
    utimesSync(sub, (T - 365 * DAY) / 1000, (T - 365 * DAY) / 1000);
    const old = file(join(cache, 'old-0000000000000007.mp3'), 13, T - 365 * DAY);

    expect(await pruneMp3Cache({ cacheDir: cache, now: () => T })).toEqual({ removed: 1, bytes: 13, kept: 0 });
    expect(existsSync(old)).toBe(false);
    expect(statSync(sub).isDirectory()).toBe(true);
    expect(existsSync(inner)).toBe(true);
  });

  it('a missing cache folder is an empty cache', async () => {
    rmSync(cache, { recursive: true });
    const { log, lines } = createMemoryLogger();
    expect(await pruneMp3Cache({ cacheDir: cache, now: () => T, log })).toEqual({ removed: 0, bytes: 0, kept: 0 });
    expect(await pruneMp3Cache({ cacheDir: join(dir, 'no', 'such', 'data', 'recordings-mp3'), now: () => T, log })).toEqual({ removed: 0, bytes: 0, kept: 0 });
    expect(lines().filter((l) => (l.level as number) >= 40)).toEqual([]);
  });

  it('does not throw when the cache cannot be read: it warns with the path', async () => {
    rmSync(cache, { recursive: true });
    writeFileSync(cache, 'a file where the folder should be');
    const { log, lines } = createMemoryLogger();
    expect(await pruneMp3Cache({ cacheDir: cache, now: () => T, log })).toEqual({ removed: 0, bytes: 0, kept: 0 });
    const warned = lines().filter((l) => l.level === 40);
    expect(warned).toHaveLength(1);
    expect(warned[0]?.path).toBe(cache);
    expect(existsSync(cache)).toBe(true);
  });
});

describe('createRecordings prunes the cache', () => {
  // Only pruning is tried here: nothing is linked, so no hook runs.
  const invoker: HookInvoker = { invoke: () => Promise.reject(new Error('no hook runs in these tests')) };

  it('once at start, logging how many files and MB went; close() waits for it', async () => {
    const old = file(join(cache, 'old-0000000000000008.mp3'), 3 * 1048576, T - 100 * DAY);
    const fresh = file(join(cache, 'fresh-0000000000000009.mp3'), 10, T - 10 * DAY);
    const { log, lines } = createMemoryLogger();
    const rec = createRecordings({ dir: monitor, dataDir, invoker, publicBaseUrl: 'https://pbx.example.com', log, now: () => T });
    await rec.close();
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    const info = lines().find((l) => l.level === 30 && String(l.msg).startsWith('pruned'));
    expect(info).toMatchObject({ module: 'recordings', removed: 1, bytes: 3 * 1048576, kept: 1, path: cache });
    expect(info?.msg).toContain('(3.0 MB)');
  });

  it('logs nothing when nothing was removed', async () => {
    file(join(cache, 'fresh-000000000000000a.mp3'), 10, T - 10 * DAY);
    const { log, lines } = createMemoryLogger();
    const rec = createRecordings({ dir: monitor, dataDir, invoker, log, now: () => T });
    await rec.close();
    expect(lines().filter((l) => String(l.msg).startsWith('pruned'))).toEqual([]);
  });

  it('every 6 hours on an unref\'d timer that close() clears', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let clock = T;
    const a = file(join(cache, 'a-000000000000000b.mp3'), 10, T - 100 * DAY);
    const rec = createRecordings({ dir: monitor, dataDir, invoker, now: () => clock });
    await vi.waitFor(() => expect(existsSync(a)).toBe(false));
    expect(vi.getTimerCount()).toBe(1);

    const b = file(join(cache, 'b-000000000000000c.mp3'), 10, T - TTL + HOUR); // old in 6 hours
    clock = T + PRUNE_EVERY_MS - 1;
    vi.advanceTimersByTime(PRUNE_EVERY_MS - 1);
    expect(existsSync(b)).toBe(true);
    clock = T + PRUNE_EVERY_MS;
    vi.advanceTimersByTime(1);
    await vi.waitFor(() => expect(existsSync(b)).toBe(false));

    await rec.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('linking a cached MP3 again sets its mtime, so the prune keeps it for the new link\'s TTL', () => {
  it('linkToFile: the mtime is the link\'s time and the link expires when the prune may delete the file', async () => {
    const mp3 = file(join(cache, 'in-101-1234567890abcdef.mp3'), 64, T - 100 * DAY);
    let clock = T - 100 * DAY;
    const rec = createRecordings({ dir: monitor, dataDir, invoker: { invoke: () => Promise.reject(new Error('linkToFile runs no hook')) }, publicBaseUrl: 'https://pbx.example.com', now: () => clock });
    await rec.close(); // the start prune, at the file's own time, keeps it

    clock = T; // 100 days later: linked again
    const url = await rec.linkToFile(mp3);
    expect(url).toMatch(/^https:\/\/pbx\.example\.com\/recordings\//);
    expect(Math.abs(mtimeOf(mp3) - T)).toBeLessThan(2);

    const token = decodeURIComponent(url!.split('/recordings/')[1]!.split('/')[0]!);
    const key = loadOrCreateKey(dataDir);
    // Valid until T + TTL; the prune keeps the file as long as that, and deletes it after.
    expect(checkToken(key, token, T + TTL - 1000).ok).toBe(true);
    expect(await pruneMp3Cache({ cacheDir: cache, now: () => T + TTL - 1000 })).toEqual({ removed: 0, bytes: 0, kept: 1 });
    expect(checkToken(key, token, T + TTL).ok).toBe(false);
    expect(await pruneMp3Cache({ cacheDir: cache, now: () => T + TTL + 1000 })).toEqual({ removed: 1, bytes: 64, kept: 0 });
    expect(existsSync(mp3)).toBe(false);
  });

  describe('linkFor: the default conversion answered from the cache', () => {
    let runner: Runner | undefined;
    afterAll(async () => {
      await runner?.close();
    });

    it('a conversion linked again 100 days later survives a prune; not linked again, it goes', async () => {
      runner = createRunner({ capabilities: recordingsCapabilities({ dir: monitor, dataDir }) });
      const { invoker: hooksInvoker } = createTestInvoker(runner, undefined, { defaultScripts: ['process_record_file_path'] });
      const wav = join(monitor, 'in-101-+31260010001-1763633700.65.wav');
      makeWav(wav, 1);
      let clock = T;
      const rec = createRecordings({ dir: monitor, dataDir, invoker: hooksInvoker, publicBaseUrl: 'https://pbx.example.com', now: () => clock });
      await rec.close();
      const callFull = hooks.process_record_file_path.exampleInput.call_full;

      const first = await rec.linkFor({ path: wav, call_full: callFull }, '1763633700.65');
      expect(first.converted).toBe(true);
      expect(first.error).toBeUndefined();
      const mp3 = first.file!;
      expect(mp3.startsWith(realpathSync(cache) + '/')).toBe(true);
      expect(Math.abs(mtimeOf(mp3) - T)).toBeLessThan(2);
      const { ino } = statSync(mp3);

      // 100 days on, the same call is linked again (a re-registration): convertToMp3 answers from the cache.
      clock = T + 100 * DAY;
      const second = await rec.linkFor({ path: wav, call_full: callFull }, '1763633700.65');
      expect(second.converted).toBe(true);
      expect(second.file).toBe(mp3);
      expect(statSync(mp3).ino).toBe(ino); // the same file, not a new conversion
      expect(Math.abs(mtimeOf(mp3) - clock)).toBeLessThan(2);
      expect(await pruneMp3Cache({ cacheDir: cache, now: () => clock + DAY })).toEqual({ removed: 0, bytes: 0, kept: 1 });
      expect(existsSync(mp3)).toBe(true);

      // Without the second link the file would have gone: its mtime back to the first link's time.
      utimesSync(mp3, T / 1000, T / 1000);
      const size = statSync(mp3).size;
      expect(await pruneMp3Cache({ cacheDir: cache, now: () => clock + DAY })).toEqual({ removed: 1, bytes: size, kept: 0 });
      expect(existsSync(mp3)).toBe(false);
    });
  });
});
