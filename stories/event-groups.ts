/**
 * The events of each call, as they arrive: grouped by every channel and call id they name (Uniqueid, Linkedid,
 * DestUniqueid, BridgeUniqueid, the transfer ids, CEL's UniqueID and LinkedID), so a channel that a transfer
 * moves to another call, or two calls bridged together, end up in one group. A call's capture is its group's
 * events: replayed, they rebuild the call (and perhaps its neighbours, which a replay reports beside it).
 * Cheap on the call path: a scan of the header names and a push; a group goes when every call in it has ended,
 * or when it has been quiet for `idleMs`.
 */
import type { AmiMessage } from '../ami-wire/index.ts';
import { knownBlock, type TrackerKnown } from '../engine/tracker/index.ts';

interface Group {
  events: { seq: number; msg: AmiMessage }[];
  ids: Set<string>;
  linkedids: Set<string>;
  ended: Set<string>;
  last: number;
  truncated: boolean;
  /** What the tracker knew when the group's first event came (endpoint → extension, guessed trunks). */
  known: TrackerKnown | null;
  first: number;
}

export interface EventGroups {
  add(msg: AmiMessage): void;
  /** The events of the call's group so far (a copy), and the call marked ended; null when none was seen. */
  take(linkedid: string): { events: AmiMessage[]; truncated: boolean } | null;
  size(): number;
}

const ID_KEY = /(uniqueid|linkedid)$/i;
const LINKED_KEY = /linkedid$/i;

export function createEventGroups(o: { maxEvents?: number; idleMs?: number; now?: () => number; known?: () => TrackerKnown | null } = {}): EventGroups {
  const maxEvents = o.maxEvents ?? 5_000;
  const idleMs = o.idleMs ?? 3_600_000;
  const now = o.now ?? Date.now;
  const byId = new Map<string, Group>();
  let seq = 0;
  let taken = 0;

  function merge(a: Group, b: Group): Group {
    const [big, small] = a.events.length >= b.events.length ? [a, b] : [b, a];
    if (small.events.length) big.events = [...big.events, ...small.events].sort((x, y) => x.seq - y.seq);
    for (const id of small.ids) {
      big.ids.add(id);
      byId.set(id, big);
    }
    for (const l of small.linkedids) big.linkedids.add(l);
    for (const l of small.ended) big.ended.add(l);
    big.truncated ||= small.truncated;
    big.last = Math.max(big.last, small.last);
    if (small.first < big.first) {
      big.first = small.first;
      big.known = small.known;
    }
    return big;
  }

  function snapshot(): TrackerKnown | null {
    const k = o.known?.();
    return k && (k.phones.size || k.guessed.size) ? { phones: new Map(k.phones), guessed: new Set(k.guessed) } : null;
  }

  function sweep(): void {
    const old = now() - idleMs;
    for (const [id, g] of byId) if (g.last < old) byId.delete(id);
  }

  return {
    add(msg) {
      const ids: string[] = [];
      const linked: string[] = [];
      for (const key in msg) {
        if (!ID_KEY.test(key)) continue;
        const v = msg[key];
        if (typeof v !== 'string' || v === '' || v === '<unknown>') continue;
        ids.push(v);
        if (LINKED_KEY.test(key)) linked.push(v);
      }
      if (ids.length === 0) return;
      let group: Group | null = null;
      for (const id of ids) {
        const found = byId.get(id);
        if (found) group = group && group !== found ? merge(group, found) : found;
      }
      const g: Group = group ?? { events: [], ids: new Set(), linkedids: new Set(), ended: new Set(), last: 0, truncated: false, known: snapshot(), first: seq + 1 };
      for (const id of ids) {
        if (g.ids.has(id)) continue;
        g.ids.add(id);
        byId.set(id, g);
      }
      for (const l of linked) g.linkedids.add(l);
      g.last = now();
      if (g.events.length < maxEvents) g.events.push({ seq: ++seq, msg });
      else g.truncated = true;
    },
    take(linkedid) {
      const g = byId.get(linkedid);
      if (++taken % 100 === 0) sweep();
      if (!g) return null;
      g.ended.add(linkedid);
      g.linkedids.add(linkedid);
      const events = g.events.map((e) => e.msg);
      const channels = g.known ? events.flatMap((m) => [m.Channel, m.DestChannel].flat().filter((c): c is string => typeof c === 'string')) : [];
      const block = g.known ? knownBlock(g.known, channels) : null;
      const out = { events: block ? [block, ...events] : events, truncated: g.truncated };
      if ([...g.linkedids].every((l) => g.ended.has(l))) for (const id of g.ids) byId.delete(id);
      return out;
    },
    size: () => new Set(byId.values()).size,
  };
}
