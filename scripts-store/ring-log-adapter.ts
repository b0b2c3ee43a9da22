/**
 * The lowdb adapter for the store's ring logs (captures.jsonl, failures.jsonl): JSON Lines, a header line
 * `{"schemaVersion":1,"kind":"captures"}` then one `["<hook>", <entry>]` per line, oldest first.
 *
 * Why not one JSON document like scripts.json: a full default capture ring is ~4 MB, and rewriting it (and its
 * backup) at every flush would write ~8 MB per second while calls flow. Here a flush appends only the entries
 * that are new since the last write (fsynced), and the file is rewritten atomically, compacted to what the
 * rings hold, only once it carries twice as many lines as that: about three entry-writes per entry in all.
 * The backup (`.bak`) is the output of the last rewrite, so it lags the file by at most one ring's worth.
 *
 * A write that did not finish can leave only one thing: an incomplete last line. Reading drops it, says so
 * (`repaired`), and the store rewrites the file at once. Any other line that does not read is STORE_CORRUPT.
 */
import { open } from 'node:fs/promises';
import type { TSchema } from '@sinclair/typebox';
import type { HooklineError } from '../contracts/index.ts';
import { writeFileAtomic } from '../durable/index.ts';
import type { FileAdapter } from './data-file.ts';
import { corrupt, declaredVersion, openError, readStoreText, shapeProblem } from './open-errors.ts';

/** A ring log in memory: per hook, its entries, oldest first. */
export interface RingLog<E> {
  schemaVersion: number;
  byHook: Record<string, E[]>;
}

export interface RingLogSpec<E> {
  /** Written in the header, and checked: a failures log is not read as captures. */
  kind: string;
  current: number;
  entry: TSchema;
  /** The JSON bytes of an entry; captures pass their cached bytes. */
  entryBytes?: (e: E) => Uint8Array;
  /** Told of each entry read, with its JSON text as the file has it (captures keep it as their bytes). */
  readEntry?: (e: E, json: string) => void;
}

const CLOSE_LINE = Buffer.from(']\n');

export class RingLogAdapter<E extends object> implements FileAdapter<RingLog<E>> {
  readonly path: string;
  readonly #spec: RingLogSpec<E>;
  readonly #entryBytes: (e: E) => Uint8Array;
  /** Entries whose line is in the file. */
  readonly #onDisk = new WeakSet<E>();
  readonly #hookPrefix = new Map<string, Buffer>();
  #lines = 0;
  #exists = false;
  /** The next write rewrites the file whole: after a repair, or an append that failed part way. */
  #mustRewrite = false;
  text: string | null = null;
  readonly migratedFrom = null;
  repaired: string | null = null;
  backupChunks: Uint8Array[] | null = null;
  lastBytes = 0;
  lastMode: 'append' | 'rewrite' = 'rewrite';

  constructor(path: string, spec: RingLogSpec<E>) {
    this.path = path;
    this.#spec = spec;
    this.#entryBytes = spec.entryBytes ?? ((e) => Buffer.from(JSON.stringify(e)));
  }

  async read(): Promise<RingLog<E> | null> {
    this.text = await readStoreText(this.path);
    if (this.text === null) return null;
    this.#exists = true;
    return this.#parse(this.text);
  }

