/**
 * Every request the emulator received on the Kommo API (not its own /__sim routes), in order, with what it
 * answered, and counters by route and status. Tests assert on these; the demo prints the counters.
 */
import type { FaultKind } from './faults.ts';

export interface KommoRequestRecord {
  seq: number;
  /** When it arrived, in ms since the epoch on the emulator's clock. */
  time: number;
  method: string;
  path: string;
  query: Record<string, unknown>;
  /** The route it matched, `METHOD /pattern` (`PATCH /api/v4/contacts/:id`), or `METHOD *` for no route. */
  route: string;
  /** What was answered; null when nothing was (a timeout or reset fault, or still pending). */
  status: number | null;
  fault: FaultKind['kind'] | null;
  /** The request body: parsed JSON, the raw text when it was not JSON, or null. */
  body: unknown;
  /** The response body sent (null for 204 and unanswered requests). */
  response: unknown;
}

export interface KommoCounters {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  status429: number;
  status403: number;
  faults: number;
}

export interface RequestFilter {
  route?: string;
  method?: string;
  path?: string;
  status?: number;
  /** Only records with a seq above this one. */
  since?: number;
}

export class RequestLog {
  #records: KommoRequestRecord[] = [];
  #seq = 0;

  start(r: Omit<KommoRequestRecord, 'seq' | 'status' | 'response' | 'fault'>): KommoRequestRecord {
    this.#seq += 1;
    const rec: KommoRequestRecord = { ...r, seq: this.#seq, status: null, fault: null, response: null };
    this.#records.push(rec);
    return rec;
  }

  list(f: RequestFilter = {}): KommoRequestRecord[] {
    return structuredClone(this.#records.filter((r) =>
      (f.route === undefined || r.route === f.route)
      && (f.method === undefined || r.method === f.method.toUpperCase())
      && (f.path === undefined || r.path === f.path)
      && (f.status === undefined || r.status === f.status)
      && (f.since === undefined || r.seq > f.since)));
  }

  counters(): KommoCounters {
    const c: KommoCounters = { requests: 0, byRoute: {}, byStatus: {}, status429: 0, status403: 0, faults: 0 };
    for (const r of this.#records) {
      c.requests += 1;
      c.byRoute[r.route] = (c.byRoute[r.route] ?? 0) + 1;
      const s = r.status === null ? 'none' : String(r.status);
      c.byStatus[s] = (c.byStatus[s] ?? 0) + 1;
      if (r.status === 429) c.status429 += 1;
      if (r.status === 403) c.status403 += 1;
      if (r.fault) c.faults += 1;
    }
    return c;
  }

  clear(): void {
    this.#records = [];
  }
}
