/**
 * A Kommo client for the dry run that sends nothing: every read is answered from what the recorded calls got
 * (the call's own story, then the account reads made at start), every write is kept as "would be sent" and
 * answered as the recorded call's write of the same kind was answered (a made-up id where it had none). A read
 * the recorded call never made has no answer: it fails, and the call's dry run says so (DRY_RUN_UNRECORDED_READ).
 */
import { INDEX_LOOKUP, isKommoOp, KOMMO_OPS, type KommoClient, type KommoExchange, type KommoOp } from '../engine/kommo/index.ts';
import type { PhoneIndex, PhoneIndexHit } from '../engine/phone-index/index.ts';
import type { StoryKommo } from './types.ts';

export interface WouldSend {
  op: KommoOp;
  method: string;
  route: string;
  items: unknown[];
}

export interface ReplayKommo {
  client: KommoClient;
  /**
   * The phone index as the recorded calls met it: a lookup answered with the hit the call's story recorded
   * (INDEX_LOOKUP), else null (not in the index then: the registrar searched, and that read is recorded too).
   */
  phones: PhoneIndex;
  /** Serves this call's reads from its story, and answers its writes as they were answered. */
  load(linkedid: string, recorded: StoryKommo[]): void;
  writes(linkedid: string): WouldSend[];
  /** The reads of this call that had no recorded answer ("GET /api/v4/contacts ["+31…"]"). */
  unrecorded(linkedid: string): string[];
  forget(linkedid: string): void;
}

const keyOf = (op: string, args: unknown[]) => `${op} ${JSON.stringify(args)}`;

interface CallAnswers {
  reads: Map<string, unknown[]>;
  lookups: Map<string, PhoneIndexHit>;
  writes: Map<string, unknown[][]>;
  sent: WouldSend[];
  unrecorded: string[];
}

export function createReplayKommo(account: readonly KommoExchange[]): ReplayKommo {
  const accountReads = new Map<string, unknown>();
  for (const x of account) accountReads.set(keyOf(x.op, x.args), x.result);
  const calls = new Map<string, CallAnswers>();
  let made = 0;

  function callOf(linkedid: string | null): CallAnswers | null {
    return linkedid ? (calls.get(linkedid) ?? null) : null;
  }

  function read(op: KommoOp, args: unknown[], linkedid: string | null): unknown {
    const key = keyOf(op, args);
    const c = callOf(linkedid);
    const queue = c?.reads.get(key);
    // asked as often as recorded: in order; asked more often: the last answer again (a retry, a re-read)
    // a copy each time: the registrar may change what it was given
    if (queue && queue.length) return structuredClone(queue.length > 1 ? queue.shift() : queue[0]);
    if (accountReads.has(key)) return structuredClone(accountReads.get(key));
    const spec = KOMMO_OPS[op];
    c?.unrecorded.push(`${spec.method} ${spec.route} ${JSON.stringify(args)}`);
    return {
      ok: false,
      error: {
        code: 'KOMMO_BAD_REQUEST', route: `${spec.method} ${spec.route}`, attempts: 0,
        message: `the dry run has no recorded answer for ${spec.method} ${spec.route} ${JSON.stringify(args)} (nothing is sent in a dry run)`,
        hint: 'The drafts made the registration ask something the recorded call did not.',
      },
    };
  }

  function write(op: KommoOp, items: unknown[], linkedid: string | null): unknown[] {
    const spec = KOMMO_OPS[op];
    const c = callOf(linkedid);
    c?.sent.push({ op, method: spec.method, route: spec.route, items: JSON.parse(JSON.stringify(items)) as unknown[] });
    const recorded = c?.writes.get(op)?.shift() ?? [];
    return items.map((item, i) => recorded[i] ?? { ok: true, value: madeUp(op, item, i) });
  }

  function madeUp(op: KommoOp, item: unknown, i: number): Record<string, unknown> {
    made += 1;
    const id = 990_000_000 + made;
    const it = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (op === 'addUnsortedSip') return { uid: `dry-run-${made}`, request_id: String(i) };
    if (op === 'addCalls') return { id, entity_id: 0, entity_type: 'contact', request_id: String(i) };
    if (op === 'updateContacts' || op === 'updateLeads') return { id: typeof it.id === 'number' ? it.id : id, request_id: String(i) };
    return { id, request_id: String(i) };
  }

  const ctxOf = (x: unknown): string | null => (typeof x === 'object' && x !== null && 'linkedid' in x && typeof x.linkedid === 'string' ? x.linkedid : null);
  const client = {} as Record<string, unknown>;
  for (const op of Object.keys(KOMMO_OPS) as KommoOp[]) {
    const spec = KOMMO_OPS[op];
    client[op] = async (...all: unknown[]) => {
      const args = all.slice(0, spec.args);
      const linkedid = ctxOf(all[spec.args]);
      return spec.write ? write(op, (args[0] as unknown[]) ?? [], linkedid) : read(op, args, linkedid);
    };
  }
  Object.assign(client, {
    forgetPhone() {},
    clearPhoneCache() {},
    flush() {},
    stats: () => ({ requests: 0, byRoute: {}, phoneCache: { hits: 0, misses: 0, shared: 0, size: 0 }, batches: {}, limiter: { limit: 0, inFlight: 0, cooling: 0 }, blockedUntil: null }),
  });

  const phones: PhoneIndex = {
    start: async () => {},
    ready: () => true,
    lookup: (phone, ctx) => {
      const hit = ctxOf(ctx) ? callOf(ctxOf(ctx))?.lookups.get(phone) : undefined;
      return hit ? structuredClone(hit) : null;
    },
    put() {},
    drop() {},
    missChecked() {},
    refresh: async () => ({ ok: true, changed: 0 }),
    status: () => ({ ready: true, contacts: 0, companies: 0, builtAt: null, refreshedAt: null, ageMs: null, hits: 0, missesConfirmed: 0, missesFound: 0, dropped: 0, lastError: null }),
    reset: async () => {},
    close: async () => {},
  };

  return {
    client: client as unknown as KommoClient,
    phones,
    load(linkedid, recorded) {
      const c: CallAnswers = { reads: new Map(), lookups: new Map(), writes: new Map(), sent: [], unrecorded: [] };
      for (const k of recorded) {
        if (k.op === INDEX_LOOKUP.op) c.lookups.set(String(k.request[0]), k.answer as PhoneIndexHit);
        if (!isKommoOp(k.op)) continue;
        if (k.write) {
          const list = c.writes.get(k.op) ?? [];
          list.push(Array.isArray(k.answer) ? k.answer : []);
          c.writes.set(k.op, list);
        } else {
          const key = keyOf(k.op, k.request);
          const list = c.reads.get(key) ?? [];
          list.push(k.answer);
          c.reads.set(key, list);
        }
      }
      calls.set(linkedid, c);
    },
    writes: (linkedid) => calls.get(linkedid)?.sent ?? [],
    unrecorded: (linkedid) => calls.get(linkedid)?.unrecorded ?? [],
    forget(linkedid) {
      calls.delete(linkedid);
    },
  };
}
