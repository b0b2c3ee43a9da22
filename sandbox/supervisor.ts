/**
 * The supervised child: the engine's RawRunner. Isolates live in a child process, so whatever a script does
 * (a V8 out-of-memory abort, a native crash) ends only that process: its in-flight invocations end with a
 * `crash` outcome (SANDBOX_CRASH), the child is started again, and the next invocation works. A child that
 * stops answering is killed at the hook's timeout plus a grace period (deadline.ts holds that rule). A child that
 * cannot be started (its bundle file cannot be written, `spawn` throws or reports an error) is no exception
 * either: the invocations waiting for it end with a `nostart` outcome (SANDBOX_CRASH), and the next one tries again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { childCommand, type ChildCommand } from './child-command.ts';
import { rememberKey } from './bounded.ts';
import { EXPIRED, withDeadline } from './deadline.ts';
import type { ChildMessage, HostMessage } from './protocol.ts';
import type { RawLimits, RawOutcome, RawResult, RawRunner, RawRunOptions, RunnableScript } from './raw.ts';

export interface SupervisorOptions {
  /** Added to a hook's timeout before the child is killed as unresponsive. */
  graceMs?: number;
  /**
   * Called when the child dies or is killed, or cannot be started (once per attempt), for logs and status, with
   * the tail of what it wrote on stderr.
   */
  onCrash?: (detail: string, stderrTail: string) => void;
  /**
   * Called instead of onCrash when the child was ended by SIGINT or SIGTERM, sent from outside hookline (a
   * service manager stopping the whole group or cgroup, someone's `kill`): a stop, not a crash. Its in-flight
   * invocations still end with SANDBOX_CRASH, and the next invocation starts a new child.
   */
  onStopped?: (detail: string) => void;
  /** How many script hashes are remembered as sent to the child (default MAX_SENT). */
  maxSent?: number;
  /**
   * The folder the child's bundle file is written to (child-command.ts), created if missing; it must belong to
   * this user (or root) and not be writable by every user. The service passes its data folder. Default:
   * `<os temp>/hookline-sandbox-<uid>`.
   */
  bundleDir?: string;
  /** The Node executable the child runs on. Default: process.execPath (the Node running hookline). */
  execPath?: string;
  /** For tests only: a comment put at the top of the child's bundle, to start it from a file of a chosen size. */
  bundleBanner?: string;
}

interface Pending {
  resolve: (r: RawResult) => void;
  /** Sends the request again with the script itself (the child asked for it). */
  resend: () => void;
}

interface Child {
  proc: ChildProcess;
  pending: Map<number, Pending>;
  /** Hashes of the scripts this child has been sent, the most recent MAX_SENT: later runs name the hash only. */
  sent: Set<string>;
  /** The last bytes the child wrote on stderr (V8 prints its fatal-error report there). */
  stderr: string;
  /** Why spawning failed, once it has: its requests were answered then, and its 'close' says nothing more. */
  failedToStart: string | null;
}

/** Kept of the child's stderr, for the crash report. */
const STDERR_TAIL_CHARS = 4096;

/** One line on why the child died, read from V8's own report when there is one. */
function why(stderr: string): string {
  if (/out of memory|is_heap_oom|Reached heap limit/i.test(stderr)) return ': V8 ran out of memory';
  const line = stderr.trim().split('\n').filter((l) => /fatal|error/i.test(l)).at(-1);
  return line ? `: ${line.slice(0, 200)}` : '';
}

