/**
 * The scripts store: three files under the data folder, each held by lowdb.
 *   scripts.json     drafts, versions, the published pointer: one JSON document, replaced atomically at
 *                    every change, one change at a time
 *   captures.jsonl   the inputs the engine gave each hook (a ring per hook)  } kept in memory; a flush off the
 *   failures.jsonl   the failure log (bounded per hook)                      } call path appends what is new
 * Captures and failures never rewrite the scripts file, and the frequent flushes never touch it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeError, type HookName, type HooklineError } from '../contracts/index.ts';
import { silentLogger, type Logger } from '../log/index.ts';
import { capturesLogSpec, createCaptures, type CaptureInput } from './captures.ts';
import { openDataFile, type DataFile, type DataFileOptions } from './data-file.ts';
import { createFailures, failuresLogSpec, type FailureInput } from './failures.ts';
import { JsonFileAdapter } from './json-adapter.ts';
import { acquireDataLock, type DataLock } from './lock.ts';
import { RingLogAdapter, type RingLog } from './ring-log-adapter.ts';
import type { Capture, Draft, Failure, ScriptsFile, TestCase, Version } from './schema.ts';
import { createTestCases, type TestCaseInput } from './test-cases.ts';
import { createScripts, emptyScripts, scriptsFileSpec, type HookScriptState, type PublishOptions, type RollbackOptions, type StoreResult } from './scripts.ts';

export type StoreFileName = 'scripts' | 'captures' | 'failures';

export interface StoreOptions {
  /** Captured inputs kept per hook. Default 200. */
  captureRing?: number;
  /** false: capture() keeps nothing. Default true. */
  captureEnabled?: boolean;
  /** Failures kept per hook. Default 500. */
  failureLimit?: number;
  /** Captures and failures reach the disk this long after the first change that is not yet written. Default 1000 ms. */
  flushMs?: number;
  /** The clock for times the store stamps (captures, failures, drafts, versions). */
  now?: () => Date;
  log?: Logger;
  /**
   * Read the store without writing anything, not even at open (no file created, migrated or repaired): for a
   * second process, such as `hookline replay`, while hookline runs. Changes are refused with STORE_UNREADABLE;
   * captures and failures are not kept.
   */
  readOnly?: boolean;
  /** Called after each write that reached a store file (an append or a whole rewrite): tests count writes with it. */
  onWrite?: (e: { file: StoreFileName; path: string; bytes: number; mode: 'append' | 'rewrite' }) => void;
}

export interface HookState extends HookScriptState {
  /** Failures recorded in the last 24 hours (as far as the bounded log reaches). */
  failures24h: number;
}

export interface Store {
  readonly dir: string;
  listHooks(): HookState[];
  draft(hook: HookName): Draft | null;
  /** Rejects (with a StoreWriteError carrying STORE_UNREADABLE) only when scripts.json cannot be written. */
  saveDraft(hook: HookName, source: string, author: string): Promise<Draft>;
  /** Publishes the draft, or `source`, as a new version; a failing `check` refuses it with the check's error. */
  publish(hook: HookName, o: PublishOptions): Promise<StoreResult<Version>>;
  /** Drops the draft (the hook opens with its published source or its template). Rejects as saveDraft does. */
  clearDraft(hook: HookName): Promise<void>;
  /**
   * Publishes an earlier version's source again, as a new version with `rollbackOf`; with `toDefault`, returns
   * the hook to its built-in default: an entry with `toDefault` in the history, nothing published.
   */
  rollback(hook: HookName, o: RollbackOptions): Promise<StoreResult<Version>>;
  published(hook: HookName): Version | null;
  /** Oldest first. */
  versions(hook: HookName): Version[];
  /** After each publish or rollback is on disk (a return to the default: `v.toDefault`); returns the unsubscribe function. */
  onPublished(listener: (hook: HookName, v: Version) => void): () => void;
  /** The hook's test cases (issue 17, item 3), oldest first. */
  testCases(hook: HookName): TestCase[];
  /**
   * Adds cases (or replaces those with the same id: an import); answers them as stored. Rejects with a
   * RangeError past MAX_TEST_CASES per hook, with a StoreWriteError when scripts.json cannot be written.
   */
  saveTestCases(hook: HookName, cases: TestCaseInput[]): Promise<TestCase[]>;
  /** null: no such case. Rejects as saveDraft does. */
  updateTestCase(hook: HookName, id: string, patch: Partial<Pick<TestCase, 'name' | 'expected'>>): Promise<TestCase | null>;
  /** false: no such case. Rejects as saveDraft does. */
  deleteTestCase(hook: HookName, id: string): Promise<boolean>;
  /** Cheap, for the call path: a snapshot kept in memory, written by the next flush. */
  capture(entry: CaptureInput): void;
  capture(hook: HookName, entry: Omit<CaptureInput, 'hook'>): void;
  /** Newest first. */
  captures(hook: HookName, o?: { limit?: number; ids?: string[] }): Capture[];
  recordFailure(hook: HookName, f: FailureInput): void;
  /** Newest first. */
  failures(hook: HookName, o?: { since?: Date }): Failure[];
  /** Failures per hook since `since` (default: the last 24 hours). */
  failureCounts(since?: Date): Partial<Record<HookName, number>>;
  /** Writes pending captures and failures now. Null when all is on disk, else the error (it is retried later). */
  flush(): Promise<HooklineError | null>;
  /** Writes done per file since open. */
  readonly fileWrites: Record<StoreFileName, number>;
  /** Flushes and stops the timer; later captures and failures are dropped. */
  close(): Promise<HooklineError | null>;
}

