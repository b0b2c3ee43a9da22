/**
 * A CEL row (column → value, null when the column is absent or NULL) becomes the AMI `Event: CEL` block the
 * tracker reads, with `EventTime` made unambiguous: a time without an offset is read in `cel.timezone`, and
 * given to the tracker as it stands when that zone is the PBX's (the tracker keeps PBX-local text as is), else
 * as epoch seconds.
 */
import type { AmiMessage } from '../ami-wire/index.ts';
import { COLUMN_KEYS } from './columns.ts';
import { instantOf } from './time.ts';

export type CelRow = Record<string, string | null>;

/** A row read, with its instant and its place (for ordering and for naming it in an error). */
export interface ReadRow {
  row: CelRow;
  at: number;
  /** The table's id, or the CSV line number. */
  seq: number;
}

export interface RowZones {
  /** Zone of eventtime values without an offset. */
  cel: string;
  /** pbx.timezone (the tracker's). */
  pbx: string;
}

/** Why a row cannot be used, or null. */
export function rowProblem(row: CelRow, tz: string): string | null {
  if (!row.linkedid) return 'it has no linkedid';
  if (!row.uniqueid) return 'it has no uniqueid';
  if (!row.eventtype) return 'it has no eventtype';
  if (!row.eventtime || Number.isNaN(instantOf(row.eventtime, tz))) return `its eventtime ${JSON.stringify(row.eventtime)} is not a time (expected "YYYY-MM-DD HH:MM:SS[.ffffff][±HH]" or epoch seconds)`;
  return null;
}

export function toEvent(r: ReadRow, z: RowZones): AmiMessage {
  const row = r.row;
  const ev: AmiMessage = { Event: 'CEL' };
  for (const [col, key] of COLUMN_KEYS) {
    const v = row[col];
    if (v === null || v === undefined) continue;
    ev[key] = v;
  }
  // cel_pgsql and cel_odbc write a user-defined event's own name as eventtype; a table that keeps USER_DEFINED has it in userdeftype
  if (row.eventtype === 'USER_DEFINED' && row.userdeftype) ev.EventName = row.userdeftype;
  const raw = (row.eventtime ?? '').trim();
  const naive = !/^\d+(\.\d+)?$/.test(raw) && !/(Z|[+-]\d{2}(:?\d{2})?)$/.test(raw);
  if (naive && z.cel !== z.pbx) ev.EventTime = (r.at / 1000).toFixed(6);
  return ev;
}

/** Rows in the order Asterisk wrote them: by eventtime, then id (or line). Rows stored out of order are put back in it. */
export function byTime(a: ReadRow, b: ReadRow): number {
  return a.at - b.at || a.seq - b.seq;
}
