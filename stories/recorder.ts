/**
 * Records each call's story as it happens, from the places every call passes: the events the tracker reads
 * (`event`: AMI now, CEL too — the one entry point for any event source), every hook invocation
 * (`invocation`: engine/hooks' onInvocation), every Kommo operation (`kommo`: engine/kommo's observer), the
 * finished call with its stage decisions (`call`) and the registrar's outcome (`outcome`). On the call path it
 * only snapshots what may change later (hook inputs and outputs, Kommo bodies, as JSON text) and pushes; the
 * story is put together and written by the store, off the path. A story is written when its call is skipped,
 * registered or failed for good, or as "pending" when no outcome came within `pendingMs`.
 */
import type { AmiMessage } from '../ami-wire/index.ts';
import type { FinishedCall } from '../engine/calls/index.ts';
import type { InvocationRecord } from '../engine/hooks/index.ts';
import type { KommoExchange } from '../engine/kommo/index.ts';
import { notRegisteredReason } from '../engine/registrar/index.ts';
import type { TrackerKnown } from '../engine/tracker/index.ts';
import { createEventGroups } from './event-groups.ts';
import type { StoryStore } from './store.ts';
import type { StoryEntity, StoryOutcome, StorySummary } from './types.ts';

export interface StoryRecorder {
  /** An event as the tracker read it (AMI or CEL): kept with the calls whose ids it names. */
  event(msg: AmiMessage): void;
  invocation(r: InvocationRecord): void;
  kommo(x: KommoExchange): void;
  /** The tracker finished the call; `submitted`: it went to the registrar (else it was skipped, and why is in its decisions). */
  call(call: FinishedCall, submitted: boolean): void;
  outcome(o: { linkedid: string; ok: boolean; error?: { code: string; message: string } }): void;
  /** The latest answer of each Kommo read made for no call (the account's users, pipelines, fields at start): the dry run serves them. */
  accountReads(): KommoExchange[];
  /** Where the tracker's knowledge from earlier calls is read (the engine's follower), for the captures. */
  setKnown(known: () => TrackerKnown | null): void;
  /** Stories not yet written (calls in progress or awaiting their outcome). */
  open(): number;
  close(): void;
}

interface Draft {
  hooks: string[];
  kommo: string[];
  writes: number;
  entities: StoryEntity[];
  call: FinishedCall | null;
  events: { events: AmiMessage[]; truncated: boolean } | null;
  since: number;
}

/** Keys whose values are credentials: never stored, whatever carries them. */
const SECRET_KEY = /^(access_token|refresh_token|token|authorization|client_secret|password|secret)$/i;
const redact = (k: string, v: unknown) => (SECRET_KEY.test(k) && typeof v === 'string' ? '[not stored]' : v);

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The HTTP status an answer stands for: 200 when every result is ok, else the first error's status. */
function statusOf(result: unknown): number | null {
  const list = Array.isArray(result) ? result : [result];
  for (const r of list) if (isObj(r) && r.ok === false) return isObj(r.error) && typeof r.error.status === 'number' ? r.error.status : null;
  return 200;
}

const WRITTEN: Partial<Record<string, StoryEntity['type']>> = {
  addContacts: 'contacts', updateContacts: 'contacts', addLeads: 'leads', updateLeads: 'leads', addCalls: 'calls', addTasks: 'tasks', addUnsortedSip: 'unsorted',
};

export function entityUrl(base: string | undefined, type: string, id: number | string): string | null {
  if (!base) return null;
  const b = base.replace(/\/+$/, '');
  if (type === 'contacts' || type === 'companies' || type === 'leads') return `${b}/${type}/detail/${id}`;
  if (type === 'unsorted') return `${b}/leads/pipeline/`;
  return null;
}

