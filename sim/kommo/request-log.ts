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

/** How many records the log keeps by default; counters keep counting past it. */
export const DEFAULT_MAX_RECORDS = 10_000;

export class RequestLog {
  #records: KommoRequestRecord[] = [];
  #seq = 0;
  #max: number;
  #counters: KommoCounters = RequestLog.#zero();

  constructor(maxRecords = DEFAULT_MAX_RECORDS) {
    this.#max = maxRecords;
  }

  static #zero(): KommoCounters {
    return { requests: 0, byRoute: {}, byStatus: {}, status429: 0, status403: 0, faults: 0 };
  }

  start(r: Omit<KommoRequestRecord, 'seq' | 'status' | 'response' | 'fault'>): KommoRequestRecord {
    this.#seq += 1;
    const rec: KommoRequestRecord = { ...r, seq: this.#seq, status: null, fault: null, response: null };
    this.#records.push(rec);
    if (this.#records.length > this.#max) this.#records.splice(0, this.#records.length - this.#max);
    const c = this.#counters;
    c.requests += 1;
    c.byRoute[rec.route] = (c.byRoute[rec.route] ?? 0) + 1;
    return rec;
  }

  /** Records how the request ended: its status (null when it got no answer), response and fault. */
  settle(rec: KommoRequestRecord, status: number | null, response: unknown, fault: KommoRequestRecord['fault']): void {
    rec.status = status;
    rec.response = response === undefined ? null : structuredClone(response);
    rec.fault = fault;
    const c = this.#counters;
    const key = status === null ? 'none' : String(status);
    c.byStatus[key] = (c.byStatus[key] ?? 0) + 1;
    if (status === 429) c.status429 += 1;
    if (status === 403) c.status403 += 1;
    if (fault) c.faults += 1;
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
    return structuredClone(this.#counters);
  }

  clear(): void {
    this.#records = [];
    this.#counters = RequestLog.#zero();
  }
}
