/** @module engine/hooks: the one way hookline runs a hook point (published script, else the contract's default; captured, recorded). */
export { createHookInvoker, type HookInvoker, type HookOutcome, type HookContext, type ScriptSource, type InvocationRecord, type InvokerOptions } from './invoker.ts';
export { createQuarantine, DEFAULT_QUARANTINE, type Quarantine, type QuarantineEntry, type QuarantineSettings } from './quarantine.ts';
