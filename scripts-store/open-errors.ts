/**
 * How a store file's reader refuses: each refusal is a StoreOpenError carrying the error value, thrown out of
 * lowdb's read() and turned back into a value by data-file.ts. Nothing here writes.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { makeError, type HooklineError } from '../contracts/index.ts';

export class StoreOpenError extends Error {
  readonly error: HooklineError;
  constructor(error: HooklineError) {
    super(error.message);
    this.error = error;
  }
}

export const backupOf = (path: string): string => `${path}.bak`;

export function corrupt(path: string, detail: string): StoreOpenError {
  const backup = existsSync(backupOf(path)) ? backupOf(path) : undefined;
  return new StoreOpenError(makeError('STORE_CORRUPT', { path, detail, backup }));
}

/** The error value for any failure at open: the one a StoreOpenError carries, else STORE_UNREADABLE. */
export function openError(path: string, e: unknown): HooklineError {
  if (e instanceof StoreOpenError) return e.error;
  return makeError('STORE_UNREADABLE', { path, detail: (e as Error).message });
}

/**
 * The file's text, or null when there is none yet. A missing file whose backup is there is refused: starting
 * empty would replace the last good state at the first write.
 */
export async function readStoreText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreOpenError(makeError('STORE_UNREADABLE', { path, detail: (e as Error).message }));
    if (existsSync(backupOf(path))) throw new StoreOpenError(makeError('STORE_MISSING', { path, backup: backupOf(path) }));
    return null;
  }
}

/** The schema version a file declares (0 when it has none); refuses a newer one and one that is not a whole number. */
export function declaredVersion(path: string, obj: Record<string, unknown>, current: number): number {
  const found = obj.schemaVersion ?? 0;
  if (!Number.isInteger(found) || (found as number) < 0) throw corrupt(path, `schemaVersion is ${JSON.stringify(found)}, not a whole number`);
  if ((found as number) > current) throw new StoreOpenError(makeError('STORE_TOO_NEW', { path, found, expected: current }));
  return found as number;
}

// Compiled once per schema: a full capture log is thousands of entries, and the compiled check is ~10x faster.
const compiled = new Map<TSchema, TypeCheck<TSchema>>();

/** Null when `value` has the schema's shape, else "<json path>: <what is wrong>". */
export function shapeProblem(schema: TSchema, value: unknown): string | null {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  if (check.Check(value)) return null;
  const first = check.Errors(value).First();
  return `${first?.path || '/'}: ${first?.message ?? 'unexpected shape'}`;
}
