/**
 * A lowdb adapter for one store file. Reading refuses rather than guesses: a missing file whose backup is
 * still there, a file that cannot be read, one that is not JSON or not in the expected shape, or one written
 * by a newer hookline each throw a StoreOpenError carrying the error value; nothing is written on the way.
 * An older file is migrated forward in memory (data-file.ts writes it, after keeping the original).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Adapter } from 'lowdb';
import { makeError, type HooklineError } from '../contracts/index.ts';
import { writeFileAtomic } from './atomic-write.ts';

/** migrations[n] turns the data of a version-n file into version n + 1; version 0 is a file without schemaVersion. */
export type Migrations = Record<number, (old: Record<string, unknown>) => Record<string, unknown>>;

export class StoreOpenError extends Error {
  readonly error: HooklineError;
  constructor(error: HooklineError) {
    super(error.message);
    this.error = error;
  }
}

export interface AdapterSpec<T> {
  current: number;
  schema: TSchema;
  migrations: Migrations;
  serialize: (data: T) => Uint8Array[];
}

export class StoreAdapter<T> implements Adapter<T> {
  readonly #path: string;
  readonly #spec: AdapterSpec<T>;
  /** The file's text as read at open; null when there was no file. */
  text: string | null = null;
  /** The chunks of the last write, and their size. */
  lastChunks: Uint8Array[] = [];
  lastBytes = 0;
  migratedFrom: number | null = null;

  constructor(path: string, spec: AdapterSpec<T>) {
    this.#path = path;
    this.#spec = spec;
  }

  get backupPath(): string {
    return `${this.#path}.bak`;
  }

  backupText(): string | null {
    try {
      return readFileSync(this.backupPath, 'utf8');
    } catch {
      return null;
    }
  }

  async read(): Promise<T | null> {
    const path = this.#path;
    try {
      this.text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreOpenError(makeError('STORE_UNREADABLE', { path, detail: (e as Error).message }));
      // Starting empty while a backup is there would, at the first write, replace the last good state.
      if (existsSync(this.backupPath)) throw new StoreOpenError(makeError('STORE_MISSING', { path, backup: this.backupPath }));
      return null;
    }
    return this.#parse(this.text);
  }

  async write(data: T): Promise<void> {
    const chunks = this.#spec.serialize(data);
    this.lastBytes = await writeFileAtomic(this.#path, chunks);
    this.lastChunks = chunks;
  }

  /** The error value for a failure at open: the one a StoreOpenError carries, else STORE_UNREADABLE. */
  openError(e: unknown): HooklineError {
    if (e instanceof StoreOpenError) return e.error;
    return makeError('STORE_UNREADABLE', { path: this.#path, detail: (e as Error).message });
  }

  #parse(text: string): T {
    const { current, migrations, schema } = this.#spec;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw this.#corrupt(`not valid JSON (${(e as Error).message})`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw this.#corrupt('the top level is not a JSON object');
    let obj = raw as Record<string, unknown>;
    const found = obj.schemaVersion ?? 0;
    if (!Number.isInteger(found) || (found as number) < 0) throw this.#corrupt(`schemaVersion is ${JSON.stringify(found)}, not a whole number`);
    const version = found as number;
    if (version > current) throw new StoreOpenError(makeError('STORE_TOO_NEW', { path: this.#path, found: version, expected: current }));
    for (let v = version; v < current; v++) {
      const step = migrations[v];
      if (!step) throw this.#corrupt(`this hookline cannot migrate schema version ${v}`);
      try {
        obj = { ...step(obj), schemaVersion: v + 1 };
      } catch (e) {
        throw this.#corrupt(`migration from schema version ${v} failed: ${(e as Error).message}`);
      }
    }
    if (version < current) this.migratedFrom = version;
    if (!Value.Check(schema, obj)) {
      const first = Value.Errors(schema, obj).First();
      throw this.#corrupt(`${first?.path || '/'}: ${first?.message ?? 'unexpected shape'}`);
    }
    return obj as T;
  }

  #corrupt(detail: string): StoreOpenError {
    const backup = existsSync(this.backupPath) ? this.backupPath : undefined;
    return new StoreOpenError(makeError('STORE_CORRUPT', { path: this.#path, detail, backup }));
  }
}
