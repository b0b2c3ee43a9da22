/**
 * Bounded bookkeeping by recency: a Map's insertion order is its recency, so a key is moved to the end on use
 * and the first keys are dropped past `max`. For the host-side records of which script went where (a draft
 * edited all day makes a new hash per replay); forgetting one only costs sending or warming it again.
 */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  map.delete(key);
  map.set(key, value);
  for (const old of map.keys()) {
    if (map.size <= max) break;
    map.delete(old);
  }
  return value;
}

/** The same for a Set. */
export function rememberKey<K>(set: Set<K>, key: K, max: number): void {
  set.delete(key);
  set.add(key);
  for (const old of set) {
    if (set.size <= max) break;
    set.delete(old);
  }
}
