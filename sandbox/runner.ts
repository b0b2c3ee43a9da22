/**
 * A hook invocation as the engine sees it: the input checked against the hook's contract, the script run by a
 * RawRunner (in a supervised child by default), then the output checked in order — state, plain JSON, size,
 * contract — and turned into one InvocationResult. On any failure `data` is the hook's default.
 */
import {
  defaultData, limitsFor, makeError, validateInput, validateOutput,
  type HookData, type HookLimits, type HookName, type HooklineError,
} from '../contracts/index.ts';
import { capabilitiesFor, type Capabilities } from './capabilities.ts';
import type { CompiledScript } from './compile.ts';
import { chooseMp3Encoder } from './encoder.ts';
import { createIsolateRunner } from './isolate-runner.ts';
import type { CallMode, HostSession, LogEntry, RawLimits, RawOutcome, RawRunner, RunnableScript } from './raw.ts';
import { createIsolatingRunner, type IsolatingOptions } from './isolating.ts';
import { createSupervisorPool } from './pool.ts';
import type { SupervisorOptions } from './supervisor.ts';

export interface HookScript {
  version: number | string;
  compiled: CompiledScript;
}

export interface InvokeOptions {
  linkedid?: string;
  /** Pins Date.now()/new Date() inside the script (epoch ms), for replay. */
  now?: number;
  /** Seeds Math.random inside the script, for replay. */
  seed?: number;
  /** Overrides the hook's limits (from the config). */
  limits?: Partial<HookLimits>;
  /**
   * The invocation's capability calls (fetch, kommo.request, store: issue 19, capabilities/), carried out by the
   * host; ended with the invocation, its log lines added to the invocation's logs. Without it the script's
   * calls are refused (CAPABILITY_NOT_GRANTED).
   */
  host?: HostSession;
}

export interface InvocationResult<H extends HookName = HookName> {
  ok: boolean;
  /** The script's data when ok; otherwise the hook's default. */
  data: HookData<H>;
  error: HooklineError | null;
  logs: LogEntry[];
  durationMs: number;
}

export interface Runner {
  /**
   * Runs `script` for `hook`. With `script === null` (no published script) nothing runs: ok is true, data is
   * the default, and error is NO_SCRIPT (not a failure).
   */
  invoke<H extends HookName>(hook: H, script: HookScript | null, input: unknown, opts?: InvokeOptions): Promise<InvocationResult<H>>;
  /** Prepares the script's isolate and fresh contexts ahead of need (on publish). */
  warm(hook: HookName, script: HookScript, limits?: Partial<HookLimits>): Promise<void>;
  close(): Promise<void>;
}

export interface RunnerOptions {
  /**
   * 'child' (default): isolates live in supervised child processes, a shared one and one of its own for each
   * script that timed out, ran out of memory or crashed (isolating.ts); 'in-process': in this process.
   */
  isolation?: 'child' | 'in-process';
  /**
   * With 'child': more than 1 spreads scripts over that many children (each script pinned to one; replay's
   * throughput) instead of isolating them. Default 1: isolating.
   */
  children?: number;
  supervisor?: SupervisorOptions & Pick<IsolatingOptions, 'onMove' | 'ownIdleMs'>;
  /**
   * With 'child': the folder the sandbox child's bundle file is written to and run from (sandbox/child-command.ts).
   * The service passes its data folder; default `<os temp>/hookline-sandbox-<uid>`. Wins over `supervisor.bundleDir`.
   */
  bundleDir?: string;
  /**
   * How calls into isolates are made (raw.ts CallMode): 'async' (default, the engine's: each script on its own
   * isolate's thread) or 'sync' (replay: no thread hop per call, one script at a time per child). In the children
   * of a pool (`children` > 1) or, with 'in-process', in this process; the isolating runner (the default, the
   * engine's) ignores it and stays 'async', since keeping scripts apart is what it is for.
   */
  calls?: CallMode;
  /** Host capabilities, each offered to its one hook only (capabilities.ts): convertToMp3 → process_record_file_path. */
  capabilities?: Capabilities;
}

export function createRunner(opts: RunnerOptions = {}): Runner {
  const supervisor: SupervisorOptions = { ...opts.supervisor, ...(opts.bundleDir !== undefined ? { bundleDir: opts.bundleDir } : {}) };
  const calls = opts.calls ?? opts.supervisor?.calls ?? 'async';
  const raw: RawRunner =
    opts.isolation === 'in-process'
      ? createIsolateRunner({ calls })
      : (opts.children ?? 1) > 1
        ? createSupervisorPool(opts.children as number, { ...supervisor, calls })
        // The isolating runner exists to keep scripts apart: always asynchronous calls.
        : createIsolatingRunner({ ...supervisor, calls: 'async' });
  return createHookRunner(raw, opts.capabilities);
}

