/**
 * Single entities read by id (a contact with its leads, a lead, a company), kept for a short time. The registrar
 * reads the client's contact and each of its leads for every call (the lead step), so a burst of calls from one
 * client asked Kommo for the same data dozens of times in seconds (48 calls: 30 identical reads) — the "suspicious
 * activity" after which Kommo blocks the IP (https://developers.kommo.com/docs/limitations). An entry goes when it
 * is older than the TTL, and whenever hookline writes to that entity or links a new lead to it (even when the write
 * failed or may not have landed), so hookline never reads back its own stale picture; a change made in Kommo by a
 * person shows after at most the TTL, as for the phone cache.
 */

export type CachedKind = 'contacts' | 'leads' | 'companies';

export interface ReadCache {
  get<T>(kind: CachedKind, id: number): T | null | undefined;
  set(kind: CachedKind, id: number, value: unknown): void;
  forget(kind: CachedKind, ids: Iterable<number>): void;
  clear(): void;
  size(): number;
}

export function createReadCache(o: { ttlMs: number; now: () => number; maxEntries?: number }): ReadCache {
  const max = o.maxEntries ?? 10_000;
  const entries = new Map<string, { at: number; value: unknown }>();
  return {
    get<T>(kind: CachedKind, id: number) {
      if (o.ttlMs <= 0) return undefined;
      const e = entries.get(`${kind}/${id}`);
      if (!e) return undefined;
      if (o.now() - e.at >= o.ttlMs) {
        entries.delete(`${kind}/${id}`);
        return undefined;
      }
      return structuredClone(e.value) as T | null;
    },
    set(kind, id, value) {
      if (o.ttlMs <= 0) return;
      entries.delete(`${kind}/${id}`);
      entries.set(`${kind}/${id}`, { at: o.now(), value: structuredClone(value) });
      while (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
    forget(kind, ids) {
      for (const id of ids) entries.delete(`${kind}/${id}`);
    },
    clear: () => entries.clear(),
    size: () => entries.size,
  };
}
