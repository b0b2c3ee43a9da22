/**
 * A CEL source: where Asterisk writes its CEL (a MySQL/MariaDB or PostgreSQL table, or a CSV file). It says
 * whether it can be read (`check`), which calls ended in a period (their LINKEDID_END), and the rows of given
 * calls. Errors are values with a code of contracts/errors-cel.ts; a row that cannot be used is skipped and named.
 */
import { errorCatalogue, type ErrorCode } from '../contracts/index.ts';
import type { ReadRow } from './rows.ts';

export type CelErrorCode = Extract<ErrorCode, `CEL_${string}`>;

export interface CelError {
  code: CelErrorCode;
  message: string;
  hint: string;
}

export type CelResult<T> = { ok: true; value: T } | { ok: false; error: CelError };

export interface CelCheck {
  /** "postgres table public.cel at 127.0.0.1:5432/asterisk" */
  where: string;
  /** Columns found that hookline reads. */
  columns: string[];
  /** Optional columns absent (said, not an error). */
  missingOptional: string[];
}

/** A call that ended: its linkedid and when (its LINKEDID_END). */
export interface EndedCall {
  linkedid: string;
  at: number;
}

export interface CelRows {
  rows: ReadRow[];
  /** Rows skipped, each named (CEL_BAD_ROW). */
  problems: string[];
}

export interface CelSource {
  readonly where: string;
  check(): Promise<CelResult<CelCheck>>;
  /** Calls whose LINKEDID_END is in [from, to) (ms), in the order they ended. */
  endedIn(from: number, to: number): Promise<CelResult<{ calls: EndedCall[]; problems: string[] }>>;
  /** Every row of these calls, in the order Asterisk wrote them. */
  rowsOf(linkedids: string[]): Promise<CelResult<CelRows>>;
  close(): Promise<void>;
}

/** An error value: the message composed here (it knows the table, the host, the row); the hint is the catalogue's. */
export function celError(code: CelErrorCode, message: string, hint?: string): { ok: false; error: CelError } {
  return { ok: false, error: { code, message, hint: hint ?? errorCatalogue[code].hint() } };
}