const WARM_DEADLINE_MS = 30_000;
/** The child keeps 256 scripts (child.ts) and asks for one it dropped; past this the host sends a script with its run again. */
export const MAX_SENT = 1_024;
const WARMED: RawResult = { outcome: { kind: 'ok', json: '' }, logs: [], logsDropped: 0, durationMs: 0 };
const ended = (outcome: RawOutcome): RawResult => ({ outcome, logs: [], logsDropped: 0, durationMs: 0 });
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function createSupervisor(opts: SupervisorOptions = {}): RawRunner & { pid(): number | undefined; restarts(): number; sent(): number } {
  const grace = opts.graceMs ?? 2_000;
  const maxSent = opts.maxSent ?? MAX_SENT;
  let child: Child | null = null;
  let started = 0;
  let nextId = 1;
  let closing = false;
  let starting: Promise<Child> | null = null;
  const exe = opts.execPath ?? process.execPath;
  // The last version warmed per hook (the published one): what a restarted child warms again.
  const warmed = new Map<string, { script: RunnableScript; limits: RawLimits }>();

  function start(cmd: ChildCommand): Child {
    // May throw (E2BIG, a bad argument): current() turns that into a failed start.
    // detached: the child leads its own process group, so a terminal's Ctrl-C (SIGINT to the whole foreground
    // group) reaches hookline alone, which then closes the child itself (close()); before, the child died of the
    // same SIGINT first and the stop was logged as a crash (issue 15). It still ends with hookline: child.ts exits
    // when the IPC channel closes, which it does when this process dies, even by SIGKILL.
    const proc = spawn(exe, cmd.args, { serialization: 'json', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], detached: true });
    const c: Child = { proc, pending: new Map(), sent: new Set(), stderr: '', failedToStart: null };
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => {
      c.stderr = (c.stderr + d).slice(-STDERR_TAIL_CHARS);
    });
    proc.once('spawn', () => started++);
    proc.on('message', (m: ChildMessage) => {
      switch (m.type) {
        case 'sandbox:result':
          c.pending.get(m.id)?.resolve(m.result);
          c.pending.delete(m.id);
          break;
        case 'sandbox:need-script':
          c.pending.get(m.id)?.resend();
          break;
        case 'sandbox:warmed':
          c.pending.get(m.id)?.resolve(WARMED);
          c.pending.delete(m.id);
          break;
        case 'sandbox:ready':
          break;
      }
    });
    // Spawning failed when there is no pid (the executable is missing or cannot run: ENOENT, EACCES). Any other
    // error is a message sent to a child that is going away, and its 'close' answers its requests.
    proc.on('error', (e: NodeJS.ErrnoException) => {
      if (proc.pid !== undefined || c.failedToStart || !e.syscall?.startsWith('spawn')) return;
      c.failedToStart = `could not start the sandbox process with ${exe}: ${e.message}`;
      end(c, { kind: 'nostart', detail: c.failedToStart }, c.stderr);
    });
    // 'close', not 'exit': by then stderr is read to the end, so V8's report is in the crash detail.
    proc.on('close', (code, signal) => {
      if (c.failedToStart) return;
      const detail = `the sandbox process exited (${signal ? `signal ${signal}` : `code ${code}`})${why(c.stderr)}`;
      end(c, { kind: 'crash', detail }, c.stderr, signal === 'SIGINT' || signal === 'SIGTERM');
    });
    // A restarted child has no warm isolates: warm again what was warm, off the call path.
    for (const w of warmed.values()) {
      rememberKey(c.sent, w.script.hash, maxSent);
      proc.send({ type: 'host:warm', id: nextId++, script: w.script, limits: w.limits } satisfies HostMessage);
    }
    return c;
  }

  /** The child is gone (or never came): only its own requests end; the next invocation starts a new child. */
  function end(c: Child, outcome: RawOutcome & { detail: string }, stderr: string, stopped = false): void {
    if (child === c) child = null;
    // Once close() began, the child's exit is the stop asked for, whatever ended it.
    if (closing) return;
    if (stopped && opts.onStopped) opts.onStopped(outcome.detail);
    else opts.onCrash?.(outcome.detail, stderr);
    for (const p of c.pending.values()) p.resolve(ended(outcome));
    c.pending.clear();
  }

  /** The running child, or one being started for every caller waiting; rejects when it cannot be started. */
  function current(): Promise<Child> {
    if (child?.proc.connected) return Promise.resolve(child);
    starting ??= childCommand({ bundleDir: opts.bundleDir, bundleBanner: opts.bundleBanner })
      .then((cmd: ChildCommand) => {
        if (child?.proc.connected) return child;
        try {
          child = start(cmd);
        } catch (e) {
          throw new Error(`could not start the sandbox process with ${exe}: ${messageOf(e)}`, { cause: e });
        }
        return child;
      })
      .catch((e: unknown) => {
        if (!closing) opts.onCrash?.(messageOf(e), '');
        throw e;
      })
      .finally(() => {
        starting = null;
      });
    return starting;
  }

  /** One request to the current child, answered by it, by its death (crash) or by the deadline (timeout). */
  async function request(build: (id: number, c: Child, withScript: boolean) => HostMessage, deadlineMs: number): Promise<RawResult> {
    let c: Child;
    try {
      c = await current();
    } catch (e) {
      return ended({ kind: 'nostart', detail: messageOf(e) });
    }
    if (c.failedToStart) return ended({ kind: 'nostart', detail: c.failedToStart });
    const id = nextId++;
    const answer = new Promise<RawResult>((resolve) => {
      c.pending.set(id, { resolve, resend: () => c.proc.send(build(id, c, true)) });
    });
    c.proc.send(build(id, c, false));
    return withDeadline(answer, deadlineMs, () => {
      // Unresponsive: stop sending it work at once and kill it; its exit ends its other in-flight invocations.
      c.pending.delete(id);
      if (child === c) child = null;
      c.proc.kill('SIGKILL');
    }).then((r) => (r === EXPIRED ? { outcome: { kind: 'timeout' as const }, logs: [], logsDropped: 0, durationMs: deadlineMs } : r));
  }

  return {
    run(script: RunnableScript, inputJson: string, limits: RawLimits, o: RawRunOptions = {}) {
      return request((id, c, withScript) => {
        const include = withScript || !c.sent.has(script.hash);
        rememberKey(c.sent, script.hash, maxSent);
        return { type: 'host:run', id, hash: script.hash, ...(include ? { script } : {}), inputJson, limits, opts: o };
      }, limits.timeoutMs + grace);
    },
    async warm(script, limits) {
      warmed.set(script.hook, { script, limits });
      await request((id, c) => {
        rememberKey(c.sent, script.hash, maxSent);
        return { type: 'host:warm', id, script, limits };
      }, WARM_DEADLINE_MS);
    },
    async close() {
      closing = true;
      // A child being started now is closed with the rest, not left running.
      await starting?.catch(() => undefined);
      const c = child;
      child = null;
      if (c && c.proc.exitCode === null && c.proc.signalCode === null) {
        // 'exit', not 'close': measured on Node 24, a child whose channel the parent disconnected exits at once,
        // but its 'close' never comes, so waiting for it always cost the full 2 s before a needless SIGKILL.
        const exited = new Promise((r) => c.proc.once('exit', r));
        c.proc.disconnect();
        await withDeadline(exited, 2_000, () => c.proc.kill('SIGKILL'));
      }
    },
    pid: () => child?.proc.pid,
    restarts: () => Math.max(0, started - 1),
    sent: () => child?.sent.size ?? 0,
  };
}
