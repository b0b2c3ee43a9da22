/**
 * Drafts, versions and the published pointer of each hook (scripts.json). Versions are immutable and numbered
 * from 1 per hook. A publish or a rollback appends a version and points `published` at it, so the history
 * reads as what the engine ran, in order: a rollback is a new version carrying the old source and
 * `rollbackOf`, never a silent move of the pointer. Every change is on disk before it is visible.
 */
import { HOOK_NAMES, makeError, type HookName, type HooklineError } from '../contracts/index.ts';
import type { Logger } from '../log/index.ts';
import type { DataFile } from './data-file.ts';
import type { JsonFileSpec } from './json-adapter.ts';
import { hashOf, scriptsMigrations } from './migrations.ts';
import { ScriptsFileSchema, type Draft, type HookScripts, type ScriptsFile, type Version } from './schema.ts';

export const SCRIPTS_SCHEMA = 1;

export const scriptsFileSpec: JsonFileSpec = { current: SCRIPTS_SCHEMA, schema: ScriptsFileSchema, migrations: scriptsMigrations };
export const emptyScripts = (): ScriptsFile => ({ schemaVersion: SCRIPTS_SCHEMA, hooks: {} });

export type StoreResult<T> = { ok: true; value: T } | { ok: false; error: HooklineError };

/** Compiles (or otherwise checks) a source: an error value refuses the publish, null lets it through. */
export type PublishCheck = (source: string) => HooklineError | null | Promise<HooklineError | null>;

export interface PublishOptions {
  message: string;
  author: string;
  /** The source to publish; default: the hook's draft. */
  source?: string;
  check: PublishCheck;
}

export interface RollbackOptions {
  author: string;
  /** The version to publish again; default: the newest version older than the published one. */
  toVersion?: number;
  /** Back to the built-in default whatever the history holds (not with toVersion): an entry with `toDefault`. */
  toDefault?: boolean;
}

export interface HookScriptState {
  hook: HookName;
  /** The published version's number; null: none (the hook's default is used). */
  published: number | null;
  /** A draft exists and its source differs from the published source. */
  draftChanged: boolean;
  /** How many versions the history holds. */
  versions: number;
}

const NO_SCRIPTS: HookScripts = { draft: null, published: null, versions: [] };

export function createScripts(file: DataFile<ScriptsFile>, now: () => Date, log: Logger) {
  const listeners = new Set<(hook: HookName, v: Version) => void>();
  const of = (hook: HookName): HookScripts => file.data.hooks[hook] ?? NO_SCRIPTS;
  const publishedOf = (h: HookScripts) => (h.published === null ? null : (h.versions.find((v) => v.version === h.published) ?? null));
  const withHook = (data: ScriptsFile, hook: HookName, h: HookScripts): ScriptsFile => ({ ...data, hooks: { ...data.hooks, [hook]: h } });

  /** Writes failed: the error value names the file (memory was left as it was). */
  const writeFailed = (e: unknown): { ok: false; error: HooklineError } => ({
    ok: false,
    error: makeError('STORE_UNREADABLE', { path: file.path, detail: (e as Error).message }),
  });

  /** Appends a version and makes it the published one; an entry with `toDefault` leaves no version published. */
  async function append(hook: HookName, v: Omit<Version, 'version' | 'time' | 'hash'>): Promise<StoreResult<Version>> {
    let added: Version | undefined;
    try {
      await file.update((data) => {
        const h = data.hooks[hook] ?? NO_SCRIPTS;
        const version: Version = { ...v, version: (h.versions.at(-1)?.version ?? 0) + 1, time: now().toISOString(), hash: hashOf(v.source) };
        added = version;
        return withHook(data, hook, { ...h, published: version.toDefault ? null : version.version, versions: [...h.versions, version] });
      });
    } catch (e) {
      return writeFailed(e);
    }
    const version = added as Version;
    for (const l of listeners) {
      // A listener's fault is its own: the version is published, and the other listeners still hear of it.
      try {
        l(hook, version);
      } catch (e) {
        log.error({ hook, version: version.version, err: (e as Error).message }, `a listener of published versions failed on ${hook} v${version.version}`);
      }
    }
    return { ok: true, value: version };
  }

  return {
    listHooks: (): HookScriptState[] =>
      HOOK_NAMES.map((hook) => {
        const h = of(hook);
        const pub = publishedOf(h);
        return { hook, published: h.published, draftChanged: h.draft !== null && h.draft.source !== pub?.source, versions: h.versions.length };
      }),
    draft: (hook: HookName): Draft | null => of(hook).draft,
    published: (hook: HookName): Version | null => publishedOf(of(hook)),
    versions: (hook: HookName): Version[] => [...of(hook).versions],

    /** Saves the draft (the engine never runs it). Rejects only when the file cannot be written. */
    async saveDraft(hook: HookName, source: string, author: string): Promise<Draft> {
      const draft: Draft = { source, updatedAt: now().toISOString(), author };
      await file.update((data) => withHook(data, hook, { ...(data.hooks[hook] ?? NO_SCRIPTS), draft }));
      return draft;
    },

    /** The source is checked before anything changes; the check's own error (e.g. COMPILE_ERROR) refuses it. */
    async publish(hook: HookName, o: PublishOptions): Promise<StoreResult<Version>> {
      const source = o.source ?? of(hook).draft?.source;
      if (source === undefined) return { ok: false, error: makeError('PUBLISH_REFUSED', { hook, detail: 'there is no draft to publish' }) };
      const problem = await o.check(source);
      if (problem) return { ok: false, error: problem };
      return append(hook, { author: o.author, message: o.message, source });
    },

    async rollback(hook: HookName, o: RollbackOptions): Promise<StoreResult<Version>> {
      const h = of(hook);
      const current = h.published;
      // The entries that returned to the default are history, never a version to go back to.
      const real = h.versions.filter((v) => !v.toDefault);
      const earlier = real.filter((v) => current === null || v.version < current).at(-1)?.version;
      if (o.toDefault) {
        if (current === null) return { ok: false, error: makeError('PUBLISH_REFUSED', { hook, detail: 'the built-in default already runs: no version is published' }) };
        return append(hook, { author: o.author, message: `back to the built-in default (v${current} no longer runs)`, source: '', toDefault: true });
      }
      const target = o.toVersion ?? earlier;
      const old = real.find((x) => x.version === target);
      if (!old) {
        const detail = target === undefined ? 'there is no earlier version to roll back to' : `there is no version ${target}`;
        return { ok: false, error: makeError('PUBLISH_REFUSED', { hook, detail }) };
      }
      if (old.version === current) return { ok: false, error: makeError('PUBLISH_REFUSED', { hook, detail: `version ${current} is already the published one` }) };
      return append(hook, { author: o.author, message: `rollback to v${old.version}`, source: old.source, rollbackOf: old.version });
    },

    /** Drops the draft: the hook opens with its published source, or its template. */
    async clearDraft(hook: HookName): Promise<void> {
      if (of(hook).draft === null) return;
      await file.update((data) => withHook(data, hook, { ...(data.hooks[hook] ?? NO_SCRIPTS), draft: null }));
    },

    /** Called after each publish or rollback is on disk (a return to the default too: `toDefault`); returns the unsubscribe function. */
    onPublished(listener: (hook: HookName, v: Version) => void): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
