/**
 * One JSON file of the store, held by lowdb's `Low` through our own adapter (store-adapter.ts): read with every
 * failure turned into an error value (never a reset), migrated forward by schema version, written atomically
 * and one write at a time, with a copy of the last good state beside it (`<file>.bak`).
 */
import { Low } from 'lowdb';
import type { TSchema } from '@sinclair/typebox';
import type { HooklineError } from '../contracts/index.ts';
import { createSerialQueue, writeFileAtomic } from './atomic-write.ts';
import { StoreAdapter, type Migrations } from './store-adapter.ts';

export interface FileSpec<T> {
  /** The schema version this hookline writes. */
  current: number;
  schema: TSchema;
  empty(): T;
  migrations: Migrations;
  /** The file's bytes, as chunks written as they are; default: JSON with two-space indentation. */
  serialize?: (data: T) => Uint8Array[];
}

export interface WriteEvent {
  path: string;
  bytes: number;
}

export interface DataFileOptions {
  /** Called after each successful write of the file (tests count writes with it). */
  onWrite?: (e: WriteEvent) => void;
  /** Told when the backup could not be refreshed: the file itself was written, so this is not an error. */
  onBackupFailed?: (path: string, err: Error) => void;
}

export interface DataFile<T> {
  readonly path: string;
  readonly backupPath: string;
  /** What is on disk (or, for write(), what is about to be written). */
  readonly data: T;
  /** The schema version the file had when opened, when it was migrated; else null. */
  readonly migratedFrom: number | null;
  /** Writes done since open (including the one that creates or migrates the file). */
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

export async function openDataFile<T>(path: string, spec: FileSpec<T>, opts: DataFileOptions = {}): Promise<OpenResult<T>> {
  const serialize = spec.serialize ?? ((d: T) => [Buffer.from(JSON.stringify(d, null, 2))]);
  const adapter = new StoreAdapter<T>(path, { current: spec.current, schema: spec.schema, migrations: spec.migrations, serialize });
  const db = new Low<T>(adapter, spec.empty());
  try {
    await db.read();
  } catch (e) {
    return { ok: false, error: adapter.openError(e) };
  }
  const backupPath = `${path}.bak`;
  const queue = createSerialQueue();
  let writes = 0;

  async function persist(): Promise<void> {
    await db.write();
    writes++;
    const chunks = adapter.lastChunks;
    opts.onWrite?.({ path, bytes: adapter.lastBytes });
    try {
      await writeFileAtomic(backupPath, chunks);
    } catch (e) {
      opts.onBackupFailed?.(backupPath, e as Error);
    }
  }

  const file: DataFile<T> = {
    path,
    backupPath,
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

  try {
    if (adapter.text === null || adapter.migratedFrom !== null) {
      // A new or migrated file is written at once: problems with the folder show at open, and the file on disk
      // carries the current schema version from then on.
      if (adapter.migratedFrom !== null) await writeFileAtomic(`${path}.v${adapter.migratedFrom}.bak`, adapter.text ?? '');
      await file.write();
    } else if (adapter.backupText() !== adapter.text) {
      // The file just passed every check: it is the last good state.
      await writeFileAtomic(backupPath, adapter.text);
    }
  } catch (e) {
    return { ok: false, error: adapter.openError(e) };
  }
  return { ok: true, file };
}
