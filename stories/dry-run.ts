/**
 * The dry run (★): recorded calls run again through every stage with the drafts — their events through the
 * tracker, each stage's decision (lists, need_registration, process_client_phone), and the registrar's steps with
 * every CRM hook — against a Kommo that sends nothing (replay-kommo.ts: reads served from each story, writes kept).
 * For each call, the writes that would be sent beside those that were sent, with a diff. How hooks run is given
 * (`invoker`): the drafts over the published versions (drafts.ts) today; a hook's recorded capabilities (fetch,
 * kommo.request, store answered from the story) can be plugged in there without touching this file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffJson } from 'diff';
import type { Config } from '../config/index.ts';
import type { FinishedCall, StageVerdict } from '../engine/calls/index.ts';
import type { HookInvoker } from '../engine/hooks/index.ts';
import { trackerConfig } from '../engine/index.ts';
import type { KommoExchange } from '../engine/kommo/index.ts';
import { openOutbox } from '../engine/outbox/index.ts';
import { createPhoneNormalizer } from '../engine/phone/index.ts';
import { createRegistrar, notRegisteredReason, toRegistration, type CallToRegister } from '../engine/registrar/index.ts';
import { decideStage } from '../engine/stages/index.ts';
import { closeMissing, initialState, track, type StageEvent, type TrackerState } from '../engine/tracker/index.ts';
import { silentLogger, type Logger } from '../log/index.ts';
import { scriptWrite } from './drafts.ts';
import { createReplayKommo, type WouldSend } from './replay-kommo.ts';
import type { StoryStore } from './store.ts';
import type { Story, StoryKommo } from './types.ts';

export interface DryRunOptions {
  store: StoryStore;
  /** The configuration as the service runs it (tracker, lists, phone rules, registration settings, users). */
  config: Config;
  /** How hooks run for a call (the drafts, drafts.ts); given the call's story. */
  invoker: (story: Story) => HookInvoker;
  /**
   * The capability writes (fetch, kommo.request, store.set) the call's scripts would send with the drafts (the
   * draft invoker's recorded sessions, drafts.ts). Given, the writes the scripts made then (their recorded calls)
   * are compared with them beside the registrar's Kommo writes.
   */
  scriptWrites?: (linkedid: string) => DryRunWrite[];
  /** The account reads made at start (recorder.accountReads(), or the store's saved copy). */
  account: readonly KommoExchange[];
  /** Which hooks run a draft, for the answer. */
  drafts?: { hook: string; error: { code: string; message: string } | null }[];
  log?: Logger;
  /** Calls run at once. Default 32. */
  concurrency?: number;
  /** A call whose registration has not ended by then is failed. Default 20 s. */
  callTimeoutMs?: number;
}

export interface DryRunWrite {
  op: string;
  method: string;
  route: string;
  body: unknown;
}

export interface DryRunChange {
  op: string;
  method: string;
  route: string;
  /** The write's place among this call's writes of the same operation. */
  index: number;
  sent: unknown;
  wouldSend: unknown;
  /** Lines of the JSON, "- " sent only, "+ " would be sent only, "  " both. */
  diff: string;
}

export interface DryRunCall {
  linkedid: string;
  at: number;
  direction: string;
  from: string;
  to: string;
  status: 'changed' | 'unchanged' | 'failed';
  /** What became of the call then, and with the drafts. */
  recorded: string;
  outcome: string;
  reason: string | null;
  error: { code: string; message: string; hint?: string } | null;
  sent: DryRunWrite[];
  wouldSend: DryRunWrite[];
  changes: DryRunChange[];
}

export interface DryRunResult {
  summary: { total: number; changed: number; unchanged: number; failed: number };
  calls: DryRunCall[];
  drafts: { hook: string; error: { code: string; message: string } | null }[];
  /** How long it took (ms). */
  durationMs: number;
}

const flatten = (xs: { op: string; method: string; route: string; items: unknown[] }[]): DryRunWrite[] =>
  xs.flatMap((w) => w.items.map((body) => ({ op: w.op, method: w.method, route: w.route, body })));

/** The capability writes the call's scripts made then (recorded with each invocation). */
const scriptSentOf = (story: Story): DryRunWrite[] => story.hooks.flatMap((h) => (h.calls ?? []).filter((c) => c.write).map(scriptWrite));

function sentOf(kommo: StoryKommo[]): DryRunWrite[] {
  return flatten(kommo.filter((k) => k.write).map((k) => ({ op: k.op, method: k.method, route: k.route, items: Array.isArray(k.request[0]) ? k.request[0] : [] })));
}

