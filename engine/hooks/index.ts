/** @module engine/hooks: how the engine runs a hook point (published script or default, captured, recorded). */
export { createHookInvoker, type ScriptSource, type InvocationRecord, type InvokerOptions } from './invoker.ts';
export { createPublishedScripts, recordInto, type PublishedScripts } from './published-scripts.ts';