function entitiesOf(x: KommoExchange, base: string | undefined): StoryEntity[] {
  const type = WRITTEN[x.op];
  if (!type || !Array.isArray(x.result)) return [];
  const out: StoryEntity[] = [];
  for (const r of x.result) {
    if (!isObj(r) || r.ok !== true || !isObj(r.value)) continue;
    const v = r.value;
    if (type === 'calls' && typeof v.entity_id === 'number' && typeof v.entity_type === 'string') {
      // Kommo names the entity a call went to in the singular (lead, contact, company, customer)
      const t = ({ lead: 'leads', leads: 'leads', contact: 'contacts', contacts: 'contacts', company: 'companies', companies: 'companies' } as const)[v.entity_type as 'lead'];
      if (t) out.push({ type: t, id: v.entity_id, url: entityUrl(base, t, v.entity_id) });
    }
    if (type === 'unsorted') {
      if (typeof v.leadId === 'number') out.push({ type: 'leads', id: v.leadId, url: entityUrl(base, 'leads', v.leadId) });
      if (typeof v.contactId === 'number') out.push({ type: 'contacts', id: v.contactId, url: entityUrl(base, 'contacts', v.contactId) });
    }
    const id = typeof v.id === 'number' ? v.id : typeof v.uid === 'string' ? v.uid : null;
    if (id !== null) out.push({ type, id, url: entityUrl(base, type, id) });
  }
  return out;
}

function seconds(a: string, b: string): number | null {
  const x = Date.parse(a);
  const y = Date.parse(b);
  return Number.isFinite(x) && Number.isFinite(y) && y >= x ? Math.round((y - x) / 1000) : null;
}

