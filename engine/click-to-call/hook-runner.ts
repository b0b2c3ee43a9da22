/**
 * What this module needs of the engine's HookInvoker (engine/hooks createHookInvoker): run a hook's published
 * script, or its default, and say whether it failed. Structural, so any invoker fits.
 */
import type { HookData, HookInput, HookName, HooklineError } from '../../contracts/index.ts';

export interface HookRunner {
  invoke<H extends HookName>(
    hook: H,
    input: HookInput<H>,
    linkedid: string | null,
  ): Promise<{ data: HookData<H>; error: HooklineError | null; version: number | string | null; durationMs: number }>;
}
