/**
 * The scripts store: per hook a draft, numbered immutable versions with the published pointer, the inputs the
 * engine gave each hook (a bounded ring, for replay) and a bounded failure log. Three files under the data
 * folder, so captures and failures (frequent, batched off the call path) never rewrite the scripts file.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { HOOK_NAMES, makeError, type HookName, type HooklineError } from '../contracts/index.ts';
import { openDataFile, type DataFile, type FileSpec } from './data-file.ts';

export interface Draft {
  source: string;
  updatedAt: string;
  author: string;
}

export interface Version {
  version: number;
  time: string;
  author: string;
  message: string;
  source: string;
  hash: string;
  /** Set when this version was made by a rollback: the version whose source it took. */
  rollbackOf?: number;
}

export interface HookScripts {
  draft: Draft | null;
  /** The version the engine runs; null: none published (the hook's default is used). */
  published: number | null;
  versions: Version[];
}

export interface ScriptsFile {
  schemaVersion: number;
  hooks: Record<string, HookScripts>;
}

export interface Capture {
  id: string;
  hook: HookName;
  time: string;
  linkedid: string | null;
  input: unknown;
  /** What Date.now() read inside the script (epoch ms): a replay pins it. */
  now: number;
  /** The Math.random seed: a replay uses it. */
  seed: number;
}

export interface Failure {
  time: string;
  code: string;
  message: string;
  version: number | string | null;
  linkedid: string | null;
}

interface CapturesFile {
  schemaVersion: number;
  captures: Record<string, Capture[]>;
}

interface FailuresFile {
  schemaVersion: number;
  failures: Record<string, Failure[]>;
}

export interface StoreOptions {
  /** Captured inputs kept per hook. Default 200. */
  captureRing?: number;
  captureEnabled?: boolean;
  /** Failures kept per hook. Default 500. */
  failureLimit?: number;
  /** Captures and failures reach the disk at most this often. Default 1000 ms. */
  flushMs?: number;
  now?: () => Date;
}

export interface HookState {
  hook: HookName;
  published: number | null;
  /** A draft exists and differs from the published source. */
  draftChanged: boolean;
  versions: number;
}

export type StoreResult<T> = { ok: true; value: T } | { ok: false; error: HooklineError };

export const SCRIPTS_SCHEMA = 1;

const scriptsSpec: FileSpec<ScriptsFile> = {
  current: SCRIPTS_SCHEMA,
  empty: () => ({ schemaVersion: SCRIPTS_SCHEMA, hooks: {} }),
  migrations: {
    // v0 (before schema versions): { "<hook>": { "source": "...", "history": [{ "source", "time", "message" }] } }.
    0: (old) => {
      const hooks: Record<string, HookScripts> = {};
      for (const [hook, v] of Object.entries(old)) {
        const h = v as { source?: string; history?: { source: string; time?: string; message?: string; author?: string }[] };
        const history = h.history ?? (h.source ? [{ source: h.source }] : []);
        const versions = history.map((x, i) => ({
          version: i + 1,
          time: x.time ?? new Date(0).toISOString(),
          author: x.author ?? 'unknown',
          message: x.message ?? 'migrated',
          source: x.source,
          hash: hashOf(x.source),
        }));
        hooks[hook] = { draft: null, published: versions.length ? versions.length : null, versions };
      }
      return { hooks };
    },
  },
  check: (d) => (d.hooks && typeof d.hooks === 'object' && !Array.isArray(d.hooks) ? null : '"hooks" is missing or not an object'),
};

const capturesSpec: FileSpec<CapturesFile> = {
  current: 1,
  empty: () => ({ schemaVersion: 1, captures: {} }),
  migrations: {},
  check: (d) => (d.captures && typeof d.captures === 'object' ? null : '"captures" is missing'),
};

const failuresSpec: FileSpec<FailuresFile> = {
  current: 1,
  empty: () => ({ schemaVersion: 1, failures: {} }),
  migrations: {},
  check: (d) => (d.failures && typeof d.failures === 'object' ? null : '"failures" is missing'),
};

function hashOf(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

export interface Store {
  readonly dir: string;
  listHooks(): HookState[];
  draft(hook: HookName): Draft | null;
  saveDraft(hook: HookName, source: string, author: string): Promise<Draft>;
  /**
   * Publishes the draft (or `source`) as a new version. `check` compiles it: a failing check refuses the
   * publish with its error, and nothing changes.
   */
  publish(hook: HookName, o: { message: string; author: string; source?: string; check: (source: string) => Promise<HooklineError | null> }): Promise<StoreResult<Version>>;
  /** Makes an earlier version (default: the one before the published) published again, as a new version. */
  rollback(hook: HookName, o: { author: string; toVersion?: number }): Promise<StoreResult<Version>>;
  published(hook: HookName): Version | null;
  versions(hook: HookName): Version[];
  onPublished(listener: (hook: HookName, v: Version) => void): () => void;
  /** Cheap: kept in memory and written with the next flush. */
  capture(entry: Omit<Capture, 'id' | 'time'> & { time?: string }): void;
  captures(hook: HookName, o?: { limit?: number; ids?: string[] }): Capture[];
  recordFailure(hook: HookName, f: Omit<Failure, 'time'> & { time?: string }): void;
  failures(hook: HookName, o?: { since?: Date }): Failure[];
  flush(): Promise<void>;
  readonly fileWrites: { scripts: number; captures: number; failures: number };
  close(): Promise<void>;
}

export async function openStore(dir: string, opts: StoreOptions = {}): Promise<StoreResult<Store>> {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    return { ok: false, error: makeError('STORE_UNREADABLE', { path: dir, detail: (e as Error).message }) };
  }
  const s = await openDataFile(join(dir, 'scripts.json'), scriptsSpec);
  if (!s.ok) return s;
  const c = await openDataFile(join(dir, 'captures.json'), capturesSpec);
  if (!c.ok) return c;
  const f = await openDataFile(join(dir, 'failures.json'), failuresSpec);
  if (!f.ok) return f;
  return { ok: true, value: createStore(dir, s.file, c.file, f.file, opts) };
}