/** saveDraft's rejection: the error value is on `.error`. */
export class StoreWriteError extends Error {
  readonly error: HooklineError;
  constructor(error: HooklineError) {
    super(`${error.code}: ${error.message}`);
    this.error = error;
  }
}

export async function openStore(dir = './data', opts: StoreOptions = {}): Promise<StoreResult<Store>> {
  try {
    if (!opts.readOnly) mkdirSync(dir, { recursive: true });
  } catch (e) {
    return { ok: false, error: makeError('STORE_UNREADABLE', { path: dir, detail: (e as Error).message }) };
  }
  // One writer per data folder (scripts-store/lock.ts); a reader takes no lock.
  let lock: DataLock | null = null;
  if (!opts.readOnly) {
    const l = acquireDataLock(dir, opts.now ? { now: opts.now } : {});
    if (!l.ok) return l;
    lock = l.value;
  }
  const opened = await openFiles(dir, opts, lock);
  if (!opened.ok) lock?.release();
  return opened;
}

async function openFiles(dir: string, opts: StoreOptions, lock: DataLock | null): Promise<StoreResult<Store>> {
  const log = (opts.log ?? silentLogger).child({ module: 'scripts-store' });
  const fileOpts = (file: StoreFileName): DataFileOptions => ({
    readOnly: opts.readOnly,
    onWrite: (e) => opts.onWrite?.({ file, ...e }),
    onBackupFailed: (path, err) => log.warn({ path, err: err.message }, `the backup ${path} could not be refreshed; the store file itself is fine`),
    onRepaired: (path, what) => log.warn({ path }, `${path}: ${what}; the file was rewritten whole`),
  });
  const scripts = await openDataFile(new JsonFileAdapter<ScriptsFile>(join(dir, 'scripts.json'), scriptsFileSpec), emptyScripts(), fileOpts('scripts'));
  if (!scripts.ok) return scripts;
  const emptyLog = <E>(schemaVersion: number): RingLog<E> => ({ schemaVersion, byHook: {} });
  const captures = await openDataFile(new RingLogAdapter<Capture>(join(dir, 'captures.jsonl'), capturesLogSpec), emptyLog<Capture>(capturesLogSpec.current), fileOpts('captures'));
  if (!captures.ok) return captures;
  const failures = await openDataFile(new RingLogAdapter<Failure>(join(dir, 'failures.jsonl'), failuresLogSpec), emptyLog<Failure>(failuresLogSpec.current), fileOpts('failures'));
  if (!failures.ok) return failures;
  for (const f of [scripts.file, captures.file, failures.file]) {
    if (f.migratedFrom !== null && !opts.readOnly) log.info({ path: f.path, from: f.migratedFrom }, `${f.path} was migrated from schema version ${f.migratedFrom}; the original is kept as ${f.path}.v${f.migratedFrom}.bak`);
  }
  return { ok: true, value: createStore(dir, scripts.file, captures.file, failures.file, opts, log, lock) };
}

