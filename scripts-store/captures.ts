/**
 * The inputs the engine gave each hook, kept for replay: a ring per hook (the oldest entry leaves when it is
 * full), in memory and in captures.json, written by the store's flush, never on the call path.
 *
 * capture() takes a JSON snapshot of the entry at once (the engine may reuse its objects afterwards) and keeps
 * that text, so a flush joins ready strings instead of serialising every entry again: a full default ring
 * (13 hooks x 200) is ~4 MB, which takes ~25 ms to serialise whole, a pause the call path would feel.
 */
import { randomUUID } from 'node:crypto';
import type { HookName } from '../contracts/index.ts';
import type { FileSpec } from './data-file.ts';
import { CapturesFileSchema, type Capture, type CapturesFile } from './schema.ts';

export const CAPTURES_SCHEMA = 1;

/** What the caller gives: the rest (id, and time when left out) the store fills in. */
export type CaptureInput = Omit<Capture, 'id' | 'time'> & { time?: string };

/** The JSON of each entry, kept from capture (or the first flush after open) until it leaves the ring. */
const texts = new WeakMap<Capture, string>();

function textOf(c: Capture): string {
  let t = texts.get(c);
  if (t === undefined) {
    t = JSON.stringify(c);
    texts.set(c, t);
  }
  return t;
}

export const capturesSpec: FileSpec<CapturesFile> = {
  current: CAPTURES_SCHEMA,
  schema: CapturesFileSchema,
  empty: () => ({ schemaVersion: CAPTURES_SCHEMA, captures: {} }),
  migrations: {},
  stringify: (d) => {
    const hooks = Object.entries(d.captures).map(([hook, list]) => `${JSON.stringify(hook)}:[${list.map(textOf).join(',')}]`);
    return `{"schemaVersion":${d.schemaVersion},"captures":{${hooks.join(',')}}}`;
  },
};

export interface CaptureOptions {
  /** Entries kept per hook. */
  ring: number;
  enabled: boolean;
  now: () => Date;
  /** The ring changed: the store schedules a flush. */
  changed: () => void;
  /** An input that is not JSON (a BigInt, a cycle) is not captured; the call goes on. */
  dropped: (hook: HookName, err: Error) => void;
}

export function createCaptures(data: () => CapturesFile, o: CaptureOptions) {
  return {
    capture(e: CaptureInput): void {
      if (!o.enabled) return;
      const entry = { id: randomUUID(), hook: e.hook, time: e.time ?? o.now().toISOString(), linkedid: e.linkedid, input: e.input, now: e.now, seed: e.seed };
      let text: string;
      try {
        text = JSON.stringify(entry);
      } catch (err) {
        o.dropped(e.hook, err as Error);
        return;
      }
      const snapshot = JSON.parse(text) as Capture;
      texts.set(snapshot, text);
      const list = (data().captures[e.hook] ??= []);
      list.push(snapshot);
      if (list.length > o.ring) list.splice(0, list.length - o.ring);
      o.changed();
    },

    /** Newest first. `ids` picks entries; `limit` keeps the first N. The entries are shared: do not change them. */
    captures(hook: HookName, q: { limit?: number; ids?: string[] } = {}): Capture[] {
      let list = data().captures[hook] ?? [];
      if (q.ids) {
        const wanted = new Set(q.ids);
        list = list.filter((c) => wanted.has(c.id));
      }
      const newestFirst = list.toReversed();
      return q.limit !== undefined && q.limit > 0 ? newestFirst.slice(0, q.limit) : newestFirst;
    },
  };
}
