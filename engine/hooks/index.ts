/** @module engine/hooks: how the engine runs a hook point (published script or default, captured, recorded). */
export { createHookInvoker, type ScriptSource, type InvocationRecord, type InvokerOptions } from './invoker.ts';
