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
/**
 * How much of request and response bodies (their JSON length) the log keeps by default. A record is as large
 * as what was answered: a list of 250 tasks is ~100 KB, and in the demo the list a missed call reads grows with
 * every task written, so a count alone let the log reach a gigabyte.
 */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

const jsonLength = (v: unknown): number => (v === null || v === undefined ? 0 : (JSON.stringify(v)?.length ?? 0));

export class RequestLog {
  #records: KommoRequestRecord[] = [];
  /** The JSON length of each record's body and response, by record. */
  #sizes = new WeakMap<KommoRequestRecord, number>();
  #bytes = 0;
  #seq = 0;
  #max: number;
  #maxBytes: number;
  #counters: KommoCounters = RequestLog.#zero();

  constructor(maxRecords = DEFAULT_MAX_RECORDS, maxBytes = DEFAULT_MAX_BYTES) {
    this.#max = maxRecords;
    this.#maxBytes = maxBytes;
  }

  #grow(rec: KommoRequestRecord, bytes: number): void {
    this.#sizes.set(rec, (this.#sizes.get(rec) ?? 0) + bytes);
    this.#bytes += bytes;
    this.#trim();
  }

  /** Drops the oldest records past the count or the bytes (the newest one is always kept). */
  #trim(): void {
    let drop = 0;
    let bytes = this.#bytes;
    const n = this.#records.length;
    while (drop < n - 1 && (n - drop > this.#max || bytes > this.#maxBytes)) {
      bytes -= this.#sizes.get(this.#records[drop] as KommoRequestRecord) ?? 0;
      drop++;
    }
    if (drop === 0) return;
    for (const r of this.#records.splice(0, drop)) this.#sizes.delete(r);
    this.#bytes = bytes;
  }

  static #zero(): KommoCounters {
    return { requests: 0, byRoute: {}, byStatus: {}, status429: 0, status403: 0, faults: 0 };
  }

  start(r: Omit<KommoRequestRecord, 'seq' | 'status' | 'response' | 'fault'>): KommoRequestRecord {
    this.#seq += 1;
    const rec: KommoRequestRecord = { ...r, seq: this.#seq, status: null, fault: null, response: null };
    this.#records.push(rec);
    this.#grow(rec, jsonLength(rec.body));
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
    // a record dropped meanwhile (still pending while newer ones pushed it out) is not counted again
    if (this.#sizes.has(rec)) this.#grow(rec, jsonLength(rec.response));
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
    this.#sizes = new WeakMap();
    this.#bytes = 0;
    this.#counters = RequestLog.#zero();
  }
}
