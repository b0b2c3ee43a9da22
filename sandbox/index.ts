/** @module sandbox: compile an operator's TypeScript (esbuild) and run it safely (isolated-vm, supervised child). */
export { compile, type CompiledScript, type CompileResult, type CompileOptions } from './compile.ts';
export {
  createRunner, createHookRunner,
  type Runner, type RunnerOptions, type HookScript, type InvokeOptions, type InvocationResult,
} from './runner.ts';
export { createIsolateRunner, type IsolateRunnerOptions } from './isolate-runner.ts';
export { createSupervisor, type Supervisor, type SupervisorOptions } from './supervisor.ts';
export { createIsolatingRunner, type IsolatingOptions, type IsolatingRunner, type Move, type Placement } from './isolating.ts';
export { createSupervisorPool } from './pool.ts';
export { DEFAULT_BUNDLE_DIR } from './child-command.ts';
export { CAPABILITY_HOOK, type Capabilities, type ConvertToMp3Options } from './capabilities.ts';
export { chooseMp3Encoder, describeMp3Encoder, findOnPath, npmFfmpegPath, type EncoderLookup, type Mp3Encoder, type Mp3EncoderSource } from './encoder.ts';
export type { CallMode, HostCalls, HostSession, LogEntry, RawRunner, RawResult, RawOutcome, RawLimits, RunnableScript } from './raw.ts';
