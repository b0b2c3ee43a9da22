/**
 * The index file in the data folder (`phone-index.json`), written whole and atomically (durable/: temp file, fsync,
 * rename), so a crash leaves the old file or the new one, never half of one. A file that does not parse, or whose
 * shape is wrong, is reported as corrupt (the index is then built again from Kommo, with a warning); one written for
 * another account or format version as stale.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../durable/index.ts';
import type { Row } from './table.ts';

export const INDEX_FILE = 'phone-index.json';
export const FORMAT_VERSION = 1;

export interface IndexFile {
  version: number;
  /** The Kommo account (its base URL): an index is never reused for another account. */
  account: string;
  /** When the full read from Kommo finished (ms since the epoch, hookline's clock). */
  builtAt: number;
  /** When the last refresh finished (ms since the epoch). */
  refreshedAt: number;
  /** Where the next refresh reads from, in Kommo's clock (Unix seconds): the latest `updated_at` and event seen. */
  cursor: { contacts: number; companies: number; events: number };
  missesConfirmed: number;
  contacts: Row[];
  companies: Row[];
}

export type ReadOutcome = { kind: 'ok'; file: IndexFile } | { kind: 'absent' } | { kind: 'corrupt'; reason: string } | { kind: 'stale'; reason: string };

const isRow = (r: unknown): r is Row => Array.isArray(r) && typeof r[0] === 'number' && typeof r[1] === 'string' && typeof r[2] === 'number' && r.slice(3).every((k) => typeof k === 'string');
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

export async function readIndexFile(dir: string, account: string): Promise<ReadOutcome> {
  let text: string;
  try {
    text = await readFile(join(dir, INDEX_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'corrupt', reason: `cannot be read: ${(e as Error).message}` };
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { kind: 'corrupt', reason: `is not JSON (${(e as Error).message})` };
  }
  const f = v as Partial<IndexFile> | null;
  if (!f || typeof f !== 'object') return { kind: 'corrupt', reason: 'is not an object' };
  if (f.version !== FORMAT_VERSION) return { kind: 'stale', reason: `is format ${String(f.version)}, this hookline reads ${FORMAT_VERSION}` };
  if (f.account !== account) return { kind: 'stale', reason: `is for another Kommo account (${String(f.account)})` };
  const c = f.cursor;
  if (!isNum(f.builtAt) || !isNum(f.refreshedAt) || !c || !isNum(c.contacts) || !isNum(c.companies) || !isNum(c.events) || !Array.isArray(f.contacts) || !Array.isArray(f.companies)) {
    return { kind: 'corrupt', reason: 'lacks its times, cursor or lists' };
  }
  const bad = [...f.contacts, ...f.companies].findIndex((r) => !isRow(r));
  if (bad !== -1) return { kind: 'corrupt', reason: `has a malformed entry (#${bad})` };
  return { kind: 'ok', file: { ...(f as IndexFile), missesConfirmed: isNum(f.missesConfirmed) ? f.missesConfirmed : 0 } };
}

export async function writeIndexFile(dir: string, file: IndexFile): Promise<void> {
  await writeFileAtomic(join(dir, INDEX_FILE), JSON.stringify(file));
}
