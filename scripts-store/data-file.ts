/**
 * One JSON file of the store, on lowdb: read with every failure turned into an error value (never a reset),
 * migrated forward by schema version, written atomically (lowdb's steno writer: temp file + rename, writes
 * serialised and coalesced), with a backup of the last good state beside it (`<file>.bak`).
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { Writer } from 'steno';
import { makeError, type HooklineError } from '../contracts/index.ts';

export interface Versioned {
  schemaVersion: number;
}

export interface FileSpec<T extends Versioned> {
  current: number;
  empty(): T;
  /** migrations[n] turns a file of version n into version n + 1. Version 0 is a file without schemaVersion. */
  migrations: Record<number, (old: Record<string, unknown>) => Record<string, unknown>>;
  /** A last check of the shape; return a description of what is wrong, or null. */
  check(data: T): string | null;
}

export interface DataFile<T> {
  readonly path: string;
  readonly data: T;
  /** Persist the current data atomically, then refresh the backup. Serialised: concurrent calls are safe. */
  write(): Promise<void>;
  /** Set when the file was migrated on open: the version it had. */
  readonly migratedFrom: number | null;
  /** Number of writes done (for tests of batching). */
  readonly writes: number;
}

export type OpenResult<T> = { ok: true; file: DataFile<T> } | { ok: false; error: HooklineError };

export async function openDataFile<T extends Versioned>(path: string, spec: FileSpec<T>): Promise<OpenResult<T>> {
  const backup = `${path}.bak`;
  let text: string | null = null;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return { ok: false, error: makeError('STORE_UNREADABLE', { path, detail: (e as Error).message }) };
  }
  let data: T;
  let migratedFrom: number | null = null;
  if (text === null) {
    data = spec.empty();
  } else {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return { ok: false, error: corrupt(path, backup, `not valid JSON (${(e as Error).message})`) };
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, error: corrupt(path, backup, 'the top level is not an object') };
    let obj = raw as Record<string, unknown>;
    const version = typeof obj.schemaVersion === 'number' ? obj.schemaVersion : 0;
    if (version > spec.current) {
      return { ok: false, error: makeError('STORE_TOO_NEW', { path, found: version, expected: spec.current }) };
    }
    if (version < spec.current) {
      // Keep the original before migrating: a migration is never a one-way door.
      copyFileSync(path, `${path}.v${version}.bak`);
      for (let v = version; v < spec.current; v++) {
        const step = spec.migrations[v];
        if (!step) return { ok: false, error: corrupt(path, backup, `no migration from schema version ${v}`) };
        obj = { ...step(obj), schemaVersion: v + 1 };
      }
      migratedFrom = version;
    }
    data = obj as unknown as T;
    const problem = spec.check(data);
    if (problem) return { ok: false, error: corrupt(path, backup, problem) };
  }

  const db = new Low<T>(new JSONFile<T>(path), data);
  const bak = new Writer(backup);
  let writes = 0;
  const file: DataFile<T> = {
    path,
    get data() {
      return db.data;
    },
    async write() {
      writes++;
      await db.write();
      await bak.write(JSON.stringify(db.data, null, 2));
    },
    migratedFrom,
    get writes() {
      return writes;
    },
  };
  // A new or migrated file is written at once, so the file and its backup exist and carry the current version.
  if (text === null || migratedFrom !== null) {
    try {
      await file.write();
    } catch (e) {
      return { ok: false, error: makeError('STORE_UNREADABLE', { path, detail: (e as Error).message }) };
    }
  } else if (!existsSync(backup) || readFileSync(backup, 'utf8') !== text) {
    await bak.write(text);
  }
  return { ok: true, file };
}

function corrupt(path: string, backup: string, detail: string): HooklineError {
  return makeError('STORE_CORRUPT', { path, detail, backup: existsSync(backup) ? backup : undefined });
}