export function createHookRunner(raw: RawRunner, given?: Capabilities): Runner {
  // The encoder is decided here, in the process that builds the runner (the sandbox child may run from a bundle
  // outside the checkout, where the npm-shipped ffmpeg cannot be resolved).
  const capabilities: Capabilities | undefined = given?.convertToMp3 && !given.convertToMp3.encoder
    ? { ...given, convertToMp3: { ...given.convertToMp3, encoder: chooseMp3Encoder() } }
    : given;
  return {
    async invoke<H extends HookName>(hook: H, script: HookScript | null, input: unknown, o: InvokeOptions = {}) {
      const t0 = performance.now();
      const where = { hook, version: script?.version, linkedid: o.linkedid };
      const checked = validateInput(hook, input);
      if (!checked.ok) {
        // The engine always has a usable input for the default; a bad one means the default is all we can give.
        return fail(hook, input, makeError('INVALID_INPUT', { ...where, detail: checked.detail }), [], t0);
      }
      if (!script) {
        const none: InvocationResult = { ok: true, data: defaultData(hook as HookName, checked.data as never), error: makeError('NO_SCRIPT', where), logs: [], durationMs: performance.now() - t0 };
        return none as InvocationResult<H>;
      }
      const limits = limitsFor(hook, o.limits);
      const offered = capabilitiesFor(hook, capabilities);
      const inputJson = JSON.stringify(input);
      // The deadline counts from now, when the invocation was asked for (issue 14): checking the input is taken from it.
      const budgetMs = limits.timeoutMs - (performance.now() - t0);
      const r = await raw.run(runnable(hook, script), inputJson, rawLimits(limits), { now: o.now ?? null, seed: o.seed ?? null, budgetMs, ...(offered ? { capabilities: offered } : {}), ...(o.host ? { host: o.host } : {}) }).finally(() => o.host?.end());
      const scriptLogs = r.logsDropped > 0 ? [...r.logs, { level: 'warn' as const, text: `[hookline] ${r.logsDropped} more log lines were dropped (limit reached)` }] : r.logs;
      const logs = o.host ? [...scriptLogs, ...o.host.logs()] : scriptLogs;
      const error = outcomeError(r.outcome, { ...where, file: script.compiled.filename }, limits);
      if (error || r.outcome.kind !== 'ok') return fail(hook, checked.data, error ?? makeError('SANDBOX_CRASH', { ...where, detail: 'no outcome' }), logs, t0);
      // The sandbox measured the size already; measured again here, still before parsing, since this side
      // decides (a runner from another process is not trusted to have applied our limit).
      const json = r.outcome.json;
      const size = Buffer.byteLength(json, 'utf8');
      if (size > limits.maxOutputBytes) {
        return fail(hook, checked.data, makeError('OUTPUT_TOO_LARGE', { ...where, sizeBytes: size, limitBytes: limits.maxOutputBytes }), logs, t0);
      }
      let result: { data?: unknown };
      try {
        result = JSON.parse(json) as { data?: unknown };
      } catch {
        return fail(hook, checked.data, makeError('OUTPUT_NOT_JSON', { ...where, detail: 'the result is not JSON text' }), logs, t0);
      }
      const v = validateOutput(hook as HookName, result.data) as { ok: true; data: unknown } | { ok: false; detail: string; path: string };
      if (!v.ok) return fail(hook, checked.data, makeError('CONTRACT_VIOLATION', { ...where, detail: v.detail, path: v.path }), logs, t0);
      const ok: InvocationResult = { ok: true, data: v.data as never, error: null, logs, durationMs: performance.now() - t0 };
      return ok as InvocationResult<H>;
    },
    async warm(hook, script, limits) {
      const l = limitsFor(hook, limits);
      await raw.warm(runnable(hook, script), rawLimits(l));
    },
    close: () => raw.close(),
  };
}

const runnable = (hook: string, s: HookScript): RunnableScript => ({ hash: s.compiled.hash, code: s.compiled.code, map: s.compiled.map, hook });
const rawLimits = (l: HookLimits): RawLimits => ({ timeoutMs: l.timeoutMs, memoryMb: l.memoryMb, maxOutputBytes: l.maxOutputBytes });

function outcomeError(o: RawOutcome, where: { hook: string; version?: number | string; linkedid?: string; file: string }, limits: HookLimits): HooklineError | null {
  switch (o.kind) {
    case 'ok':
      return null;
    case 'state':
      return makeError('BAD_STATE', { ...where, file: undefined, state: o.state });
    case 'notjson':
      return makeError('OUTPUT_NOT_JSON', { ...where, file: undefined, detail: o.detail });
    case 'toolarge':
      return makeError('OUTPUT_TOO_LARGE', { ...where, file: undefined, sizeBytes: o.sizeBytes, limitBytes: limits.maxOutputBytes });
    case 'throw':
      return makeError('SCRIPT_ERROR', { ...where, line: o.line, column: o.column, file: o.line ? where.file : undefined, detail: o.message });
    case 'entry':
      return makeError('COMPILE_ERROR', { ...where, detail: o.detail });
    case 'timeout':
      return makeError('TIMEOUT', { ...where, file: undefined, timeoutMs: limits.timeoutMs });
    case 'memory':
      return makeError('MEMORY_LIMIT', { ...where, file: undefined, memoryMb: limits.memoryMb });
    case 'crash':
      return makeError('SANDBOX_CRASH', { ...where, file: undefined, detail: o.detail });
    case 'nostart':
      return makeError('SANDBOX_CRASH', { ...where, file: undefined, detail: o.detail, notStarted: true });
  }
}

function fail<H extends HookName>(hook: H, input: unknown, error: HooklineError, logs: LogEntry[], t0: number): InvocationResult<H> {
  let data: unknown;
  try {
    data = defaultData(hook as HookName, input as never);
  } catch {
    data = null;
  }
  const r = { ok: false, data, error, logs, durationMs: performance.now() - t0 };
  return r as InvocationResult<H>;
}
