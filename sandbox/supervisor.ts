/**
 * The supervised child: the engine's RawRunner. Isolates live in a child process, so whatever a script does
 * (a V8 out-of-memory abort, a native crash) ends only that process: its in-flight invocations end with a
 * `crash` outcome (SANDBOX_CRASH, naming the scripts it was running: isolating.ts decides what that means), the
 * child is started again, and the next invocation works. Deadlines count from when `run` was called (issue 14):
 * an invocation not answered by its timeout plus `marginMs` ends with TIMEOUT then, whatever the child does; a
 * child that has still not answered it at the timeout plus `graceMs` is stuck in that script and is killed for it
 * (the crash names it as the culprit). deadline.ts holds the rule. A child that
 * cannot be started (its bundle file cannot be written, `spawn` throws or reports an error) is no exception
 * either: the invocations waiting for it end with a `nostart` outcome (SANDBOX_CRASH), and the next one tries again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { childCommand, type ChildCommand } from './child-command.ts';
import { rememberKey } from './bounded.ts';
import { EXPIRED, toEpochMs, withDeadline } from './deadline.ts';
import { SYNC_CALLS_FLAG, type ChildMessage, type HostMessage } from './protocol.ts';
import type { CallMode, HostCalls, RawLimits, RawOutcome, RawResult, RawRunner, RawRunOptions, RunnableScript } from './raw.ts';

export interface SupervisorOptions {
  /**
   * Added to a hook's timeout before the child is killed as unresponsive (default GRACE_MS). The child ends a
   * script at its timeout itself (isolated-vm's timeout, the host timer for awaits); a child that has not answered
   * by then plus this is stuck (a script V8 keeps in last-resort garbage collection never reaches its timeout).
   */
  graceMs?: number;
  /**
   * Added to a hook's timeout before the invocation ends with TIMEOUT without the child's answer (default
   * MARGIN_MS): the bound on how late a TIMEOUT can come, whatever the child is doing.
   */
  marginMs?: number;
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
  /**
   * The child's scheduling priority (`nice`, 0-19; default: as this process). isolating.ts starts a script's own
   * child at a lower priority: a script that loops there takes CPU from hookline's other work last.
   */
  nice?: number;
  /** Called when the child is killed for not answering an invocation of the script `hash` (isolating.ts). */
  onKilledFor?: (hash: string) => void;
  /**
   * Closes the child after it has had nothing to do for this long (ms; default: never). It is no crash: nothing
   * is reported, and the next invocation starts a child again, which warms what was warm here first (the script
   * of a child of its own: isolating.ts `ownIdleMs`). The shared child never rests.
   */
  idleMs?: number;
  /** The Node executable the child runs on. Default: process.execPath (the Node running hookline). */
  execPath?: string;
  /**
   * How the child calls into its isolates (raw.ts CallMode): 'async' (default), or 'sync' for replay's children,
   * which run one hook's draft and published version and need no isolation between scripts: no thread hop per
   * call, but one script at a time in the child (a runaway one still ends at its deadline, or is killed at the grace).
   */
  calls?: CallMode;
  /** For tests only: a comment put at the top of the child's bundle, to start it from a file of a chosen size. */
  bundleBanner?: string;
}