function createStore(
  dir: string,
  scriptsFile: DataFile<ScriptsFile>,
  capturesFile: DataFile<RingLog<Capture>>,
  failuresFile: DataFile<RingLog<Failure>>,
  opts: StoreOptions,
  log: Logger,
  lock: DataLock | null,
): Store {
  const now = opts.now ?? (() => new Date());
  const flushMs = opts.flushMs ?? 1000;
  const ring = opts.captureRing ?? 200;
  const failureLimit = opts.failureLimit ?? 500;
  // A smaller ring or limit than the files were written with applies from the start.
  for (const list of Object.values(capturesFile.data.byHook)) if (list.length > ring) list.splice(0, list.length - ring);
  for (const list of Object.values(failuresFile.data.byHook)) if (list.length > failureLimit) list.splice(0, list.length - failureLimit);

  const dirty = { captures: false, failures: false };
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  function schedule() {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      void flush().then((error) => {
        if (error) log.error({ code: error.code }, `${error.message}; the store tries again at the next flush`);
      });
    }, flushMs);
    timer.unref();
  }

  async function flushOne(kind: 'captures' | 'failures', file: DataFile<RingLog<Capture>> | DataFile<RingLog<Failure>>): Promise<HooklineError | null> {
    if (!dirty[kind]) return null;
    dirty[kind] = false;
    try {
      await file.write();
      return null;
    } catch (e) {
      dirty[kind] = true;
      schedule();
      return makeError('STORE_UNREADABLE', { path: file.path, detail: (e as Error).message });
    }
  }

  async function flush(): Promise<HooklineError | null> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    const [c, f] = await Promise.all([flushOne('captures', capturesFile), flushOne('failures', failuresFile)]);
    return c ?? f;
  }

  const changed = (kind: 'captures' | 'failures') => () => {
    dirty[kind] = true;
    schedule();
  };
  const scripts = createScripts(scriptsFile, now, log);
  const tests = createTestCases(scriptsFile, now);
  /** A failed write of scripts.json rejects with a StoreWriteError naming the file; a RangeError (too many cases) as it is. */
  const writing = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof RangeError) throw e;
      throw new StoreWriteError(makeError('STORE_UNREADABLE', { path: scriptsFile.path, detail: (e as Error).message }));
    }
  };
  const caps = createCaptures(() => capturesFile.data, {
    ring,
    enabled: opts.captureEnabled !== false && !opts.readOnly,
    now,
    changed: changed('captures'),
    dropped: (hook, err) => log.warn({ hook, err: err.message }, `an input of ${hook} is not JSON and was not captured`),
  });
  const fails = createFailures(() => failuresFile.data, { limit: failureLimit, now, changed: changed('failures') });

  return {
    dir,
    listHooks: () => {
      const counts = fails.failureCounts();
      return scripts.listHooks().map((h) => ({ ...h, failures24h: counts[h.hook] ?? 0 }));
    },
    draft: scripts.draft,
    async saveDraft(hook, source, author) {
      try {
        return await scripts.saveDraft(hook, source, author);
      } catch (e) {
        throw new StoreWriteError(makeError('STORE_UNREADABLE', { path: scriptsFile.path, detail: (e as Error).message }));
      }
    },
    async clearDraft(hook) {
      try {
        await scripts.clearDraft(hook);
      } catch (e) {
        throw new StoreWriteError(makeError('STORE_UNREADABLE', { path: scriptsFile.path, detail: (e as Error).message }));
      }
    },
    testCases: tests.testCases,
    saveTestCases: (hook, cases) => writing(() => tests.saveTestCases(hook, cases)),
    updateTestCase: (hook, id, patch) => writing(() => tests.updateTestCase(hook, id, patch)),
    deleteTestCase: (hook, id) => writing(() => tests.deleteTestCase(hook, id)),
    publish: scripts.publish,
    rollback: scripts.rollback,
    published: scripts.published,
    versions: scripts.versions,
    onPublished: scripts.onPublished,
    capture: (a: CaptureInput | HookName, b?: Omit<CaptureInput, 'hook'>) => {
      if (!closed) caps.capture(typeof a === 'string' ? { ...(b as Omit<CaptureInput, 'hook'>), hook: a } : a);
    },
    captures: caps.captures,
    recordFailure: (hook, f) => {
      if (!closed && !opts.readOnly) fails.recordFailure(hook, f);
    },
    failures: fails.failures,
    failureCounts: fails.failureCounts,
    flush,
    get fileWrites() {
      return { scripts: scriptsFile.writes, captures: capturesFile.writes, failures: failuresFile.writes };
    },
    async close() {
      closed = true;
      const error = await flush();
      lock?.release();
      return error;
    },
  };
}
