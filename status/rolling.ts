/**
 * Fixed-size counters over time, and a bounded window of recent durations: what the status feeds write into.
 * Every write is O(1) and allocates nothing; reads (a snapshot, a few times a minute) do the summing.
 */

/**
 * Counts per time slot (a minute, an hour) in a ring of `slots` positions. Each position remembers which epoch
 * slot (`Math.floor(ms / slotMs)`) it holds: a write to a position holding an older slot starts it afresh, a
 * write older than what the position holds is dropped, and a read counts a position only if it holds the slot
 * asked for. So stale counts never leak into a sum, however long nothing was written.
 */
export interface RollingCounter {
  add(at: number, n?: number): void;
  /** Sum over epoch slots [from, to] inclusive (slot numbers, `Math.floor(ms / slotMs)`). */
  sum(fromSlot: number, toSlot: number): number;
  readonly slotMs: number;
}

export function createRollingCounter(slotMs: number, slots: number): RollingCounter {
  const epoch = new Float64Array(slots).fill(-1);
  const counts = new Float64Array(slots);
  const index = (slot: number) => ((slot % slots) + slots) % slots;
  return {
    slotMs,
    add(at, n = 1) {
      if (!Number.isFinite(at)) return;
      const slot = Math.floor(at / slotMs);
      const i = index(slot);
      const held = epoch[i] as number;
      if (held === slot) counts[i] = (counts[i] as number) + n;
      else if (held < slot) {
        // The ring came round: this position held an older slot.
        epoch[i] = slot;
        counts[i] = n;
      }
      // held > slot: an event older than the ring's span; dropped.
    },
    sum(fromSlot, toSlot) {
      let s = 0;
      for (let slot = Math.max(fromSlot, toSlot - slots + 1); slot <= toSlot; slot++) {
        const i = index(slot);
        if (epoch[i] === slot) s += counts[i] as number;
      }
      return s;
    },
  };
}

/** The last `size` values written (a ring), for percentiles over a bounded recent window. */
export interface RecentWindow {
  push(v: number): void;
  /** Nearest-rank percentile (p in 0..100) of the values held; null when empty. */
  percentile(p: number): number | null;
  readonly count: number;
}

export function createRecentWindow(size: number): RecentWindow {
  const values = new Float64Array(size);
  let next = 0;
  let count = 0;
  return {
    get count() {
      return count;
    },
    push(v) {
      if (!Number.isFinite(v) || v < 0) return;
      values[next] = v;
      next = (next + 1) % size;
      if (count < size) count++;
    },
    percentile(p) {
      if (count === 0) return null;
      const sorted = values.slice(0, count).sort();
      // Nearest rank: the smallest value with at least p% of the values at or below it.
      const rank = Math.min(count, Math.max(1, Math.ceil((p / 100) * count)));
      return sorted[rank - 1] as number;
    },
  };
}
