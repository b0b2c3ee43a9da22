/**
 * `result` of a call (call_full.md table): 200 when a conversation was answered; else the Dial outcome
 * (DIALSTATUS) of the conversations, else the Q.850 cause of the last leg, else 0.
 */
import type { CallModel, ChanModel } from './model.ts';
import { answeringLeg, isUnacceptedCall } from './predicates.ts';

const BY_DIALSTATUS: Record<string, number> = { BUSY: 486, NOANSWER: 480, CANCEL: 487, CHANUNAVAIL: 503, CONGESTION: 503 };
const BY_CAUSE: Record<number, number> = { 17: 486, 19: 480, 18: 480, 1: 404, 3: 404, 28: 404, 34: 503, 38: 503, 41: 503, 42: 503, 21: 603 };

/** `leg`: answeringLeg(call) when the caller has it already. */
export function resultOf(call: CallModel, leg: ChanModel | undefined | null = null): number {
  if ((leg === null ? answeringLeg(call) : leg) !== undefined) return 200;
  // Call acceptance refused or timed out: the caller's own Dial says how it ended.
  if (isUnacceptedCall(call) === true) return BY_DIALSTATUS[call.chans.get(call.origin)?.ownDial ?? ''] ?? 480;
  let anyCancel = false;
  for (const id of call.convs) {
    const ch = call.chans.get(id);
    if (!ch) continue;
    if (ch.dialStatus === 'CANCEL') anyCancel = true;
  }
  // The caller gave up while phones rang: whatever each phone said, the call is "caller hung up" (487).
  if (anyCancel || call.abandoned) return 487;
  for (let i = call.convs.length - 1; i >= 0; i--) {
    const r = BY_DIALSTATUS[call.chans.get(call.convs[i] ?? '')?.dialStatus ?? ''];
    if (r) return r;
  }
  for (let i = call.convs.length - 1; i >= 0; i--) {
    const ch = call.chans.get(call.convs[i] ?? '');
    if (!ch || ch.answered) continue;
    const byCause = BY_CAUSE[ch.cause];
    if (byCause) return byCause;
    // Cause 16 (normal clearing) on a leg that never answered: the caller hung up while it rang.
    if (ch.cause === 16) return 487;
  }
  // an originate whose first leg answered but went no further (call-me-now not accepted): nobody was connected
  if (call.originated && call.chans.get(call.origin)?.answered) return 480;
  return 0;
}
