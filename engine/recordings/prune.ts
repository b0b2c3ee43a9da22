/**
 * Pruning the cache of converted recordings (`<dataDir>/recordings-mp3/`). A link is signed to expire `ttl`
 * after it is made, and linking a cached MP3 sets its mtime to the moment of the link (recordings.ts), so a
 * file whose mtime is older than the TTL has no valid link left: it is deleted. A recording linked again
 * later is converted again from its WAV (the cache name depends on the WAV's path, size and mtime).
 *
 * What is touched: only regular files directly in the cache folder (lstat: a symlink, a folder or anything
 * else is left alone and never followed), and only the names the cache holds (`*.mp3`, and `*.part` left by
 * an encoder that died). The folder is read by its real path, so nothing outside it is ever named. A missing
 * folder is an empty cache. Nothing throws: a failure is logged as a warning with its path and the prune goes on.
 */
import { lstat, opendir, realpath, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../log/index.ts';

/** config.recordings.linkTtlHours' default: 90 days. */
export const DEFAULT_LINK_TTL_HOURS = 24 * 90;
/** How often createRecordings prunes (and once at start). */
export const PRUNE_EVERY_MS = 6 * 3600_000;

export interface PruneOptions {
  /** The cache folder: mp3CacheDir(dataDir). */
  cacheDir: string;
  /** The link TTL (config.recordings.linkTtlHours). Default 90 days. */
  ttlHours?: number;
  /** The clock (ms), for tests. Default Date.now. */
  now?: () => number;
  log?: Logger;
}

export interface PruneResult {
  /** Files deleted. */
  removed: number;
  /** Their total size. */
  bytes: number;
  /** Regular files left in place (fresh, not a cache name, or not deletable). */
  kept: number;
}

/** Names the cache writes: `<name>-<hash>.mp3` and the encoder's `<out>.<pid>.<time>.part`. */
const isCacheName = (name: string) => name.endsWith('.mp3') || name.endsWith('.part');

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException | null)?.code;

/** Deletes the cache's files older than the link TTL. Never throws: failures are logged as warnings. */
export async function pruneMp3Cache(o: PruneOptions): Promise<PruneResult> {
  const log = o.log ?? silentLogger;
  try {
    return await prune(o, log);
  } catch (e) {
    log.warn({ path: o.cacheDir, err: String(e) }, 'pruning the MP3 cache failed');
    return { removed: 0, bytes: 0, kept: 0 };
  }
}

async function prune(o: PruneOptions, log: Logger): Promise<PruneResult> {
  const result: PruneResult = { removed: 0, bytes: 0, kept: 0 };
  const ttlMs = (o.ttlHours ?? DEFAULT_LINK_TTL_HOURS) * 3600_000;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    log.warn({ path: o.cacheDir, ttlHours: o.ttlHours }, 'the MP3 cache is not pruned: the link TTL is not a positive number of hours');
    return result;
  }
  let root: string;
  try {
    root = await realpath(o.cacheDir);
  } catch (e) {
    if (codeOf(e) !== 'ENOENT') log.warn({ path: o.cacheDir, err: String(e) }, 'the MP3 cache could not be pruned: its folder is unreadable');
    return result;
  }
  const cutoff = (o.now ?? Date.now)() - ttlMs;
  try {
    const dir = await opendir(root);
    for await (const entry of dir) {
      const path = join(root, entry.name);
      // lstat, not the Dirent's type (DT_UNKNOWN on some file systems) nor stat (it follows symlinks).
      const st = await lstat(path).catch((e: unknown) => {
        if (codeOf(e) !== 'ENOENT') log.warn({ path, err: String(e) }, 'a file of the MP3 cache could not be examined; it is left alone');
        return null;
      });
      if (!st?.isFile()) continue;
      if (!isCacheName(entry.name) || st.mtimeMs >= cutoff) {
        result.kept++;
        continue;
      }
      try {
        // unlink removes the name, never what a name points to: a file swapped for a symlink since the lstat
        // loses the symlink only.
        await unlink(path);
        result.removed++;
        result.bytes += st.size;
      } catch (e) {
        if (codeOf(e) === 'ENOENT') continue; // gone meanwhile
        result.kept++;
        log.warn({ path, err: String(e) }, 'an old file of the MP3 cache could not be deleted');
      }
    }
  } catch (e) {
    if (codeOf(e) !== 'ENOENT') log.warn({ path: root, err: String(e) }, 'pruning the MP3 cache stopped: its folder could not be read');
  }
  return result;
}
