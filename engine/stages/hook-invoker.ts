/**
 * How the engine runs a hook: the published script of the hook (or its default when there is none), in the
 * sandbox, with the input captured for replay and a failure recorded. The engine code only sees this
 * interface; engine/hooks wires it to the sandbox runner and the scripts store.
 */
import type { HookData, HookInput, HookName, HooklineError } from '../../contracts/index.ts';

export interface HookOutcome<H extends HookName> {
  /** The data the engine goes on with: the script's output, or the hook's default on failure or without a script. */
  data: HookData<H>;
  /** null when the script ran and its output was used. NO_SCRIPT when there is no published script. */
  error: HooklineError | null;
  version: number | string | null;
  durationMs: number;
}

export interface HookInvoker {
  invoke<H extends HookName>(hook: H, input: HookInput<H>, linkedid: string | null): Promise<HookOutcome<H>>;
}
