/**
 * The hand-off from the call engine: which finished calls are registered, and what the registrar is given for
 * one. A call is registered when it is not internal and the decision at its call_ended stage says so (the
 * built-in lists, need_registration, and the client's phone from process_client_phone).
 */
import type { FinishedCall } from '../calls/index.ts';
import type { CallToRegister } from './job.ts';

export function toRegistration(call: FinishedCall): CallToRegister | null {
  const last = call.decisions.at(-1);
  if (call.direction === 'internal' || !last || last.stage !== 'call_ended' || !last.register) return null;
  return {
    linkedid: call.linkedid,
    phone: last.phone,
    direction: call.direction,
    call_full: call.call_full,
    answeredBy: call.answered_by,
    lastUser: lastUserOf(call),
    // The tracker puts MixMonitor's file name in call_full.record; the registrar turns it into the link.
    recording: call.call_full.record || null,
  };
}

/** Why a finished call is not registered (for the log), or null when it is. */
export function notRegisteredReason(call: FinishedCall): string | null {
  if (toRegistration(call)) return null;
  const last = call.decisions.at(-1);
  if (call.direction === 'internal') return 'internal call';
  if (!last) return 'no stage was decided';
  if (last.stage !== 'call_ended') return `the last stage decided was ${last.stage}`;
  return last.register ? null : last.reason;
}

/** The extension that stood for the company in the call: who answered, else the last one that rang (inbound) or the caller (outbound). */
function lastUserOf(call: FinishedCall): string | null {
  if (call.direction === 'outbound') return call.from || null;
  const rang = call.conversations.filter((c) => /^\d+$/.test(c.to)).sort((a, b) => (a.start_time < b.start_time ? -1 : 1));
  return call.answered_by ?? rang.at(-1)?.to ?? null;
}
