/**
 * Where stories are kept: `<dataDir>/stories/` (one record per call: summary, stages, hooks, Kommo) and
 * `<dataDir>/stories/events/` (the call's events, kept for fewer calls when `eventsCalls` says so), each a
 * segment log within the configured bounds (segment-log.ts). The index of summaries lives in memory for the
 * list; a story's body is read from its segment when asked for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../durable/index.ts';
import type { KommoExchange } from '../engine/kommo/index.ts';
import type { AmiMessage } from '../ami-wire/index.ts';
import { openSegmentLog, type SegmentLog } from './segment-log.ts';
import type { Story, StoryQuery, StorySummary } from './types.ts';

export interface StoryBounds {
  /** Stories kept (the newest). */
  maxCalls: number;
  /** Stories older than this many days go. */
  maxDays: number;
  /** Bytes on disk for stories and events together (each log gets half). */
  maxBytes: number;
  /** Calls whose events are kept (the newest), at most maxCalls. */
  eventsCalls: number;
  fsync?: boolean;
}

export const DEFAULT_STORY_BOUNDS: StoryBounds = { maxCalls: 10_000, maxDays: 30, maxBytes: 512 * 1024 * 1024, eventsCalls: 2_000 };

export interface StoryStore {
  /** Queues a story (its body JSON made when written) and its events; nothing is written on the caller's path. */
  add(summary: StorySummary, body: () => string, events: AmiMessage[] | null): void;
  /** Newest first. */
  list(q?: StoryQuery): StorySummary[];
  get(linkedid: string): Story | null;
  events(linkedid: string): AmiMessage[] | null;
  /** Removes the stories (and events) of calls that started before `before` from disk. */
  purge(before: number): Promise<{ stories: number; events: number }>;
  /** The account reads made for no call (users, pipelines, fields), kept for a dry run from the command line. */
  saveAccount(reads: KommoExchange[]): void;
  account(): KommoExchange[];
  flush(): Promise<void>;
  stats(): { stories: ReturnType<SegmentLog<StorySummary>['stats']>; events: ReturnType<SegmentLog<{ n: number }>['stats']> };
  dir: string;
  close(): Promise<void>;
}

export function storiesDir(dataDir: string): string {
  return join(dataDir, 'stories');
}

export function openStoryStore(dataDir: string, bounds: StoryBounds = DEFAULT_STORY_BOUNDS, o: { now?: () => number; onError?: (m: string) => void; flushMs?: number; readOnly?: boolean } = {}): StoryStore {
  const dir = storiesDir(dataDir);
  const maxAgeMs = bounds.maxDays * 86_400_000;
  const common = { maxAgeMs, ...(bounds.fsync !== undefined ? { fsync: bounds.fsync } : {}), ...(o.now ? { now: o.now } : {}), ...(o.onError ? { onError: o.onError } : {}), ...(o.flushMs !== undefined ? { flushMs: o.flushMs } : {}), ...(o.readOnly ? { readOnly: true } : {}) };
  const stories = openSegmentLog<StorySummary>({ dir, maxRecords: bounds.maxCalls, maxBytes: Math.floor(bounds.maxBytes / 2), ...common });
  const events = openSegmentLog<{ n: number }>({ dir: join(dir, 'events'), maxRecords: Math.min(bounds.eventsCalls, bounds.maxCalls), maxBytes: Math.floor(bounds.maxBytes / 2), ...common });

  const accountFile = join(dir, 'account.json');
  let saving: Promise<unknown> = Promise.resolve();
  return {
    dir,
    saveAccount(reads) {
      const text = JSON.stringify(reads);
      saving = saving.then(() => writeFileAtomic(accountFile, text)).catch((e: unknown) => o.onError?.(`could not save ${accountFile}: ${String(e)}`));
    },
    account() {
      try {
        return JSON.parse(readFileSync(accountFile, 'utf8')) as KommoExchange[];
      } catch {
        return [];
      }
    },
    add(summary, body, evs) {
      stories.append(summary.linkedid, summary.at, summary, body);
      if (evs && evs.length && bounds.eventsCalls > 0) events.append(summary.linkedid, summary.at, { n: evs.length }, () => JSON.stringify(evs));
    },
    list(q = {}) {
      const limit = Math.max(1, Math.min(q.limit ?? 50, 1000));
      const digits = q.number?.replace(/\D/g, '') ?? '';
      const out: StorySummary[] = [];
      for (const e of stories.entries()) {
        const s = e.meta;
        if (q.before !== undefined && !(s.at < q.before)) continue;
        if (q.outcome && s.outcome !== q.outcome) continue;
        if (q.direction && s.direction !== q.direction) continue;
        if (q.answered !== undefined && s.answered !== q.answered) continue;
        if (digits && !s.from.replace(/\D/g, '').includes(digits) && !s.to.replace(/\D/g, '').includes(digits)) continue;
        // events kept for fewer calls than stories: say how many are still there
        out.push({ ...s, events: events.entry(s.linkedid) ? s.events : 0 });
        if (out.length >= limit) break;
      }
      return out;
    },
    get(linkedid) {
      const body = stories.read(linkedid) as Story | null;
      if (!body) return null;
      return { ...body, summary: { ...body.summary, events: events.entry(linkedid) ? (stories.entry(linkedid)?.meta.events ?? 0) : 0 } };
    },
    events: (linkedid) => (events.read(linkedid) as AmiMessage[] | null) ?? null,
    async purge(before) {
      return { stories: await stories.purge(before), events: await events.purge(before) };
    },
    async flush() {
      await saving;
      await stories.flush();
      await events.flush();
    },
    stats: () => ({ stories: stories.stats(), events: events.stats() }),
    async close() {
      await saving;
      await stories.close();
      await events.close();
    },
  };
}
