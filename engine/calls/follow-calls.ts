/**
 * Follows calls: AMI events → the tracker (pure) → at every stage the stage decision (lists, need_registration,
 * client phone) → one finished-call record at call_ended. Stages of one call are decided in order; calls are
 * independent of each other. After a reconnect, calls whose channels are gone are closed by the tracker's
 * resync, flagged, and still finished.
 */
import type { CallFull, CallStage } from '../../contracts/index.ts';
import type { AmiMessage } from '../../ami-wire/index.ts';
import type { AmiClient } from '../ami/index.ts';
import type { Logger } from '../../log/index.ts';
import { closeMissing, endMissingChannels, initialState, track, type CallExplanation, type CallSummary, type StageEvent, type TrackerConfig, type TrackerKnown, type TrackerState, type TrackResult } from '../tracker/index.ts';
import { decideStage, type StageContext, type StageDecision } from '../stages/index.ts';

/** What the stage decision said at one stage: register with the client's phone, or why not. */
export type StageVerdict = { stage: CallStage; register: true; phone: string } | { stage: CallStage; register: false; reason: string };

/** A call the tracker finished: its summary, the stages it went through, each stage's decision, and call_full. */
export interface FinishedCall extends Omit<CallSummary, 'trunk'> {
  stages: CallStage[];
  decisions: StageVerdict[];
  call_full: CallFull;
  /** Why the tracker decided direction, numbers, answerer and result (`hookline calls --explain`). */
  why?: CallExplanation;
}

export interface FollowOptions {
  /** Where events come from: the AMI client, or any source of the same events (cel/ feeds CEL rows). */
  ami: Pick<AmiClient, 'on'>;
  tracker?: Partial<TrackerConfig>;
  stages: StageContext;
  log: Logger;
  onCall: (call: FinishedCall) => void;
  /** The clock that stamps events which arrive without a Timestamp (default Date.now). */
  now?: () => number;
  /** Attach to each finished call why the tracker decided as it did (`why`; `hookline calls --explain`). */
  explain?: boolean;
  /** Every stage decided (the registrar hangs here). */
  onStage?: (ev: StageEvent, decision: StageDecision) => void | Promise<void>;
  /** Every event as the tracker reads it (stamped when it came without a time): the call's story records them. Must not throw. */
  onEvent?: (msg: AmiMessage) => void;
  /**
   * After a reconnect, a call whose channels are all gone ended while AMI was down. Default: closed as best known
   * and finished (flagged resync). 'leave-to-cel': let go without finishing it: the CEL catch-up (cel/) reads the
   * whole call, its end included, and registers it.
   */
  resyncClosed?: 'finish' | 'leave-to-cel';
}

export interface CallFollower {
  /** Calls seen but not finished. */
  inFlight(): number;
  /** Resolves when every stage handed to the decision so far is done. */
  idle(): Promise<void>;
  /** What the tracker learned from the calls so far (endpoint → extension, guessed trunks): a call's capture starts with it. */
  known(): TrackerKnown;
  /** The event stream is over (end of a capture): close every call still open, as best known, and finish it. */
  finish(): void;
  stop(): void;
}

