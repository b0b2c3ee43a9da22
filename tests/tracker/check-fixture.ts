/**
 * The per-fixture assertions, on any event array (parsed from the file here; delivered by sim/pbx over TCP
 * in the lead's re-run): returns the list of what differs from the expectation, [] when all holds.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CALL_STAGES, CallFullSchema } from '../../contracts/call-full.ts';
import type { AmiMessage } from '../../ami-wire/index.ts';
import { closeMissing, initialState, track, type StageEvent } from '../../engine/tracker/index.ts';
import type { FixtureExpectation } from './fixture-expectations.ts';

const check = TypeCompiler.Compile(CallFullSchema);

export function trackAll(evs: AmiMessage[], fx: FixtureExpectation): StageEvent[] {
  let state = initialState(fx.config);
  const out: StageEvent[] = [];
  for (const ev of evs) {
    const r = track(state, ev);
    state = r.state;
    out.push(...r.emitted);
  }
  // Every call of a whole-call capture ends on its own: nothing may be left for closeMissing.
  const rest = closeMissing(state, new Set());
  return [...out, ...rest.emitted];
}

export function differences(emitted: StageEvent[], fx: FixtureExpectation): string[] {
  const diffs: string[] = [];
  const linkedids = [...new Set(emitted.map((e) => e.linkedid))].sort();
  const expected = Object.keys(fx.calls).sort();
  if (JSON.stringify(linkedids) !== JSON.stringify(expected)) diffs.push(`linkedids ${linkedids.join(',')} != ${expected.join(',')}`);
  for (const [linkedid, want] of Object.entries(fx.calls)) {
    const mine = emitted.filter((e) => e.linkedid === linkedid);
    const ends = mine.filter((e) => e.stage === 'call_ended');
    if (ends.length !== 1) {
      diffs.push(`${linkedid}: ${ends.length} call_ended`);
      continue;
    }
    if (mine[mine.length - 1]!.stage !== 'call_ended') diffs.push(`${linkedid}: call_ended is not last`);
    // Per conversation, stages only move forward: requested, then accepted, then ended.
    const last = new Map<string, number>();
    for (const e of mine) {
      if (!e.conversationId) continue;
      const i = CALL_STAGES.indexOf(e.stage);
      if ((last.get(e.conversationId) ?? -1) >= i) diffs.push(`${linkedid}: ${e.stage} of ${e.conversationId} out of order`);
      last.set(e.conversationId, i);
    }
    for (const e of mine) if (!check.Check(e.call)) diffs.push(`${linkedid}: ${e.stage} call_full invalid: ${[...check.Errors(e.call)].map((x) => x.path + ' ' + x.message).join('; ')}`);
    const end = ends[0]!;
    const s = end.summary;
    const conv = (id: string) => end.call.conversations[id]?.channel.name ?? '';
    const got = {
      direction: s.direction, from: s.from, to: s.to, answered: s.answered, result: s.result, trunk: s.trunk,
      closedByResync: end.call.channel.extra.hookline_closed_by ?? null,
    };
    const exp = { direction: want.direction, from: want.from, to: want.to, answered: want.answered, result: want.result, trunk: want.trunk, closedByResync: null };
    for (const k of Object.keys(exp) as (keyof typeof exp)[]) if (got[k] !== exp[k]) diffs.push(`${linkedid}: ${k} ${JSON.stringify(got[k])} != ${JSON.stringify(exp[k])}`);
    const firstAnswered = s.conversations.find((c) => c.answered);
    const answeredChannel = firstAnswered ? conv(firstAnswered.id) : null;
    if (want.answeredChannel === null ? answeredChannel !== null : !answeredChannel?.startsWith(want.answeredChannel)) diffs.push(`${linkedid}: answered by ${answeredChannel}, expected ${want.answeredChannel}`);
    const rang = s.conversations.map((c) => conv(c.id));
    if (rang.length !== want.rang.length || !rang.every((n, i) => n.startsWith(want.rang[i]!))) diffs.push(`${linkedid}: rang ${rang.join(',')}, expected ${want.rang.join(',')}`);
    if (want.record !== undefined && end.call.record !== want.record) diffs.push(`${linkedid}: record ${end.call.record}`);
    // No capture holds a pickup (tests/tracker/pickup.test.ts covers it): none may be taken for one.
    if ((end.call.channel.extra['picked_up_by'] ?? null) !== (want.pickedUpBy ?? null)) diffs.push(`${linkedid}: picked up by ${String(end.call.channel.extra['picked_up_by'])}`);
    if (want.is_ivr !== undefined && end.call.is_ivr !== want.is_ivr) diffs.push(`${linkedid}: is_ivr ${end.call.is_ivr}`);
    if (end.conversationId !== '' || end.call.active_conversation_id !== '') diffs.push(`${linkedid}: call_ended carries a conversation id`);
  }
  return diffs;
}
