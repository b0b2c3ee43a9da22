/**
 * The durable outbox: every call to register is a job keyed by its linkedid, and every step of its
 * registration (the body about to be sent, then Kommo's answer) is appended to a journal and fsynced before
 * the promise resolves. After a crash or restart, `pending()` gives back every job that did not finish, with
 * the steps it had done and the step that was in flight (whose write may or may not have reached Kommo; the
 * registrar reconciles it before sending again).
 *
 * The journal is JSON lines (`outbox.jsonl` in the data folder): small appends, one fsync per group of writes
 * that arrive together (group commit), so a burst of calls costs a few fsyncs, not one per step. It is
 * compacted (rewritten atomically with only what is still needed) when it grows. A torn last line (a crash in
 * the middle of an append) is expected and dropped; any other unreadable line is reported with its line
 * number, the file is copied aside, and reading goes on, so nothing readable is lost.
 */
import { copyFile, mkdir, open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../log/index.ts';
import { writeFileAtomic } from '../../durable/index.ts';

/** How long after a failed compaction the next is tried. */
const COMPACT_RETRY_MS = 60_000;

export const OUTBOX_FILE = 'outbox.jsonl';
export const OUTBOX_SCHEMA = 1;

export type StepStatus = 'sending' | 'done' | 'skipped' | 'failed';

export interface StepRecord {
  status: StepStatus;
  /** What was (or is being) sent, or what the step found. */
  data?: unknown;
  /** Kommo's answer (ids) when done; the error when failed. */
  result?: unknown;
  at: number;
}

export interface OutboxJob<P = unknown> {
  linkedid: string;
  addedAt: number;
  payload: P;
  steps: Record<string, StepRecord>;
  attempts: number;
}

export interface OutboxOutcome {
  linkedid: string;
  ok: boolean;
  at: number;
  error?: { code: string; message: string };
}

export interface OutboxOptions {
  log?: Logger;
  now?: () => number;
  /** Completed linkedids remembered so a replayed call is not registered twice. Default 50,000. */
  rememberDone?: number;
  /**
   * …and at least this long, however many (the CEL catch-up's longest gap: a call it reads again must be found
   * here). Default 0: by count only.
   */
  rememberDoneMs?: number;
  /** Compact when the journal passes this many bytes. Default 8 MiB. */
  compactBytes?: number;
  /** fsync each group of appends. Default true (tests of speed may turn it off; production never). */
  fsync?: boolean;
}

export interface Outbox<P = unknown> {
  /** Adds a job (durable when the promise resolves). false when the linkedid is pending or already done. */
  add(linkedid: string, payload: P): Promise<boolean>;
  /** Records a step of a job (durable when the promise resolves). */
  step(linkedid: string, name: string, record: Omit<StepRecord, 'at'>): Promise<void>;
  /** Counts one more attempt of the job (after a retryable failure or a restart). */
  attempt(linkedid: string): Promise<void>;
  /** The job is over: registered, or failed for good. */
  complete(linkedid: string, outcome: { ok: boolean; error?: { code: string; message: string } }): Promise<void>;
  job(linkedid: string): OutboxJob<P> | undefined;
  pending(): OutboxJob<P>[];
  isDone(linkedid: string): boolean;
  /** Registered, failed for good, or pending: the outbox has it (the catch-up and reprocess write only what it lacks). */
  knows(linkedid: string): boolean;
  /** Since when the record of finished calls is whole (the oldest it still holds, or null when none was dropped). */
  rememberedSince(): number | null;
  outcome(linkedid: string): OutboxOutcome | undefined;
  depth(): number;
  /** Problems met reading the journal at open (line numbers and what was done). */
  problems(): string[];
  close(): Promise<void>;
}

type Line =
  | { t: 'schema'; v: number }
  | { t: 'add'; id: string; at: number; p: unknown }
  | { t: 'step'; id: string; s: string; r: StepRecord }
  | { t: 'try'; id: string }
  | { t: 'done'; id: string; ok: boolean; at: number; e?: { code: string; message: string } };

export async function openOutbox<P = unknown>(dir: string, o: OutboxOptions = {}): Promise<Outbox<P>> {
  const log = (o.log ?? silentLogger).child({ module: 'outbox' });
  const now = o.now ?? Date.now;
  const rememberDone = o.rememberDone ?? 50_000;
  const rememberDoneMs = o.rememberDoneMs ?? 0;
  /** The finished time of the newest record dropped: the record is whole after it. */
  let droppedUpTo: number | null = null;
  const compactBytes = o.compactBytes ?? 8 * 1024 * 1024;
  const doFsync = o.fsync ?? true;
  await mkdir(dir, { recursive: true });
  const path = join(dir, OUTBOX_FILE);
  const jobs = new Map<string, OutboxJob<P>>();
  const done = new Map<string, OutboxOutcome>();
  const problems: string[] = [];

  /** Applies a record to memory; returns how to take it back (a write that fails), or undefined when it changed nothing. */
  function apply(l: Line): (() => void) | undefined {
    if (l.t === 'add') {
      if (jobs.has(l.id) || done.has(l.id)) return undefined;
      const j: OutboxJob<P> = { linkedid: l.id, addedAt: l.at, payload: l.p as P, steps: {}, attempts: 0 };
      jobs.set(l.id, j);
      return () => {
        if (jobs.get(l.id) === j) jobs.delete(l.id);
      };
    } else if (l.t === 'step') {
      const j = jobs.get(l.id);
      if (!j) return undefined;
      const had = Object.hasOwn(j.steps, l.s);
      const before = j.steps[l.s];
      j.steps[l.s] = l.r;
      return () => {
        if (j.steps[l.s] !== l.r) return; // a later record replaced it
        if (had) j.steps[l.s] = before as StepRecord;
        else delete j.steps[l.s];
      };
    } else if (l.t === 'try') {
      const j = jobs.get(l.id);
      if (!j) return undefined;
      j.attempts += 1;
      return () => {
        j.attempts = Math.max(0, j.attempts - 1);
      };
    } else if (l.t === 'done') {
      const j = jobs.get(l.id);
      jobs.delete(l.id);
      const outcome: OutboxOutcome = { linkedid: l.id, ok: l.ok, at: l.at, ...(l.e ? { error: l.e } : {}) };
      done.set(l.id, outcome);
      // the oldest go first, once past the count and older than the time kept (a restart reads them in the same order)
      while (done.size > rememberDone) {
        const oldest = done.values().next().value as OutboxOutcome;
        if (rememberDoneMs > 0 && now() - oldest.at < rememberDoneMs) break;
        done.delete(oldest.linkedid);
        droppedUpTo = oldest.at;
      }
      return () => {
        if (done.get(l.id) === outcome) done.delete(l.id);
        if (j && !jobs.has(l.id)) jobs.set(l.id, j);
      };
    }
    return undefined;
  }

  // Read what is there.
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`the outbox ${path} cannot be read (${(e as Error).message}); fix its permissions (hookline needs to read and write it) and start again. Nothing was changed.`);
    }
  }
  if (text) {
    const lines = text.split('\n');
    const lastIndex = text.endsWith('\n') ? lines.length - 2 : lines.length - 1;
    let copied = false;
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i] as string;
      if (!raw) continue;
      let l: Line;
      try {
        l = JSON.parse(raw) as Line;
        if (typeof l !== 'object' || l === null || typeof (l as { t?: unknown }).t !== 'string') throw new Error('not a journal record');
      } catch (e) {
        if (i === lastIndex && !text.endsWith('\n')) {
          problems.push(`line ${i + 1}: a torn last write (the process stopped while appending): dropped; the step it recorded runs again`);
          continue;
        }
        if (!copied) {
          const aside = `${path}.corrupt-${now()}`;
          await copyFile(path, aside);
          copied = true;
          problems.push(`the outbox has unreadable lines; the whole file was copied to ${aside} before anything was rewritten`);
        }
        problems.push(`line ${i + 1}: not readable (${(e as Error).message}): skipped; every other line was read`);
        continue;
      }
      if (l.t === 'schema' && l.v > OUTBOX_SCHEMA) {
        throw new Error(`the outbox ${path} was written by a newer hookline (schema ${l.v}, this one reads ${OUTBOX_SCHEMA}); run the newer version, or move the file aside to start with an empty outbox. Nothing was changed.`);
      }
      apply(l);
    }
    for (const p of problems) log.warn({ file: path }, `outbox: ${p}`);
  }

  // Start from a compacted file: it drops finished work and any torn or unreadable line.
  let size = 0;
  let compactAt = compactBytes;
  /** Open for appends; null after a compaction until the next write opens it again. */
  let fh: FileHandle | null;
  async function compact() {
    const out: string[] = [JSON.stringify({ t: 'schema', v: OUTBOX_SCHEMA })];
    for (const d of done.values()) out.push(JSON.stringify({ t: 'done', id: d.linkedid, ok: d.ok, at: d.at, ...(d.error ? { e: d.error } : {}) }));
    for (const j of jobs.values()) {
      out.push(JSON.stringify({ t: 'add', id: j.linkedid, at: j.addedAt, p: j.payload }));
      for (let k = 0; k < j.attempts; k++) out.push(JSON.stringify({ t: 'try', id: j.linkedid }));
      for (const [s, r] of Object.entries(j.steps)) out.push(JSON.stringify({ t: 'step', id: j.linkedid, s, r }));
    }
    size = await writeFileAtomic(path, out.join('\n') + '\n');
    // a record kept for days can itself pass compactBytes: then compact again only when the journal has doubled
    compactAt = size >= compactBytes ? size * 2 : compactBytes;
  }
  await compact();
  fh = await open(path, 'a');
  size = (await stat(path)).size;

  // Group commit: lines queued while a write is in flight go together in the next one.
  let queue: { text: string; undo: (() => void) | undefined; resolve: () => void; reject: (e: Error) => void }[] = [];
  let writing: Promise<void> | null = null;
  let closed = false;
  /** After a compaction that failed (a full disk), the next one waits this long; the journal keeps growing. */
  let compactNotBefore = 0;

  async function drain() {
    while (queue.length) {
      const batch = queue;
      queue = [];
      const chunk = Buffer.from(batch.map((b) => b.text).join(''), 'utf8');
      try {
        fh ??= await open(path, 'a');
        // On a full disk write() may take only part of the chunk and report fewer bytes instead of an error.
        const { bytesWritten } = await fh.write(chunk);
        if (bytesWritten < chunk.length) throw new Error(`only ${bytesWritten} of ${chunk.length} bytes were written`);
        if (doFsync) await fh.sync();
        size += chunk.length;
        for (const b of batch) b.resolve();
      } catch (e) {
        // Drop what went through in part: a torn line followed by later appends would make both unreadable.
        await fh?.truncate(size).catch(() => undefined);
        const err = new Error(`writing the outbox ${path} failed (${(e as Error).message}); check free disk space and permissions. Nothing in this write was acknowledged: the registration that asked for it fails this attempt and is tried again.`);
        log.error({ file: path }, err.message);
        // Memory follows the disk: what this write recorded is taken back, newest first, so that the job
        // looks as it did (still pending, not done; the step not recorded) and its retry writes it again.
        for (let i = batch.length - 1; i >= 0; i--) batch[i]!.undo?.();
        for (const b of batch) b.reject(err);
      }
      if (size > compactAt && !queue.length && Date.now() >= compactNotBefore) {
        await fh?.close().catch(() => undefined);
        fh = null;
        // Records appended while the file was closing are already applied, so the compacted file holds them:
        // they are acknowledged with it, not appended again (a 'try' written twice counts two attempts).
        const covered = queue;
        queue = [];
        try {
          await compact();
          for (const b of covered) b.resolve();
        } catch (e) {
          // The old journal is intact (the rewrite is atomic): keep appending to it, the covered records too.
          compactNotBefore = Date.now() + COMPACT_RETRY_MS;
          queue = covered.concat(queue);
          log.error({ file: path }, `compacting the outbox ${path} failed (${(e as Error).message}); it was left as it was and grows until the next try in ${COMPACT_RETRY_MS / 1000} s. Check free disk space and permissions.`);
        }
      }
    }
    writing = null;
  }

  function append(l: Line): Promise<void> {
    if (closed) return Promise.reject(new Error('the outbox is closed'));
    const text = JSON.stringify(l);
    // Memory takes the record as the journal has it, parsed back: no string of the caller's is kept. A linkedid
    // read from AMI is a slice of the whole chunk it arrived in (up to 64 KiB), and `done` remembers 50,000 of them.
    const undo = apply(JSON.parse(text) as Line);
    return new Promise<void>((resolve, reject) => {
      queue.push({ text: text + '\n', undo, resolve, reject });
      if (!writing) writing = drain();
    });
  }

  return {
    async add(linkedid, payload) {
      if (jobs.has(linkedid) || done.has(linkedid)) return false;
      // Not written: the write's failure takes the job back, so the call can be submitted again.
      await append({ t: 'add', id: linkedid, at: now(), p: payload });
      return true;
    },
    step(linkedid, name, record) {
      if (!jobs.has(linkedid)) return Promise.reject(new Error(`the outbox has no pending job ${linkedid}`));
      return append({ t: 'step', id: linkedid, s: name, r: { ...record, at: now() } });
    },
    attempt(linkedid) {
      if (!jobs.has(linkedid)) return Promise.resolve();
      return append({ t: 'try', id: linkedid });
    },
    complete(linkedid, outcome) {
      if (!jobs.has(linkedid)) return Promise.resolve();
      return append({ t: 'done', id: linkedid, ok: outcome.ok, at: now(), ...(outcome.error ? { e: outcome.error } : {}) });
    },
    job: (linkedid) => jobs.get(linkedid),
    pending: () => [...jobs.values()],
    isDone: (linkedid) => done.has(linkedid),
    knows: (linkedid) => done.has(linkedid) || jobs.has(linkedid),
    rememberedSince: () => droppedUpTo,
    outcome: (linkedid) => done.get(linkedid),
    depth: () => jobs.size,
    problems: () => [...problems],
    async close() {
      if (closed) return;
      while (writing) await writing;
      closed = true;
      await fh?.close();
    },
  };
}
