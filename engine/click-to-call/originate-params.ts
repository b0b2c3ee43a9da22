/**
 * The AMI Originate parameters of a click-to-call: built from the config templates, shaped by
 * process_originate_params, and checked again before they are sent. The contract already refuses a control
 * character in the hook's output (then the default is used); the check here is the last one before the
 * socket, so no path from a script to the AMI wire skips it.
 */
import type { HookData } from '../../contracts/index.ts';
import { controlCharAt } from './request.ts';

export type OriginateParams = HookData<'process_originate_params'>;

export interface Templates {
  /** e.g. "PJSIP/{extension}" */
  channel: string;
  /** e.g. '"{number}" <{extension}>' */
  callerId: string;
  context: string;
}

const fill = (template: string, v: { number: string; extension: string }) =>
  template.replaceAll('{number}', v.number).replaceAll('{extension}', v.extension);

export function buildParams(t: Templates, number: string, extension: string): OriginateParams {
  return {
    caller_id: fill(t.callerId, { number, extension }),
    channel: fill(t.channel, { number, extension }),
    context: t.context,
    extension: number,
    priority: 1,
  };
}

/** null when the parameters can go on the wire; otherwise what is wrong. */
export function paramsProblem(p: OriginateParams): string | null {
  const bad = controlCharAt(p, 'the Originate parameters');
  if (bad) return `${bad} contains a control character`;
  for (const k of ['caller_id', 'channel', 'context', 'extension'] as const) {
    if (typeof p[k] !== 'string' || p[k] === '') return `${k} is empty`;
  }
  if (!Number.isInteger(p.priority) || p.priority < 1) return `priority ${String(p.priority)} is not a whole number >= 1`;
  return null;
}
