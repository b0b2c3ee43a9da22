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
  /**
   * `unanswered`: the child did not answer by the deadline + margin (supervisor.ts), so the script may not be
   * what made it late (a child stopped, or a loaded machine); without it, the child itself ended the script.
   */
  | { kind: 'timeout'; unanswered?: true }
  | { kind: 'memory' }
  /**
   * The child died. `suspects`: the hashes of the scripts it was running then (supervisor.ts); `culprit`: the one
   * whose invocation it was killed for, when it was killed for not answering. The isolating runner uses them to
   * move scripts between children and to run a bystander's invocation again (isolating.ts).
   */
  | { kind: 'crash'; detail: string; suspects?: string[]; culprit?: string }
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
  /**
   * What is left of the invocation's time when it is handed to this runner (ms; default: `limits.timeoutMs`).
   * The deadline is counted from when the invocation was asked for (issue 14): time spent waiting for a child,
   * a restart or the script's earlier invocations is taken from it, never added to it.
   */
  budgetMs?: number;
  /**
   * The same deadline as a point in time (epoch ms, `performance.timeOrigin + performance.now()`), for a runner
   * in another process: it holds however long the message waits to be read (a child still booting reads it
   * ~100 ms after it was sent). Wins over `budgetMs`. Both processes read one system clock; if it is stepped
   * between their starts, the host's own deadline (supervisor.ts, timeout + margin) still bounds the answer.
   */
  deadlineEpochMs?: number;
  /** Host capabilities offered to this invocation (capabilities.ts); only ever those of the script's hook. */
  capabilities?: Capabilities;
  /**
   * Where the script's `fetch`, `kommo.request` and `store` calls go (issue 19): carried out by the host, in the
   * engine's process, by the capability layer (capabilities/). Not plain data: the supervisor keeps it and sends
   * the child `hostCalls: true` instead; the child forwards each call back (protocol.ts `sandbox:host-call`).
   */
  host?: HostCalls;
  /** Set by the supervisor for its child: the invocation's calls are forwarded to the host (`host` stays behind). */
  hostCalls?: boolean;
}

/**
 * The host side of a script's capability calls: `call(name, argJson)` answers a JSON text, `{"ok":true,"value":…}`
 * or `{"ok":false,"code":…,"message":…}`, and never rejects (capabilities/session.ts).
 */
export interface HostCalls {
  call(name: string, argJson: string): Promise<string>;
}

/**
 * One invocation's capability calls as the hook runner sees them (runner.ts InvokeOptions.host): ended when the
 * invocation ends (what is still in flight is aborted), its log lines (each request: method, URL without query
 * values, status, bytes, ms) added to the invocation's logs.
 */
export interface HostSession extends HostCalls {
  end(): void;
  logs(): LogEntry[];
}

/**
 * How the sandbox calls into an isolate: 'async' (default; the engine's) on the isolate's own thread, so a
 * runaway script delays only its own invocations (issue 14); 'sync' (replay's children) on the calling thread,
 * without the thread hop, one script at a time (isolate-runner.ts).
 */
export type CallMode = 'sync' | 'async';

/** Runs compiled scripts in isolates. Implemented in-process (isolate-runner) and behind a child (supervisor). */
export interface RawRunner {
  run(script: RunnableScript, inputJson: string, limits: RawLimits, opts?: RawRunOptions): Promise<RawResult>;
  warm(script: RunnableScript, limits: RawLimits): Promise<void>;
  close(): Promise<void>;
}
