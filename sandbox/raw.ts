import type { Capabilities } from './capabilities.ts';

/** What one run in an isolate produced, before the hook's contract is applied. Plain data: it crosses IPC. */
export type RawOutcome =
  | { kind: 'ok'; json: string }
  | { kind: 'state'; state: string }
  | { kind: 'notjson'; detail: string }
  /** The result's JSON text is over `maxOutputBytes` (measured in the sandbox, before parsing). */
  | { kind: 'toolarge'; sizeBytes: number }
  | { kind: 'throw'; message: string; line?: number; column?: number }
  /** The script compiled but its default export is not a function (esbuild cannot tell; found at run time). */
  | { kind: 'entry'; detail: string }
  | { kind: 'timeout' }
  | { kind: 'memory' }
  | { kind: 'crash'; detail: string }
  /** No child could be started for the run: its bundle file could not be written, or spawning it failed. */
  | { kind: 'nostart'; detail: string };

export interface LogEntry {
  level: 'log' | 'info' | 'warn' | 'error';
  text: string;
}

export interface RawResult {
  outcome: RawOutcome;
  logs: LogEntry[];
  /** Log lines dropped over the bound (stated, never silent). */
  logsDropped: number;
  durationMs: number;
}

export interface RawLimits {
  timeoutMs: number;
  memoryMb: number;
  maxOutputBytes: number;
}

/** The script as the runner needs it: compiled once, keyed by its hash. */
export interface RunnableScript {
  hash: string;
  code: string;
  map: string;
  hook: string;
}

export interface RawRunOptions {
  now?: number | null;
  seed?: number | null;
  /** Host capabilities offered to this invocation (capabilities.ts); only ever those of the script's hook. */
  capabilities?: Capabilities;
}

/** Runs compiled scripts in isolates. Implemented in-process (isolate-runner) and behind a child (supervisor). */
export interface RawRunner {
  run(script: RunnableScript, inputJson: string, limits: RawLimits, opts?: RawRunOptions): Promise<RawResult>;
  warm(script: RunnableScript, limits: RawLimits): Promise<void>;
  close(): Promise<void>;
}
