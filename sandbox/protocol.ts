/**
 * Messages between the engine (supervisor.ts) and the sandbox child (child.ts), behind one switch on each side.
 *
 *   host:run ──▶ sandbox:result            the script travels once per child: later runs name its hash only
 *   host:run ──▶ sandbox:need-script       the child does not have it (new child, or dropped): sent again with it
 *   host:warm ──▶ sandbox:warmed
 *   sandbox:host-call ──▶ host:host-answer  a script's fetch / kommo.request / store call of run `id`, carried
 *                                          out by the host (issue 19, capabilities/); `call` numbers it in the child
 */
import type { RawLimits, RawResult, RawRunOptions, RunnableScript } from './raw.ts';

/** The argument after the child's file that makes its calls into isolates synchronous (SupervisorOptions.calls). */
export const SYNC_CALLS_FLAG = '--calls=sync';

export type HostMessage =
  | { type: 'host:run'; id: number; hash: string; script?: RunnableScript; inputJson: string; limits: RawLimits; opts: RawRunOptions }
  | { type: 'host:warm'; id: number; script: RunnableScript; limits: RawLimits }
  | { type: 'host:host-answer'; call: number; answer: string };

export type ChildMessage =
  | { type: 'sandbox:ready' }
  | { type: 'sandbox:result'; id: number; result: RawResult }
  | { type: 'sandbox:need-script'; id: number }
  | { type: 'sandbox:warmed'; id: number }
  | { type: 'sandbox:host-call'; id: number; call: number; name: string; arg: string };
