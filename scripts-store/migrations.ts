/**
 * Forward migrations of the scripts file. migrations[n] turns version n into n + 1; the reader applies them in
 * order and data-file.ts keeps the original as `scripts.json.v<n>.bak` before writing the result.
 */
import { createHash } from 'node:crypto';
import type { Migrations } from './json-adapter.ts';
import type { HookScripts, Version } from './schema.ts';

export function hashOf(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

/**
 * v0, the layout before schema versions: one key per hook, holding the live source and its history, oldest
 * first; no drafts, no authors, no version numbers.
 *   { "<hook>": { "source": "...", "history": [{ "source", "time"?, "message"?, "author"? }] } }
 * The history becomes versions 1..n and the live source is the published one: the history entry with that
 * source (the newest such), or, when the history lacks it, one more version holding it.
 */
function v0ToV1(old: Record<string, unknown>): Record<string, unknown> {
  const hooks: Record<string, HookScripts> = {};
  for (const [hook, value] of Object.entries(old)) {
    if (value === null || typeof value !== 'object') throw new Error(`"${hook}" is not an object`);
    const h = value as { source?: unknown; history?: unknown };
    if (h.history !== undefined && !Array.isArray(h.history)) throw new Error(`"${hook}".history is not a list`);
    const history = (h.history ?? []) as { source?: unknown; time?: unknown; message?: unknown; author?: unknown }[];
    const versions: Version[] = history.map((x, i) => {
      if (typeof x?.source !== 'string') throw new Error(`"${hook}".history[${i}].source is not a string`);
      return {
        version: i + 1,
        time: typeof x.time === 'string' ? x.time : new Date(0).toISOString(),
        author: typeof x.author === 'string' ? x.author : 'unknown',
        message: typeof x.message === 'string' ? x.message : 'from the file before schema versions',
        source: x.source,
        hash: hashOf(x.source),
      };
    });
    let published: number | null = versions.at(-1)?.version ?? null;
    if (typeof h.source === 'string') {
      const live = versions.findLast((v) => v.source === h.source);
      if (live) published = live.version;
      else {
        published = versions.length + 1;
        versions.push({ version: published, time: new Date(0).toISOString(), author: 'unknown', message: 'the live script of the file before schema versions', source: h.source, hash: hashOf(h.source) });
      }
    }
    hooks[hook] = { draft: null, published, versions };
  }
  return { hooks };
}

export const scriptsMigrations: Migrations = { 0: v0ToV1 };