interface Pending {
  resolve: (r: RawResult) => void;
  /** The script it runs (or warms): the suspects of a crash are the scripts of the requests in flight. */
  hash: string;
  /** Past its answer deadline with no answer from the child: its script is the one the child is stuck in. */
  overdue: boolean;
  /**
   * Sends the request again to a new child when this one died for another script's fault (a bystander); false
   * when it may not (already tried twice, no time left): then it ends with the crash like the others.
   */
  again: () => boolean;
  /** Sends the request again with the script itself (the child asked for it). */
  resend: () => void;
  /** Where the run's capability calls go (issue 19); kept here, never sent. */
  host?: HostCalls;
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
  /** The script whose invocation the child was killed for (it did not answer by the grace). */
  killedFor: string | null;
  /** Closed for having been idle (SupervisorOptions.idleMs): its exit is no crash. */
  resting: boolean;
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
const NO_HOST_ANSWER = JSON.stringify({ ok: false, code: 'CAPABILITY_NOT_GRANTED', message: 'no capabilities are offered to this invocation' });
/**
 * How late past its timeout an invocation may end with TIMEOUT (the margin stated in docs/design/sandbox.md):
 * it covers the child's answer crossing back and isolated-vm's own lateness in ending a script (measured
 * 1-25 ms on the 2-core VM with three scripts spinning), with room for a loaded machine.
 */
export const MARGIN_MS = 100;
/** How long past its timeout a child that has not answered is left before it is killed as stuck. */
export const GRACE_MS = 2_000;
/** The child keeps 256 scripts (child.ts) and asks for one it dropped; past this the host sends a script with its run again. */
export const MAX_SENT = 1_024;
const WARMED: RawResult = { outcome: { kind: 'ok', json: '' }, logs: [], logsDropped: 0, durationMs: 0 };
const ended = (outcome: RawOutcome): RawResult => ({ outcome, logs: [], logsDropped: 0, durationMs: 0 });
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export interface Supervisor extends RawRunner {
  pid(): number | undefined;
  restarts(): number;
  /** How many times the child was closed for being idle (SupervisorOptions.idleMs). */
  rests(): number;
  sent(): number;
  /** Stops re-warming the hook's script in this child after a restart (it has moved to another child). */
  forget(hook: string): void;
}

export function createSupervisor(opts: SupervisorOptions = {}): Supervisor {
  const grace = opts.graceMs ?? GRACE_MS;
  const margin = Math.min(opts.marginMs ?? MARGIN_MS, grace);
  const maxSent = opts.maxSent ?? MAX_SENT;
  let child: Child | null = null;
  let started = 0;
  let nextId = 1;
  let closing = false;
  let starting: Promise<Child> | null = null;
  let rests = 0;
  let idleTimer: NodeJS.Timeout | null = null;
  const exe = opts.execPath ?? process.execPath;
  // The last version warmed per hook (the published one): what a restarted child warms again.
  const warmed = new Map<string, { script: RunnableScript; limits: RawLimits }>();

  function start(cmd: ChildCommand): Child {
    // May throw (E2BIG, a bad argument): current() turns that into a failed start.
    // detached: the child leads its own process group, so a terminal's Ctrl-C (SIGINT to the whole foreground
    // group) reaches hookline alone, which then closes the child itself (close()); before, the child died of the
    // same SIGINT first and the stop was logged as a crash (issue 15). It still ends with hookline: child.ts exits
    // when the IPC channel closes, which it does when this process dies, even by SIGKILL.
    const args = opts.calls === 'sync' ? [...cmd.args, SYNC_CALLS_FLAG] : cmd.args;
    const proc = spawn(exe, args, { serialization: 'json', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], detached: true });
    const c: Child = { proc, pending: new Map(), sent: new Set(), stderr: '', failedToStart: null, killedFor: null, resting: false };
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => {
      c.stderr = (c.stderr + d).slice(-STDERR_TAIL_CHARS);
    });
    proc.once('spawn', () => {
      started++;
      if (opts.nice !== undefined && proc.pid !== undefined) {
        try {
          setPriority(proc.pid, opts.nice);
        } catch {
          // Not permitted here (a container without the right): the child runs at the same priority.
        }
      }
    });
    proc.on('message', (m: ChildMessage) => {
      switch (m.type) {
        case 'sandbox:result':
          c.pending.get(m.id)?.resolve(m.result);
          c.pending.delete(m.id);
          idleCheck(c);
          break;
        case 'sandbox:need-script':
          c.pending.get(m.id)?.resend();
          break;
        case 'sandbox:warmed':
          c.pending.get(m.id)?.resolve(WARMED);
          c.pending.delete(m.id);
          idleCheck(c);
          break;
        case 'sandbox:ready':
          break;
        case 'sandbox:host-call': {
          // A script's fetch / kommo.request / store call, carried out here (capabilities/); its answer goes back
          // to the same child, whatever has happened to the run meanwhile (the child drops an answer it no longer waits for).
          const host = c.pending.get(m.id)?.host;
          const answer = host ? host.call(m.name, m.arg) : Promise.resolve(NO_HOST_ANSWER);
          void answer.then((a) => {
            if (c.proc.connected) c.proc.send({ type: 'host:host-answer', call: m.call, answer: a } satisfies HostMessage);
          });
          break;
        }
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
      const id = nextId++;
      // Pending like any request, so that a script whose warming kills the child is among the suspects.
      c.pending.set(id, { resolve: () => undefined, hash: w.script.hash, resend: () => undefined, overdue: false, again: () => false });
      proc.send({ type: 'host:warm', id, script: w.script, limits: w.limits } satisfies HostMessage);
    }
    return c;
  }

  /** With `idleMs`: the child is closed once it has had nothing in flight for that long (rest()). */
  function idleCheck(c: Child): void {
    if (opts.idleMs === undefined || c.pending.size > 0 || child !== c) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => rest(c), opts.idleMs);
    idleTimer.unref();
  }