export function createStoryRecorder(o: { store: StoryStore; kommoBaseUrl?: () => string | undefined; pendingMs?: number; maxOpen?: number; now?: () => number; onError?: (m: string) => void }): StoryRecorder {
  const now = o.now ?? Date.now;
  const pendingMs = o.pendingMs ?? 15 * 60_000;
  const maxOpen = o.maxOpen ?? 5_000;
  const drafts = new Map<string, Draft>();
  let known: () => TrackerKnown | null = () => null;
  const groups = createEventGroups({ now, known: () => known() });
  const account = new Map<string, KommoExchange>();
  let saveTimer: NodeJS.Timeout | null = null;

  function draft(linkedid: string): Draft {
    let d = drafts.get(linkedid);
    if (!d) {
      // a bound on memory: the oldest unfinished story is written as it is
      if (drafts.size >= maxOpen) {
        const first = drafts.keys().next().value;
        if (first !== undefined) finish(first, 'pending', null, null);
      }
      d = { hooks: [], kommo: [], writes: 0, entities: [], call: null, events: null, since: now() };
      drafts.set(linkedid, d);
    }
    return d;
  }

  function finish(linkedid: string, outcome: StoryOutcome, reason: string | null, error: { code: string; message: string } | null): void {
    const d = drafts.get(linkedid);
    if (!d) return;
    drafts.delete(linkedid);
    const c = d.call;
    const ch = c?.call_full.channel;
    const startedAt = ch?.start_time ?? '';
    const endedAt = ch?.end_time ?? '';
    const started = Date.parse(startedAt);
    const summary: StorySummary = {
      linkedid, at: Number.isFinite(started) ? started : d.since, startedAt, endedAt,
      direction: c?.direction ?? 'internal', from: c?.from ?? '', to: c?.to ?? '', answered: c?.answered ?? false, answeredBy: c?.answered_by ?? null,
      durationSec: seconds(startedAt, endedAt), result: c?.result ?? 0, outcome, reason, error,
      hooks: d.hooks.length, kommoWrites: d.writes, events: d.events?.events.length ?? 0,
    };
    const call = c ? { linkedid, direction: c.direction, from: c.from, to: c.to, answered: c.answered, answered_by: c.answered_by, conversations: c.conversations, result: c.result, stages: c.stages, decisions: c.decisions } : null;
    const seen = new Set<string>();
    const entities = d.entities.filter((e) => {
      const k = `${e.type}:${e.id}`;
      return seen.has(k) ? false : (seen.add(k), true);
    });
    o.store.add(summary, () => `{"v":1,"summary":${JSON.stringify(summary)},"call":${JSON.stringify(call)},"hooks":[${d.hooks.join(',')}],"kommo":[${d.kommo.join(',')}],"entities":${JSON.stringify(entities)}}`, d.events?.events ?? null);
  }

  const sweep = setInterval(() => {
    const old = now() - pendingMs;
    for (const [id, d] of drafts) {
      if (d.since >= old) continue;
      // invocations and requests of no finished call (a call resumed from the outbox still registering, a lookup): not a story yet
      if (d.call) finish(id, 'pending', 'no outcome yet from the registrar (retries may still be going on)', null);
      else drafts.delete(id);
    }
  }, Math.min(60_000, pendingMs));
  sweep.unref();

  return {
    event(msg) {
      groups.add(msg);
    },
    invocation(r) {
      if (!r.linkedid) return;
      const e = r.error ? { code: r.error.code, message: r.error.message, ...(r.error.hint ? { hint: r.error.hint } : {}) } : null;
      try {
        draft(r.linkedid).hooks.push(JSON.stringify({ hook: r.hook, version: r.version, at: r.now, seed: r.seed, durationMs: Math.round(r.durationMs * 100) / 100, input: r.input, output: r.data ?? null, error: e, logs: r.logs ?? [], ...(r.calls?.length ? { calls: r.calls } : {}) }));
      } catch (err) {
        o.onError?.(`the ${r.hook} invocation of ${r.linkedid} could not be recorded: ${String(err)}`);
      }
    },
    kommo(x) {
      if (!x.linkedid) {
        // the account's facts (users, pipelines, fields, task types): reads of no argument; a lookup for no call
        // (autodistribution's search by phone) is not kept, or the map would grow with every number
        if (x.write || x.args.length > 0) return;
        account.set(`${x.op} ${JSON.stringify(x.args)}`, x);
        // saved a moment later, off the path: the start's reads come in a burst
        saveTimer ??= setTimeout(() => {
          saveTimer = null;
          o.store.saveAccount([...account.values()]);
        }, 200);
        saveTimer.unref();
        return;
      }
      const d = draft(x.linkedid);
      try {
        d.kommo.push(JSON.stringify({ at: x.at, durationMs: Math.round(x.durationMs * 100) / 100, op: x.op, method: x.method, route: x.route, write: x.write, request: x.args, status: statusOf(x.result), answer: x.result }, redact));
      } catch (err) {
        o.onError?.(`a Kommo ${x.op} of ${x.linkedid} could not be recorded: ${String(err)}`);
      }
      if (x.write) {
        d.writes += 1;
        d.entities.push(...entitiesOf(x, o.kommoBaseUrl?.()));
      }
    },
    call(call, submitted) {
      const d = draft(call.linkedid);
      d.call = call;
      d.events = groups.take(call.linkedid);
      if (!submitted) finish(call.linkedid, 'skipped', notRegisteredReason(call), null);
    },
    outcome(x) {
      if (!drafts.has(x.linkedid)) return;
      finish(x.linkedid, x.ok ? 'registered' : 'failed', x.ok ? null : (x.error?.message ?? null), x.ok ? null : (x.error ?? null));
    },
    accountReads: () => [...account.values()],
    setKnown(fn) {
      known = fn;
    },
    open: () => drafts.size,
    close() {
      clearInterval(sweep);
      if (saveTimer) {
        clearTimeout(saveTimer);
        saveTimer = null;
        o.store.saveAccount([...account.values()]);
      }
      for (const id of [...drafts.keys()]) if (drafts.get(id)?.call) finish(id, 'pending', 'hookline stopped before the registrar said how this call ended', null);
    },
  };
}
