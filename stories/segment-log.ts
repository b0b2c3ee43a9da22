/**
 * A keyed, append-only log in segment files (`<dir>/<n>.log`), within bounds (records, bytes, age). Each record
 * is two framed lines (durable/record-frame.ts): its body, then a short index line (key, time, meta and the
 * body's place), so opening reads the index lines only and a body is read when asked for. A crash between or
 * inside the two lines loses that record alone: a body without its index line is never listed, a torn or damaged
 * line is skipped. Writes are batched off the caller's path (append() only queues) and go to the newest segment;
 * a new segment starts at each open and when one passes `segmentBytes`. Bounds drop the oldest records, and a
 * segment goes when none of its records is kept.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { frameRecord, unframe, writeFileAtomic } from '../durable/index.ts';

export interface SegmentLogOptions {
  dir: string;
  /** Records kept (the newest; a key written again counts once). */
  maxRecords: number;
  /** Bytes of segment files kept (whole segments go, oldest first; the one being written stays). */
  maxBytes: number;
  /** Records older than this (their `at`) go. */
  maxAgeMs: number;
  /** A segment past this size is closed and the next one started. Default maxBytes / 8, within 64 KiB … 8 MiB. */
  segmentBytes?: number;
  /** fsync after each batch (survives a power cut; kill -9 loses nothing written either way). Default false. */
  fsync?: boolean;
  /** How long an appended record waits for company before its batch is written. Default 20 ms. */
  flushMs?: number;
  now?: () => number;
  /** Only reads (another process writes the folder: `hookline dry-run` beside the service): no bounds applied, nothing written. */
  readOnly?: boolean;
  /** A problem writing or reading (logged by the caller). */
  onError?: (message: string) => void;
}

export interface LogEntry<M> {
  key: string;
  at: number;
  meta: M;
  seg: number;
  /** The body line's place in its segment. */
  offset: number;
  length: number;
}

export interface SegmentLog<M> {
  /** Queues a record; `body` is called (its JSON text made) when the batch is written, off the caller's path. */
  append(key: string, at: number, meta: M, body: () => string): void;
  /** Newest first. */
  entries(): LogEntry<M>[];
  entry(key: string): LogEntry<M> | undefined;
  /** The record's body, or null when it is not kept or its line is damaged. */
  read(key: string): unknown;
  /** Removes every record older than `beforeMs` from disk (segments holding some are rewritten). Returns how many went. */
  purge(beforeMs: number): Promise<number>;
  /** Writes what is queued now. */
  flush(): Promise<void>;
  stats(): { records: number; bytes: number; segments: number; skipped: number };
  close(): Promise<void>;
}

interface IndexLine<M> {
  h: 1;
  k: string;
  at: number;
  m: M;
  /** Offset and length of the body line. */
  o: number;
  l: number;
}

const SEGMENT = /^(\d{8})\.log$/;
const segName = (n: number) => `${String(n).padStart(8, '0')}.log`;