  /** Closes an idle child: not a crash (end() says nothing); the next request starts one again and re-warms. */
  function rest(c: Child): void {
    idleTimer = null;
    if (closing || child !== c || c.pending.size > 0) return;
    child = null;
    c.resting = true;
    rests++;
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
    const exited = new Promise((r) => c.proc.once('exit', r));
    if (c.proc.connected) c.proc.disconnect();
    void withDeadline(exited, 2_000, () => c.proc.kill('SIGKILL'));
  }

  /** The child is gone (or never came): only its own requests end; the next invocation starts a new child. */
  function end(c: Child, outcome: RawOutcome & { detail: string }, stderr: string, stopped = false): void {
    if (child === c) child = null;
    // Once close() began, the child's exit is the stop asked for, whatever ended it; a resting child had nothing in flight.
    if (closing || (c.resting && c.pending.size === 0)) return;
    // A resting child has nothing in flight (rest() checks); should it have, they are ended (and sent again) below,
    // with nothing reported: it was closed, it did not crash.
    if (!c.resting) {
      if (stopped && opts.onStopped) opts.onStopped(outcome.detail);
      else opts.onCrash?.(outcome.detail, stderr);
    }
    const inFlight = [...c.pending.values()];
    c.pending.clear();
    // The culprit: the script it was killed for, else the scripts it had not answered past their deadline. The
    // requests of any other script are bystanders: sent again to the next child, within their own deadline.
    const culprits = new Set(c.killedFor ? [c.killedFor] : inFlight.filter((p) => p.overdue).map((p) => p.hash));
    const left = culprits.size > 0 ? inFlight.filter((p) => culprits.has(p.hash) || p.overdue || !p.again()) : inFlight;
    const suspects = [...new Set(left.map((p) => p.hash))];
    const culprit = culprits.size === 1 ? [...culprits][0] : undefined;
    const named = outcome.kind === 'crash' ? { ...outcome, suspects, ...(culprit ? { culprit } : {}) } : outcome;
    for (const p of left) p.resolve(ended(named));
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

  /**
   * One request, answered by the child, by its death (crash) or by the deadline (timeout): at `answerMs` after
   * `askedAt` it ends without the child's answer; at `killMs` the child, still silent, is killed for it. When its
   * child dies for another script, it is sent once more to the next child (`again`), with the time it has left.
   */
  function request(hash: string, build: (id: number, c: Child, withScript: boolean) => HostMessage, askedAt: number, answerMs: number, killMs: number, host?: HostCalls): Promise<RawResult> {
    const left = (ms: number) => askedAt + ms - performance.now();
    let settle!: (r: RawResult) => void;
    const answer = new Promise<RawResult>((resolve) => {
      settle = resolve;
    });
    let at: { c: Child; id: number } | null = null;
    let tries = 0;
    // A run that has called out (fetch, kommo.request, store) may have acted: it is never sent again, so a
    // crash of its child cannot make a webhook or a Kommo write happen twice (it ends with the crash instead).
    let calledOut = false;
    const counted: HostCalls | undefined = host && {
      call: (name, arg) => {
        calledOut = true;
        return host.call(name, arg);
      },
    };
    const attempt = async (): Promise<void> => {
      tries++;
      let c: Child;
      try {
        c = await current();
      } catch (e) {
        settle(ended({ kind: 'nostart', detail: messageOf(e) }));
        return;
      }
      if (c.failedToStart) {
        settle(ended({ kind: 'nostart', detail: c.failedToStart }));
        return;
      }
      const id = nextId++;
      at = { c, id };
      if (idleTimer) {
        clearTimeout(idleTimer);
        idleTimer = null;
      }
      c.pending.set(id, {
        resolve: settle,
        hash,
        overdue: false,
        resend: () => c.proc.send(build(id, c, true)),
        ...(counted ? { host: counted } : {}),
        again: () => {
          if (tries >= 2 || left(answerMs) <= 0 || calledOut) return false;
          void attempt();
          return true;
        },
      });
      c.proc.send(build(id, c, false));
    };
    void attempt();
    return withDeadline(answer, left(answerMs), () => {
      const where = at;
      if (!where) return;
      const p = where.c.pending.get(where.id);
      if (p) p.overdue = true;
      const kill = () => {
        if (!where.c.pending.has(where.id)) return;
        // Stuck in this script: stop sending it work at once and kill it; its exit ends its other requests,
        // which are bystanders of this culprit, sent again to the next child (end()).
        where.c.killedFor = hash;
        if (child === where.c) child = null;
        where.c.proc.kill('SIGKILL');
        opts.onKilledFor?.(hash);
      };
      const timer = setTimeout(kill, Math.max(0, left(killMs)));
      void answer.then(() => clearTimeout(timer));
    }).then((r) => (r === EXPIRED ? { outcome: { kind: 'timeout' as const, unanswered: true as const }, logs: [], logsDropped: 0, durationMs: performance.now() - askedAt } : r));
  }

  return {
    run(script: RunnableScript, inputJson: string, limits: RawLimits, o: RawRunOptions = {}) {
      const askedAt = performance.now();
      const budget = o.budgetMs ?? limits.timeoutMs;
      return request(script.hash, (id, c, withScript) => {
        const include = withScript || !c.sent.has(script.hash);
        rememberKey(c.sent, script.hash, maxSent);
        // The deadline as a point in time: waiting for a child to start (and read it) is taken from its budget.
        // The host's capability calls stay here (a function): the child is told to forward them.
        const { host: _host, ...plain } = o;
        const opts = { ...plain, deadlineEpochMs: toEpochMs(askedAt + budget), ...(o.host ? { hostCalls: true } : {}) };
        return { type: 'host:run', id, hash: script.hash, ...(include ? { script } : {}), inputJson, limits, opts };
      }, askedAt, budget + margin, budget + grace, o.host);
    },
    async warm(script, limits) {
      warmed.set(script.hook, { script, limits });
      await request(script.hash, (id, c) => {
        rememberKey(c.sent, script.hash, maxSent);
        return { type: 'host:warm', id, script, limits };
      }, performance.now(), WARM_DEADLINE_MS, WARM_DEADLINE_MS);
    },
    forget(hook: string) {
      warmed.delete(hook);
    },
    async close() {
      closing = true;
      if (idleTimer) clearTimeout(idleTimer);
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
    restarts: () => Math.max(0, started - 1 - rests),
    rests: () => rests,
    sent: () => child?.sent.size ?? 0,
  };
}