function createStore(dir: string, scripts: DataFile<ScriptsFile>, caps: DataFile<CapturesFile>, fails: DataFile<FailuresFile>, opts: StoreOptions): Store {
  const ring = opts.captureRing ?? 200;
  const failureLimit = opts.failureLimit ?? 500;
  const flushMs = opts.flushMs ?? 1000;
  const now = opts.now ?? (() => new Date());
  const listeners = new Set<(hook: HookName, v: Version) => void>();
  let dirtyCaptures = false;
  let dirtyFailures = false;
  let timer: NodeJS.Timeout | null = null;
  let seq = 0;

  const entry = (hook: HookName): HookScripts => (scripts.data.hooks[hook] ??= { draft: null, published: null, versions: [] });
  const publishedOf = (h: HookScripts) => (h.published === null ? null : (h.versions.find((v) => v.version === h.published) ?? null));

  function schedule() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, flushMs);
    timer.unref();
  }

  async function flush() {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    const jobs: Promise<void>[] = [];
    if (dirtyCaptures) {
      dirtyCaptures = false;
      jobs.push(caps.write());
    }
    if (dirtyFailures) {
      dirtyFailures = false;
      jobs.push(fails.write());
    }
    await Promise.all(jobs);
  }

  async function addVersion(hook: HookName, v: Omit<Version, 'version' | 'time' | 'hash'>): Promise<Version> {
    const h = entry(hook);
    const version: Version = { ...v, version: (h.versions.at(-1)?.version ?? 0) + 1, time: now().toISOString(), hash: hashOf(v.source) };
    h.versions.push(version);
    h.published = version.version;
    await scripts.write();
    for (const l of listeners) l(hook, version);
    return version;
  }

  return {
    dir,
    listHooks: () =>
      HOOK_NAMES.map((hook) => {
        const h = scripts.data.hooks[hook];
        const pub = h ? publishedOf(h) : null;
        return { hook, published: h?.published ?? null, draftChanged: !!h?.draft && h.draft.source !== pub?.source, versions: h?.versions.length ?? 0 };
      }),
    draft: (hook) => scripts.data.hooks[hook]?.draft ?? null,
    async saveDraft(hook, source, author) {
      const d: Draft = { source, updatedAt: now().toISOString(), author };
      entry(hook).draft = d;
      await scripts.write();
      return d;
    },
    async publish(hook, o) {
      const source = o.source ?? scripts.data.hooks[hook]?.draft?.source;
      if (source === undefined) return { ok: false, error: makeError('PUBLISH_REFUSED', { hook, detail: 'there is no draft to publish' }) };
      const problem = await o.check(source);
      if (problem) return { ok: false, error: makeError('PUBLISH_REFUSED', { hook, detail: `${problem.code}: ${problem.message}` }) };
      return { ok: true, value: await addVersion(hook, { author: o.author, message: o.message, source }) };
    },
    async rollback(hook, o) {
      const h = entry(hook);
      const current = h.published;
      const target = o.toVersion ?? h.versions.filter((v) => current === null || v.version < current).at(-1)?.version;
      const v = h.versions.find((x) => x.version === target);
      if (!v) return { ok: false, error: makeError('PUBLISH_REFUSED', { hook, detail: target === undefined ? 'there is no earlier version to roll back to' : `there is no version ${target}` }) };
      return { ok: true, value: await addVersion(hook, { author: o.author, message: `rollback to v${v.version}`, source: v.source, rollbackOf: v.version }) };
    },
    published: (hook) => {
      const h = scripts.data.hooks[hook];
      return h ? publishedOf(h) : null;
    },
    versions: (hook) => [...(scripts.data.hooks[hook]?.versions ?? [])],
    onPublished(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    capture(e) {
      if (opts.captureEnabled === false) return;
      const list = (caps.data.captures[e.hook] ??= []);
      list.push({ ...e, id: `${Date.now().toString(36)}-${(++seq).toString(36)}`, time: e.time ?? now().toISOString() });
      if (list.length > ring) list.splice(0, list.length - ring);
      dirtyCaptures = true;
      schedule();
    },
    captures(hook, o = {}) {
      let list = caps.data.captures[hook] ?? [];
      if (o.ids) list = list.filter((c) => o.ids?.includes(c.id));
      list = [...list].reverse();
      return o.limit ? list.slice(0, o.limit) : list;
    },
    recordFailure(hook, fl) {
      const list = (fails.data.failures[hook] ??= []);
      list.push({ ...fl, time: fl.time ?? now().toISOString() });
      if (list.length > failureLimit) list.splice(0, list.length - failureLimit);
      dirtyFailures = true;
      schedule();
    },
    failures(hook, o = {}) {
      const list = fails.data.failures[hook] ?? [];
      return o.since ? list.filter((x) => x.time >= (o.since as Date).toISOString()) : [...list];
    },
    flush,
    get fileWrites() {
      return { scripts: scripts.writes, captures: caps.writes, failures: fails.writes };
    },
    async close() {
      await flush();
    },
  };
}
