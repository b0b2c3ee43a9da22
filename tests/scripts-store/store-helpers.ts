/** Shared by the scripts-store tests: a fresh temp folder per test and a store opened on it. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openStore, type Store, type StoreOptions } from '../../scripts-store/index.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A new temp folder, removed after the test file. */
export function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hl-store-'));
  made.push(dir);
  return dir;
}

/**
 * The process that held the folder is gone without closing its store (a crash, a kill): its lock is stale,
 * as the next process would find it. Tests that reopen a folder in the same process call this first.
 */
export function abandon(dir: string): void {
  rmSync(join(dir, 'hookline.lock'), { force: true });
}

/** A check that lets every source through. */
export const compiles = async () => null;

export async function openOk(dir: string, opts: StoreOptions = {}): Promise<Store> {
  const r = await openStore(dir, opts);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** Temp files left in the folder (a write that did not finish would leave one). */
export const tempFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/** A minimal capture of a hook's input. */
export const captureOf = (i: number) => ({ hook: 'process_client_phone' as const, linkedid: `1700000000.${i}`, input: { phone: `+7916000${i}` }, now: 1_700_000_000_000 + i, seed: i });

/** A ring log (captures.jsonl, failures.jsonl) as its header and its [hook, entry] lines. */
export function readLog(path: string): { header: unknown; lines: [string, Record<string, unknown>][]; endsWithNewline: boolean } {
  const text = readFileSync(path, 'utf8');
  const [header, ...lines] = text.split('\n').filter((l) => l !== '');
  return { header: JSON.parse(header ?? 'null'), lines: lines.map((l) => JSON.parse(l)), endsWithNewline: text.endsWith('\n') };
}