function diffText(a: unknown, b: unknown): string {
  const parts = diffJson((a ?? null) as object, (b ?? null) as object);
  const out: string[] = [];
  for (const p of parts) {
    const mark = p.added ? '+ ' : p.removed ? '- ' : '  ';
    for (const line of p.value.replace(/\n$/, '').split('\n')) out.push(mark + line);
  }
  return out.join('\n');
}

/** Pairs the writes of each operation in order; a pair whose bodies differ (or a write on one side only) is a change. */
export function compareWrites(sent: DryRunWrite[], would: DryRunWrite[]): DryRunChange[] {
  const ops = [...new Set([...sent, ...would].map((w) => w.op))];
  const changes: DryRunChange[] = [];
  for (const op of ops) {
    const a = sent.filter((w) => w.op === op);
    const b = would.filter((w) => w.op === op);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const x = a[i];
      const y = b[i];
      if (x && y && JSON.stringify(x.body) === JSON.stringify(y.body)) continue;
      const w = (x ?? y) as DryRunWrite;
      changes.push({ op, method: w.method, route: w.route, index: i, sent: x?.body ?? null, wouldSend: y?.body ?? null, diff: diffText(x?.body, y?.body) });
    }
  }
  return changes;
}

async function pool<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  }));
  return out;
}

