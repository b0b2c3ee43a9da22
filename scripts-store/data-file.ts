/**
 * One file of the store, held by lowdb's `Low` through one of our adapters (json-adapter.ts for scripts.json,
 * ring-log-adapter.ts for the capture and failure logs). Here: the order of things at open (refuse, or migrate
 * after keeping the original, or repair, and make the backup of the last good state), and writes one at a time.
 */
import { readFile } from 'node:fs/promises';
import { Low, type Adapter } from 'lowdb';
import type { HooklineError } from '../contracts/index.ts';
import { createSerialQueue, writeFileAtomic } from '../durable/index.ts';
import { backupOf } from './open-errors.ts';

/** What data-file.ts needs from an adapter besides lowdb's read() and write(). */
export interface FileAdapter<T> extends Adapter<T> {
  readonly path: string;
  /** The file's text as read at open; null when there was no file. */
  readonly text: string | null;
  /** The schema version the file had, when read() migrated it; else null. */
  readonly migratedFrom: number | null;
  /** What read() repaired (the file must be written at once); else null. */
  readonly repaired: string | null;
  /** After a write: what the backup should now hold, or null to leave it as it is. */
  readonly backupChunks: Uint8Array[] | null;
  /** After a write: its size in bytes and whether it appended or replaced the file. */
  readonly lastBytes: number;
  readonly lastMode: 'append' | 'rewrite';
  /** The error value for a failure at open. */
  openError(e: unknown): HooklineError;
}

export interface WriteEvent {
  path: string;
  bytes: number;
  mode: 'append' | 'rewrite';
}

export interface DataFileOptions {
  /** Called after each write that reached the file (tests count writes with it). */
  onWrite?: (e: WriteEvent) => void;
  /** The backup could not be refreshed: the file itself was written, so this is a warning, not an error. */
  onBackupFailed?: (path: string, err: Error) => void;
  /** The file was repaired at open (and rewritten). */
  onRepaired?: (path: string, what: string) => void;
  /** Nothing is written, at open or later: write() and update() reject. */
  readOnly?: boolean;
}

export interface DataFile<T> {
  readonly path: string;
  /** What is on disk (or, for write(), what is about to be written). */
  readonly data: T;
  readonly migratedFrom: number | null;
  /** Writes that reached the file since open (including one that creates, migrates or repairs it). */
  readonly writes: number;
  /** Persists the current data. Queued behind any write in progress. */
  write(): Promise<void>;
  /**
   * Replaces the data with `fn(current)` and persists it; if the write fails the data goes back to what it
   * was, so memory never runs ahead of the disk. `fn` runs in the queue, so it sees every earlier update.
   */
  update(fn: (current: T) => T): Promise<T>;
}

export type OpenResult<T> = { ok: true; file: DataFile<T> } | { ok: false; error: HooklineError };

export async function openDataFile<T>(adapter: FileAdapter<T>, empty: T, opts: DataFileOptions = {}): Promise<OpenResult<T>> {
  const { path } = adapter;
  const db = new Low<T>(adapter, empty);
  try {
    await db.read();
  } catch (e) {
    return { ok: false, error: adapter.openError(e) };
  }
  const queue = createSerialQueue();
  let writes = 0;

  async function persist(): Promise<void> {
    if (opts.readOnly) throw new Error('the store was opened read-only');
    await db.write();
    if (adapter.lastBytes === 0) return;
    writes++;
    opts.onWrite?.({ path, bytes: adapter.lastBytes, mode: adapter.lastMode });
    if (!adapter.backupChunks) return;
    try {
      await writeFileAtomic(backupOf(path), adapter.backupChunks);
    } catch (e) {
      opts.onBackupFailed?.(backupOf(path), e as Error);
    }
  }

  const file: DataFile<T> = {
    path,
    get data() {
      return db.data;
    },
    migratedFrom: adapter.migratedFrom,
    get writes() {
      return writes;
    },
    write: () => queue(persist),
    update: (fn) =>
      queue(async () => {
        const before = db.data;
        db.data = fn(before);
        try {
          await persist();
        } catch (e) {
          db.data = before;
          throw e;
        }
        return db.data;
      }),
  };

  if (opts.readOnly) return { ok: true, file };
  try {
    if (adapter.text === null || adapter.migratedFrom !== null || adapter.repaired !== null) {
      // Written at once: a new file shows problems with the folder at open, a migrated one carries the current
      // schema version from then on (its original kept beside it), a repaired one is whole again.
      if (adapter.migratedFrom !== null) await writeFileAtomic(`${path}.v${adapter.migratedFrom}.bak`, adapter.text ?? '');
      if (adapter.repaired !== null) opts.onRepaired?.(path, adapter.repaired);
      await file.write();
    } else if ((await readFile(backupOf(path), 'utf8').catch(() => null)) !== adapter.text) {
      // The file just passed every check: it is the last good state. Failing to copy it is a warning, as for
      // any backup: the file itself is fine.
      await writeFileAtomic(backupOf(path), adapter.text).catch((e: Error) => opts.onBackupFailed?.(backupOf(path), e));
    }
  } catch (e) {
    return { ok: false, error: adapter.openError(e) };
  }
  return { ok: true, file };
}
