/**
 * The inputs the engine gave each hook, kept for replay: a ring per hook (the oldest entry leaves when it is
 * full), in memory and in captures.jsonl, written by the store's flush, never on the call path.
 *
 * capture() takes a JSON snapshot of the entry at once (the engine may reuse its objects afterwards) and keeps
 * its bytes, so writing hands the file the entries' own buffers (writev) instead of serialising them again:
 * JSON.stringify of a full default ring (13 hooks x 200, ~4 MB) blocks the event loop for 25-60 ms on the 2-core
 * VM, a pause the call path would feel; handing over the buffers takes under 1 ms.
 */
import { randomUUID } from 'node:crypto';
import type { HookName } from '../contracts/index.ts';
import type { RingLog, RingLogSpec } from './ring-log-adapter.ts';
import { CaptureSchema, type Capture } from './schema.ts';

export const CAPTURES_SCHEMA = 1;

/** What the caller gives: the rest (id, and time when left out) the store fills in. */
export type CaptureInput = Omit<Capture, 'id' | 'time'> & { time?: string };

/** The JSON bytes of each entry, from capture (or open) until it leaves the ring. */
const bytes = new WeakMap<Capture, Buffer>();

function bytesOf(c: Capture): Buffer {
  let b = bytes.get(c);
  if (b === undefined) {
    b = Buffer.from(JSON.stringify(c));
    bytes.set(c, b);
  }
  return b;
}

export const capturesLogSpec: RingLogSpec<Capture> = {
  kind: 'captures',
  current: CAPTURES_SCHEMA,
  entry: CaptureSchema,
  entryBytes: bytesOf,
  // An entry read from the file keeps its text from there: no serialising the ring again at open or compaction.
  readEntry: (c, json) => bytes.set(c, Buffer.from(json)),
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

export function createCaptures(data: () => RingLog<Capture>, o: CaptureOptions) {
  return {
    capture(e: CaptureInput): void {
      if (!o.enabled) return;
      const entry = { id: randomUUID(), hook: e.hook, time: e.time ?? o.now().toISOString(), linkedid: e.linkedid, input: e.input, now: e.now, seed: e.seed, ...(e.calls?.length ? { calls: e.calls } : {}) };
      let text: string;
      try {
        text = JSON.stringify(entry);
      } catch (err) {
        o.dropped(e.hook, err as Error);
        return;
      }
      const snapshot = JSON.parse(text) as Capture;
      bytes.set(snapshot, Buffer.from(text));
      const list = (data().byHook[e.hook] ??= []);
      list.push(snapshot);
      if (list.length > o.ring) list.splice(0, list.length - o.ring);
      o.changed();
    },

    /** Newest first. `ids` picks entries; `limit` keeps the first N. The entries are shared: do not change them. */
    captures(hook: HookName, q: { limit?: number; ids?: string[] } = {}): Capture[] {
      let list = data().byHook[hook] ?? [];
      if (q.ids) {
        const wanted = new Set(q.ids);
        list = list.filter((c) => wanted.has(c.id));
      }
      const newestFirst = list.toReversed();
      return q.limit !== undefined && q.limit > 0 ? newestFirst.slice(0, q.limit) : newestFirst;
    },
  };
}
