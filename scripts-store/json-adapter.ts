/**
 * The lowdb adapter for a store file kept as one JSON document (scripts.json): every write replaces the whole
 * file atomically, and the backup is refreshed with the same bytes. Reading refuses rather than guesses (see
 * open-errors.ts); an older file is migrated forward in memory, and data-file.ts writes it after keeping the
 * original.
 */
import type { TSchema } from '@sinclair/typebox';
import type { HooklineError } from '../contracts/index.ts';
import { writeFileAtomic } from '../durable/index.ts';
import type { FileAdapter } from './data-file.ts';
import { corrupt, declaredVersion, openError, readStoreText, shapeProblem } from './open-errors.ts';

/** migrations[n] turns the data of a version-n file into version n + 1; version 0 is a file without schemaVersion. */
export type Migrations = Record<number, (old: Record<string, unknown>) => Record<string, unknown>>;

export interface JsonFileSpec {
  current: number;
  schema: TSchema;
  migrations: Migrations;
}

export class JsonFileAdapter<T> implements FileAdapter<T> {
  readonly path: string;
  readonly #spec: JsonFileSpec;
  text: string | null = null;
  migratedFrom: number | null = null;
  readonly repaired = null;
  backupChunks: Uint8Array[] | null = null;
  lastBytes = 0;
  lastMode = 'rewrite' as const;

  constructor(path: string, spec: JsonFileSpec) {
    this.path = path;
    this.#spec = spec;
  }

  async read(): Promise<T | null> {
    this.text = await readStoreText(this.path);
    return this.text === null ? null : this.#parse(this.text);
  }

  async write(data: T): Promise<void> {
    const chunks = [Buffer.from(JSON.stringify(data, null, 2))];
    this.lastBytes = await writeFileAtomic(this.path, chunks);
    this.backupChunks = chunks;
  }

  openError(e: unknown): HooklineError {
    return openError(this.path, e);
  }

  #parse(text: string): T {
    const { current, migrations, schema } = this.#spec;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw corrupt(this.path, `not valid JSON (${(e as Error).message})`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw corrupt(this.path, 'the top level is not a JSON object');
    let obj = raw as Record<string, unknown>;
    const version = declaredVersion(this.path, obj, current);
    for (let v = version; v < current; v++) {
      const step = migrations[v];
      if (!step) throw corrupt(this.path, `this hookline cannot migrate schema version ${v}`);
      try {
        obj = { ...step(obj), schemaVersion: v + 1 };
      } catch (e) {
        throw corrupt(this.path, `migration from schema version ${v} failed: ${(e as Error).message}`);
      }
    }
    if (version < current) this.migratedFrom = version;
    const problem = shapeProblem(schema, obj);
    if (problem) throw corrupt(this.path, problem);
    return obj as T;
  }
}