export function openSegmentLog<M>(o: SegmentLogOptions): SegmentLog<M> {
  if (o.readOnly && !existsSync(o.dir)) return emptyLog<M>();
  if (!o.readOnly) mkdirSync(o.dir, { recursive: true });
  const now = o.now ?? Date.now;
  const segmentBytes = o.segmentBytes ?? Math.min(8 << 20, Math.max(64 << 10, Math.floor(o.maxBytes / 8)));
  const index = new Map<string, LogEntry<M>>();
  const sizes = new Map<number, number>();
  let skipped = 0;

  // Open: the index lines of every segment, in order; a later record of a key replaces the earlier.
  const found = readdirSync(o.dir).map((f) => SEGMENT.exec(f)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  for (const seg of found) {
    const buf = readFileSync(join(o.dir, segName(seg)));
    sizes.set(seg, buf.length);
    let pos = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      // An index line's JSON starts with {"h": right after the frame's two fields; a body line is checked when read.
      const head = buf.toString('latin1', pos, Math.min(nl, pos + 40));
      if (/^\d+ [0-9a-f]{8} \{"h":/.test(head)) {
        const json = unframe(buf.toString('utf8', pos, nl));
        if (json === null) skipped += 1;
        else {
          const x = JSON.parse(json) as IndexLine<M>;
          index.delete(x.k);
          index.set(x.k, { key: x.k, at: x.at, meta: x.m, seg, offset: x.o, length: x.l });
        }
      }
      pos = nl + 1;
    }
    if (pos < buf.length) skipped += 1;
  }

  let current = (found.at(-1) ?? 0) + 1;
  let fh: FileHandle | null = null;
  let size = 0;
  let queue: { key: string; at: number; meta: M; body: () => string }[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  let closed = o.readOnly === true;
  if (!o.readOnly) enforce();

  async function writeBatch(): Promise<void> {
    const batch = queue;
    queue = [];
    let parts: string[] = [];
    let placed: LogEntry<M>[] = [];
    let at = 0;
    const start = async () => {
      if (!fh) {
        fh = await open(join(o.dir, segName(current)), 'a', 0o600);
        size = 0;
        sizes.set(current, 0);
      }
      at = size;
    };
    const write = async () => {
      if (!fh || parts.length === 0) return;
      const buf = Buffer.from(parts.join(''), 'utf8');
      await fh.write(buf, 0, buf.length);
      if (o.fsync) await fh.sync();
      size += buf.length;
      sizes.set(current, size);
      for (const e of placed) {
        index.delete(e.key);
        index.set(e.key, e);
      }
      parts = [];
      placed = [];
      if (size >= segmentBytes) {
        await fh.close();
        fh = null;
        current += 1;
      }
    };
    await start();
    for (const r of batch) {
      let bodyLine: string;
      try {
        bodyLine = frameRecord(`{"b":${r.body()}}`);
      } catch (e) {
        o.onError?.(`a record of ${r.key} could not be made into JSON and is not kept: ${String(e)}`);
        continue;
      }
      const bodyLen = Buffer.byteLength(bodyLine);
      const idx: IndexLine<M> = { h: 1, k: r.key, at: r.at, m: r.meta, o: at, l: bodyLen };
      const idxLine = frameRecord(JSON.stringify(idx));
      placed.push({ key: r.key, at: r.at, meta: r.meta, seg: current, offset: at, length: bodyLen });
      parts.push(bodyLine, idxLine);
      at += bodyLen + Buffer.byteLength(idxLine);
      // a segment never grows much past its size, whatever the batch: the bytes bound drops whole segments
      if (at >= segmentBytes) {
        await write();
        await start();
      }
    }
    await write();
    enforce();
  }

  /** Drops what the bounds leave out, and every segment none of whose records is kept. */
  function enforce(): void {
    const oldest = now() - o.maxAgeMs;
    let extra = index.size - o.maxRecords;
    for (const [k, e] of index) {
      if (extra <= 0 && e.at >= oldest) break;
      index.delete(k);
      extra -= 1;
    }
    let bytes = [...sizes.values()].reduce((a, b) => a + b, 0);
    const writingSeg = fh ? current : -1;
    const segs = [...sizes.keys()].sort((a, b) => a - b);
    // the newest segment stays whatever its size: it holds the stories just written
    for (const seg of segs.slice(0, -1)) {
      if (bytes <= o.maxBytes || seg === writingSeg) break;
      bytes -= dropSegment(seg);
    }
    const live = new Set([...index.values()].map((e) => e.seg));
    for (const seg of [...sizes.keys()]) if (!live.has(seg) && seg !== writingSeg) dropSegment(seg);
  }

  function dropSegment(seg: number): number {
    const n = sizes.get(seg) ?? 0;
    sizes.delete(seg);
    for (const [k, e] of index) if (e.seg === seg) index.delete(k);
    try {
      rmSync(join(o.dir, segName(seg)), { force: true });
    } catch (e) {
      o.onError?.(`could not remove ${segName(seg)}: ${String(e)}`);
    }
    return n;
  }

  function schedule(): void {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, o.flushMs ?? 20);
    timer.unref();
  }

  function flush(): Promise<void> {
    writing = writing.then(writeBatch).catch((e: unknown) => o.onError?.(`writing records failed; they are lost: ${String(e)}`));
    return writing;
  }

  function readBody(e: LogEntry<M>): unknown {
    let fd: number | null = null;
    try {
      fd = openSync(join(o.dir, segName(e.seg)), 'r');
      const buf = Buffer.alloc(e.length);
      readSync(fd, buf, 0, e.length, e.offset);
      const json = unframe(buf.toString('utf8', 0, Math.max(0, e.length - 1)));
      return json === null ? null : (JSON.parse(json) as { b: unknown }).b;
    } catch {
      return null;
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }

  return {
    append(key, at, meta, body) {
      if (closed) return;
      queue.push({ key, at, meta, body });
      schedule();
    },
    entries: () => [...index.values()].reverse(),
    entry: (key) => index.get(key),
    read(key) {
      const e = index.get(key);
      return e ? readBody(e) : null;
    },
    async purge(beforeMs) {
      if (o.readOnly) return 0;
      await flush();
      const gone = [...index.values()].filter((e) => e.at < beforeMs);
      if (gone.length === 0) return 0;
      for (const e of gone) index.delete(e.key);
      // Rewritten without the purged records (their bytes must leave the disk); the segment being written is closed first.
      if (fh) {
        await fh.close();
        fh = null;
        current += 1;
      }
      for (const seg of new Set(gone.map((e) => e.seg))) {
        const kept = [...index.values()].filter((e) => e.seg === seg);
        if (kept.length === 0) {
          dropSegment(seg);
          continue;
        }
        const file = join(o.dir, segName(seg));
        const parts: string[] = [];
        let at = 0;
        for (const e of kept) {
          const body = readBody(e);
          const bodyLine = frameRecord(JSON.stringify({ b: body }));
          const l = Buffer.byteLength(bodyLine);
          const idxLine = frameRecord(JSON.stringify({ h: 1, k: e.key, at: e.at, m: e.meta, o: at, l }));
          e.offset = at;
          e.length = l;
          parts.push(bodyLine, idxLine);
          at += l + Buffer.byteLength(idxLine);
        }
        sizes.set(seg, await writeFileAtomic(file, parts.join('')));
      }
      enforce();
      return gone.length;
    },
    flush,
    stats: () => ({ records: index.size, bytes: [...sizes.values()].reduce((a, b) => a + b, 0), segments: sizes.size, skipped }),
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      await flush();
      closed = true;
      if (fh) await fh.close();
      fh = null;
    },
  };
}

/** Total bytes of a folder's segment files (for tests and the bench). */
export function segmentBytesOf(dir: string): number {
  return readdirSync(dir).filter((f) => SEGMENT.test(f)).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

function emptyLog<M>(): SegmentLog<M> {
  return {
    append() {},
    entries: () => [],
    entry: () => undefined,
    read: () => null,
    purge: async () => 0,
    flush: async () => undefined,
    stats: () => ({ records: 0, bytes: 0, segments: 0, skipped: 0 }),
    close: async () => undefined,
  };
}
