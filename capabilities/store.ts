/**
 * store.get(key) / store.set(key, value, {ttlSeconds}): a small key-value store per hook, one JSON file per hook
 * in the data folder (`<dataDir>/hook-store/<hook>.json`), kept in memory and written whole on every set with
 * durable/'s atomic write (temp + fsync + rename), one write at a time per hook: a crash leaves the file as it
 * was before or after a set, never torn. Keys up to 200 characters, values plain JSON within the grant's
 * `maxValueBytes`, at most `maxKeys` keys; a value `null` (or undefined) deletes the key; expired keys read as
 * null and are dropped at the next write.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSerialQueue, writeFileAtomic } from '../durable/index.ts';
import { capError } from './errors.ts';

const MAX_KEY_CHARS = 200;

interface Entry {
  /** The value's JSON text. */
  v: string;
  /** Epoch ms it expires at, or null. */
  exp: number | null;
}

export interface HookStore {
  /** The value's JSON text, or "null" when absent or expired. */
  get(hook: string, key: unknown): string;
  set(hook: string, key: unknown, valueJson: string, ttlSeconds: unknown, limits: { maxKeys: number; maxValueBytes: number }): Promise<void>;
}

export function createHookStore(dir: string, now: () => number = Date.now): HookStore {
  const hooks = new Map<string, Map<string, Entry>>();
  const queues = new Map<string, ReturnType<typeof createSerialQueue>>();
  const fileOf = (hook: string) => join(dir, `${hook}.json`);

  function load(hook: string): Map<string, Entry> {
    let m = hooks.get(hook);
    if (m) return m;
    m = new Map();
    try {
      const data = JSON.parse(readFileSync(fileOf(hook), 'utf8')) as { entries?: Record<string, Entry> };
      for (const [k, e] of Object.entries(data.entries ?? {})) if (typeof e?.v === 'string') m.set(k, { v: e.v, exp: typeof e.exp === 'number' ? e.exp : null });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw capError('STORE_LIMIT', `store: ${fileOf(hook)} could not be read (${(e as Error).message}); move it aside to start the hook's store afresh`);
    }
    hooks.set(hook, m);
    return m;
  }

  const checkKey = (key: unknown): string => {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) {
      throw capError('CAPABILITY_BAD_ARGUMENT', `store: a key is a string of 1 to ${MAX_KEY_CHARS} characters`);
    }
    return key;
  };

  return {
    get(hook, key) {
      const e = load(hook).get(checkKey(key));
      return e && (e.exp === null || e.exp > now()) ? e.v : 'null';
    },
    async set(hook, key, valueJson, ttlSeconds, limits) {
      const k = checkKey(key);
      const m = load(hook);
      const t = now();
      for (const [name, e] of m) if (e.exp !== null && e.exp <= t) m.delete(name);
      if (valueJson === 'null') m.delete(k);
      else {
        const size = Buffer.byteLength(valueJson);
        if (size > limits.maxValueBytes) throw capError('STORE_LIMIT', `store: the value of ${JSON.stringify(k)} is ${size} bytes, over the grant's maxValueBytes (${limits.maxValueBytes})`);
        if (!m.has(k) && m.size >= limits.maxKeys) throw capError('STORE_LIMIT', `store: the hook's store holds ${m.size} keys, its maxKeys; set a key to null to delete it, or give keys a ttlSeconds`);
        const ttl = ttlSeconds === undefined || ttlSeconds === null ? null : Number(ttlSeconds);
        if (ttl !== null && !(ttl > 0 && Number.isFinite(ttl))) throw capError('CAPABILITY_BAD_ARGUMENT', 'store: ttlSeconds is a positive number of seconds');
        m.set(k, { v: valueJson, exp: ttl === null ? null : t + ttl * 1000 });
      }
      const text = JSON.stringify({ schemaVersion: 1, entries: Object.fromEntries(m) });
      let q = queues.get(hook);
      if (!q) queues.set(hook, (q = createSerialQueue()));
      await q(async () => {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        await writeFileAtomic(fileOf(hook), text);
      });
    },
  };
}