  async write(data: RingLog<E>): Promise<void> {
    const fresh: [string, E][] = [];
    let total = 0;
    for (const [hook, list] of Object.entries(data.byHook)) {
      total += list.length;
      // Rings only grow at the end, so the entries not yet on disk are the tail of each list.
      let i = list.length;
      while (i > 0 && !this.#onDisk.has(list[i - 1] as E)) i--;
      for (; i < list.length; i++) fresh.push([hook, list[i] as E]);
    }
    if (!this.#exists || this.#mustRewrite || this.#lines + fresh.length > 2 * total) return this.#rewrite(data, total);
    this.lastMode = 'append';
    this.backupChunks = null;
    this.lastBytes = 0;
    if (fresh.length === 0) return;
    const chunks = fresh.flatMap(([hook, e]) => this.#line(hook, e));
    try {
      this.lastBytes = await appendDurably(this.path, chunks);
    } catch (e) {
      // Part of a line may have reached the file: the next write replaces it whole.
      this.#mustRewrite = true;
      throw e;
    }
    for (const [, e] of fresh) this.#onDisk.add(e);
    this.#lines += fresh.length;
  }

  openError(e: unknown): HooklineError {
    return openError(this.path, e);
  }

  async #rewrite(data: RingLog<E>, total: number): Promise<void> {
    const chunks: Uint8Array[] = [Buffer.from(`${JSON.stringify({ schemaVersion: this.#spec.current, kind: this.#spec.kind })}\n`)];
    for (const [hook, list] of Object.entries(data.byHook)) for (const e of list) chunks.push(...this.#line(hook, e));
    this.lastBytes = await writeFileAtomic(this.path, chunks);
    this.lastMode = 'rewrite';
    this.backupChunks = chunks;
    for (const list of Object.values(data.byHook)) for (const e of list) this.#onDisk.add(e);
    this.#lines = total;
    this.#exists = true;
    this.#mustRewrite = false;
  }

  #line(hook: string, e: E): Uint8Array[] {
    let prefix = this.#hookPrefix.get(hook);
    if (!prefix) {
      prefix = Buffer.from(`[${JSON.stringify(hook)},`);
      this.#hookPrefix.set(hook, prefix);
    }
    return [prefix, this.#entryBytes(e), CLOSE_LINE];
  }

  #parse(text: string): RingLog<E> {
    const endsClean = text.endsWith('\n');
    const lines = text.split('\n');
    if (endsClean) lines.pop();
    const header = parseJson(lines[0] ?? '');
    if (header === undefined || header === null || typeof header !== 'object' || Array.isArray(header)) {
      throw corrupt(this.path, 'line 1 is not the header ({"schemaVersion": …, "kind": …})');
    }
    const h = header as Record<string, unknown>;
    const version = declaredVersion(this.path, h, this.#spec.current);
    if (h.kind !== this.#spec.kind) throw corrupt(this.path, `line 1 says this is a ${JSON.stringify(h.kind)} log, not ${this.#spec.kind}`);
    // No older layout of the ring logs exists yet: a lower version is one this hookline never wrote.
    if (version < this.#spec.current) throw corrupt(this.path, `this hookline cannot migrate schema version ${version}`);

    const byHook: Record<string, E[]> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const value = parseJson(line);
      const last = i === lines.length - 1 && !endsClean;
      if (value === undefined && last) {
        this.repaired = `dropped an incomplete last line (${Buffer.byteLength(line)} bytes) left by a write that did not finish`;
        break;
      }
      if (value === undefined) throw corrupt(this.path, `line ${i + 1} is not valid JSON`);
      if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string') throw corrupt(this.path, `line ${i + 1} is not ["<hook>", <entry>]`);
      const problem = shapeProblem(this.#spec.entry, value[1]);
      if (problem) throw corrupt(this.path, `line ${i + 1}: ${problem}`);
      (byHook[value[0]] ??= []).push(value[1] as E);
      if (this.#spec.readEntry) this.#spec.readEntry(value[1] as E, entryText(line, value[0]) ?? JSON.stringify(value[1]));
      this.#onDisk.add(value[1] as E);
      this.#lines++;
      if (last) this.repaired = 'the last line had no line end';
    }
    if (this.repaired) this.#mustRewrite = true;
    return { schemaVersion: this.#spec.current, byHook };
  }
}

/** The entry's own text in a line this adapter wrote (`["<hook>",<entry>]`), or null for a line written otherwise. */
function entryText(line: string, hook: string): string | null {
  const prefix = `[${JSON.stringify(hook)},`;
  return line.startsWith(prefix) && line.endsWith(']') ? line.slice(prefix.length, -1) : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Appends the chunks at the end of an existing file and fsyncs it; the file must exist (it has the header). */
async function appendDurably(path: string, chunks: Uint8Array[]): Promise<number> {
  const fh = await open(path, 'r+');
  try {
    const { size } = await fh.stat();
    await fh.writev(chunks, size);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  return chunks.reduce((n, c) => n + c.byteLength, 0);
}