export async function dryRun(o: DryRunOptions, req: { limit?: number; linkedids?: string[] }): Promise<DryRunResult> {
  const t0 = performance.now();
  const log = o.log ?? silentLogger;
  const c = o.config;
  const ids = req.linkedids ?? o.store.list({ limit: req.limit ?? 200 }).map((s) => s.linkedid);
  const replay = createReplayKommo(o.account);
  const dir = mkdtempSync(join(tmpdir(), 'hl-dry-run-'));
  const outbox = await openOutbox<CallToRegister>(dir, { log, fsync: false });
  const waiting = new Map<string, (x: { ok: boolean; error?: { code: string; message: string } }) => void>();
  const invokers = new Map<string, HookInvoker>();
  // The registrar's hooks are those of the call being registered (each call's invoker may serve its own story).
  const hooks: HookInvoker = {
    invoke: (hook, input, ctx) => {
      const inv = ctx.linkedid ? invokers.get(ctx.linkedid) : undefined;
      if (!inv) throw new Error(`the dry run has no hooks for call ${String(ctx.linkedid)}`);
      return inv.invoke(hook, input, ctx);
    },
  };
  const r = c.registration;
  const registrar = createRegistrar({
    kommo: replay.client, phoneIndex: replay.phones, hooks, outbox, log, users: c.users, maxAttempts: 1, retryBaseMs: 1, retryMaxMs: 1, ambiguousSettleMs: 0,
    settings: {
      mode: r.mode, createLead: r.createLead, tags: r.tags, updateResponsible: r.updateResponsible, tasks: r.tasks, timezone: c.pbx.timezone,
      ...(r.pipelineId !== undefined ? { pipelineId: r.pipelineId } : {}),
      ...(r.statusId !== undefined ? { statusId: r.statusId } : {}),
      ...(r.defaultUserId !== undefined ? { defaultUserId: r.defaultUserId } : {}),
    },
    onOutcome: (x) => waiting.get(x.linkedid)?.(x),
  });
  const started = await registrar.start();
  const tracker = trackerConfig(c.pbx, c.users);
  const normalizePhone = createPhoneNormalizer(c.phone);
  const timeoutMs = o.callTimeoutMs ?? 20_000;

  async function one(linkedid: string): Promise<DryRunCall> {
    const story = o.store.get(linkedid);
    const base = { linkedid, at: story?.summary.at ?? 0, direction: story?.summary.direction ?? '', from: story?.summary.from ?? '', to: story?.summary.to ?? '', recorded: story?.summary.outcome ?? 'unknown' };
    const sent = story ? [...sentOf(story.kommo), ...(o.scriptWrites ? scriptSentOf(story) : [])] : [];
    const failed = (code: string, message: string, hint?: string): DryRunCall => ({ ...base, status: 'failed', outcome: 'failed', reason: null, error: { code, message, ...(hint ? { hint } : {}) }, sent, wouldSend: [], changes: [] });
    if (!story) return failed('STORY_NOT_FOUND', `no story is kept for call ${linkedid}`);
    const events = o.store.events(linkedid);
    if (!events || events.length === 0) return failed('DRY_RUN_FAILED', `the dry run of call ${linkedid} failed: its events are not kept`, 'Raise stories.eventsCalls to keep the events of more calls.');
    if (!started.ok) return failed('DRY_RUN_FAILED', `the dry run of call ${linkedid} failed: the account as recorded could not be read (${started.error.message})`, 'The account reads are recorded when hookline starts against Kommo; start it once with stories on.');
    const invoker = o.invoker(story);
    invokers.set(linkedid, invoker);
    replay.load(linkedid, story.kommo);
    try {
      const stageCtx = {
        filters: c.filters, normalizePhone, hooks: invoker, users: (ext: string) => registrar.userByExtension(ext),
        needRegistrationOnFailure: c.hooks.need_registration?.onFailure ?? 'register',
      };
      let state: TrackerState = initialState(tracker);
      const stages: FinishedCall['stages'] = [];
      const decisions: StageVerdict[] = [];
      let finished: FinishedCall | null = null;
      const handle = async (emitted: StageEvent[]) => {
        for (const ev of emitted) {
          if (ev.linkedid !== linkedid || finished) continue;
          stages.push(ev.stage);
          // Only call_ended's decision says whether and how the call is registered (toRegistration): the stages
          // before it change no write, so their hooks are not run again (a dry run of 1,000 calls runs 3× faster).
          if (ev.stage !== 'call_ended') continue;
          const s = ev.summary;
          const client = s.direction === 'internal' ? null : s.direction === 'inbound' ? s.from : s.to;
          const d = await decideStage({ stage: ev.stage, linkedid, call: ev.call, clientNumber: client || null }, stageCtx);
          decisions.push(d.register ? { stage: d.stage, register: true, phone: d.phone } : { stage: d.stage, register: false, reason: d.reason });
          if (ev.stage === 'call_ended') {
            finished = { linkedid, direction: s.direction, from: s.from, to: s.to, answered: s.answered, answered_by: s.answered_by, conversations: s.conversations, result: s.result, stages, decisions, call_full: ev.call };
          }
        }
      };
      for (const ev of events) {
        const t = track(state, ev);
        state = t.state;
        await handle(t.emitted);
      }
      if (!finished) await handle(closeMissing(state, new Set<string>()).emitted);
      const call = finished as FinishedCall | null;
      if (!call) return failed('DRY_RUN_FAILED', `the dry run of call ${linkedid} failed: its events did not end the call`);
      const reg = toRegistration(call);
      let outcome = 'skipped';
      let reason: string | null = null;
      let error: DryRunCall['error'] = null;
      if (!reg) reason = notRegisteredReason(call);
      else {
        const done = new Promise<{ ok: boolean; error?: { code: string; message: string } }>((resolve) => {
          waiting.set(linkedid, resolve);
          setTimeout(() => resolve({ ok: false, error: { code: 'DRY_RUN_FAILED', message: `the dry run of call ${linkedid} did not finish within ${timeoutMs} ms` } }), timeoutMs).unref();
        });
        await registrar.submit(reg);
        const x = await done;
        outcome = x.ok ? 'registered' : 'failed';
        error = x.ok ? null : (x.error ?? null);
      }
      const unrecorded = replay.unrecorded(linkedid);
      const wouldSend = [...flatten(replay.writes(linkedid) as WouldSend[]), ...(o.scriptWrites?.(linkedid) ?? [])];
      if (unrecorded.length) {
        return { ...base, status: 'failed', outcome, reason, sent, wouldSend, changes: compareWrites(sent, wouldSend), error: { code: 'DRY_RUN_UNRECORDED_READ', message: `the dry run of call ${linkedid} asked Kommo for ${unrecorded.join('; ')}, which the recorded call did not (nothing is sent in a dry run)`, hint: 'The drafts change what the registration reads: its result cannot be known without asking Kommo.' } };
      }
      const changes = compareWrites(sent, wouldSend);
      return { ...base, status: changes.length ? 'changed' : 'unchanged', outcome, reason, error, sent, wouldSend, changes };
    } catch (e) {
      return failed('DRY_RUN_FAILED', `the dry run of call ${linkedid} failed: ${String(e)}`);
    } finally {
      waiting.delete(linkedid);
      invokers.delete(linkedid);
      o.scriptWrites?.(linkedid); // forgets what a failed call's scripts would have sent
      replay.forget(linkedid);
    }
  }

  try {
    const calls = await pool(ids, o.concurrency ?? 32, one);
    const count = (s: DryRunCall['status']) => calls.filter((x) => x.status === s).length;
    return { summary: { total: calls.length, changed: count('changed'), unchanged: count('unchanged'), failed: count('failed') }, calls, drafts: o.drafts ?? [], durationMs: Math.round(performance.now() - t0) };
  } finally {
    await registrar.close();
    await outbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