export function followCalls(o: FollowOptions): CallFollower {
  let state: TrackerState = initialState(o.tracker);
  const chains = new Map<string, Promise<void>>();
  const progress = new Map<string, { stages: CallStage[]; decisions: StageVerdict[] }>();
  const log = o.log.child({ module: 'calls' });

  function handle(emitted: StageEvent[]) {
    for (const ev of emitted) {
      const p = progress.get(ev.linkedid) ?? { stages: [], decisions: [] };
      progress.set(ev.linkedid, p);
      p.stages.push(ev.stage);
      const prev = chains.get(ev.linkedid) ?? Promise.resolve();
      const next = prev.then(async () => {
        try {
          const client = ev.summary.direction === 'internal' ? null : ev.summary.direction === 'inbound' ? ev.summary.from : ev.summary.to;
          const d = await decideStage({ stage: ev.stage, linkedid: ev.linkedid, call: ev.call, clientNumber: client || null }, o.stages);
          p.decisions.push(d.register ? { stage: d.stage, register: true, phone: d.phone } : { stage: d.stage, register: false, reason: d.reason });
          await o.onStage?.(ev, d);
        } finally {
          // the call is over even when its last stage failed: report it and let it go (else it stays for good)
          if (ev.stage === 'call_ended') {
            chains.delete(ev.linkedid);
            progress.delete(ev.linkedid);
            const s = ev.summary;
            o.onCall({
              linkedid: ev.linkedid, direction: s.direction, from: s.from, to: s.to, answered: s.answered, answered_by: s.answered_by,
              conversations: s.conversations, result: s.result, stages: p.stages, decisions: p.decisions, call_full: ev.call,
              ...(o.explain && ev.why ? { why: ev.why } : {}),
            });
          }
        }
      }).catch((e: unknown) => log.error({ linkedid: ev.linkedid, err: String(e) }, 'a stage of this call failed; later calls go on'));
      chains.set(ev.linkedid, next);
    }
  }

  /**
   * A call the tracker dropped without call_ended (even its call_full could not be built: TRACKER_HANDLER_FAILED)
   * had its earlier stages here, waiting for a call_ended that never comes: let it go once they are done, or it
   * stays for good and counts in inFlight() for ever.
   */
  function forgetDropped(r: TrackResult) {
    const seen = new Set<string>();
    for (const p of r.problems ?? []) {
      const id = p.linkedid;
      if (p.code !== 'TRACKER_HANDLER_FAILED' || seen.has(id) || state.calls.has(id) || !progress.has(id)) continue;
      seen.add(id);
      if (r.emitted.some((e) => e.linkedid === id && e.stage === 'call_ended')) continue;
      const gone: Promise<void> = (chains.get(id) ?? Promise.resolve()).then(() => {
        if (chains.get(id) !== gone) return;
        chains.delete(id);
        progress.delete(id);
      });
      chains.set(id, gone);
    }
  }

  const clock = o.now ?? Date.now;
  const offMessage = o.ami.on('message', (msg: AmiMessage) => {
    // Asterisk sends `Timestamp` only with manager.conf timestampevents=yes (off by default), and CEL carries
    // its own EventTime: without either, the time the event arrived is its time (the tracker has no clock).
    const m = msg.Timestamp === undefined && msg.EventTime === undefined ? { ...msg, Timestamp: (clock() / 1000).toFixed(6) } : msg;
    o.onEvent?.(m);
    const r = track(state, m);
    state = r.state;
    for (const p of r.problems ?? []) log.warn({ linkedid: p.linkedid, problem: p.message }, 'tracker problem');
    handle(r.emitted);
    forgetDropped(r);
  });
  const offResync = o.ami.on('resync', (info) => {
    if (!info.reconnect) return;
    const live = new Set(info.channels.map((c) => String(c.Uniqueid ?? '')));
    const r = closeMissing(state, live);
    state = r.state;
    const closed = [...new Set(r.emitted.map((e) => e.linkedid))];
    if (o.resyncClosed === 'leave-to-cel') {
      // their stages so far are done; the call itself is registered from CEL (its LINKEDID_END is in the gap)
      if (closed.length) log.info({ calls: closed }, 'calls that ended while AMI was down are left to the CEL catch-up');
      for (const id of closed) {
        const gone: Promise<void> = (chains.get(id) ?? Promise.resolve()).then(() => {
          if (chains.get(id) !== gone) return;
          chains.delete(id);
          progress.delete(id);
        });
        chains.set(id, gone);
      }
    } else {
      if (closed.length) log.warn({ calls: closed }, 'closed calls whose end was missed while AMI was down');
      handle(r.emitted);
      forgetDropped(r);
    }
    // closeMissing leaves a call with a live channel alone; a channel of it that hung up meanwhile is ended here
    const m = endMissingChannels(state, live, (clock() / 1000).toFixed(6));
    state = m.state;
    for (const p of m.problems) log.warn({ linkedid: p.linkedid, code: p.code }, p.message);
    handle(m.emitted);
    forgetDropped(m);
  });

  return {
    inFlight: () => progress.size + Math.max(0, (state as { calls?: Map<string, unknown> }).calls?.size ?? 0),
    async idle() {
      // wait for the chains as they are now, then for any stage added meanwhile; a call still open keeps its
      // (settled) chain in the map, so waiting for the map to empty would never yield and never end
      const done = new Set<Promise<void>>();
      for (;;) {
        const open = [...chains.values()].filter((p) => !done.has(p));
        if (open.length === 0) return;
        await Promise.all(open);
        for (const p of open) done.add(p);
      }
    },
    known: () => ({ phones: state.phones, guessed: state.guessed }),
    finish() {
      const r = closeMissing(state, new Set<string>());
      state = r.state;
      handle(r.emitted);
      forgetDropped(r);
    },
    stop() {
      offMessage();
      offResync();
    },
  };
}
