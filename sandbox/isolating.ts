/**
 * The engine's RawRunner (issue 14): one script's fault never touches another hook. Scripts run in a shared
 * child ("home"), each isolate on its own thread (isolate-runner.ts), so a script that loops or waits delays
 * only its own invocations. What a thread cannot contain, a process does: V8 running out of memory aborts the
 * whole child (isolated-vm #107, #527), and a script stuck in garbage collection gets the child killed. So a
 * script that has shown it can do either moves to a child of its own ("own"), where only it pays:
 *
 *   home ──TIMEOUT / MEMORY_LIMIT / lone suspect of a crash──▶ own child (convicted: stays until its version is replaced)
 *   home ──one of several suspects of a crash──▶ own child (suspect: its invocation runs there once more;
 *                                                 back home after PAROLE_AFTER clean invocations)
 *
 * A crash of the home child ends the invocations of the scripts it was running; the supervisor already sent
 * again those it knew were bystanders (the child was killed for another script). When the child died of its own
 * accord (a V8 abort), nobody knows which script did it: each suspect moves to its own child and its invocation
 * runs there once more, within the time it has left, so the innocent get their answer and the guilty one crashes
 * its own child only. Every deadline counts from when `run` was called: waiting for a child to start is taken
 * from the invocation's time, never added to it.
 */
import type { RawLimits, RawResult, RawRunner, RawRunOptions, RunnableScript } from './raw.ts';
import { remember } from './bounded.ts';
import { createSupervisor, type Supervisor, type SupervisorOptions } from './supervisor.ts';

/** Scripts of the shared child remembered by hash, so that the one it is killed for can be moved out. */
const MAX_SEEN = 256;

/**
 * The scheduling priority of a child of its own (nice 10, or its runner's own when lower, as the shadow runs' 15;
 * the shared child and the engine keep theirs): on the
 * 2-core VM a script looping there took one core, and the well-behaved hooks' tail latency paid for it.
 */
export const OWN_CHILD_NICE = 10;
/** Children of their own at most (each ~55-60 MB at rest): the least recently used one is closed first. */
export const MAX_OWN_CHILDREN = 6;
/**
 * Clean invocations in its own child after which a mere suspect goes back to the shared child. Not fewer: the
 * shared child is then often still restarting after the crash, and the move makes the script's next invocations
 * wait for it (measured: ~0.9 s with 3, while the guilty script aborted its own child beside it).
 */
export const PAROLE_AFTER = 20;
/** ...and no sooner than this after the move, so that the crash's aftermath (restarts, the guilty one's retry) is over. */
export const PAROLE_NOT_BEFORE_MS = 30_000;
/**
 * A child of its own with nothing to do for this long is closed (its ~55-60 MB given back); the script stays
 * placed there, and its next invocation starts the child again, which warms it first (~100 ms taken from that
 * invocation's time). Config: sandbox.ownChildIdleSeconds.
 */
export const OWN_IDLE_MS = 300_000;

export type Placement = 'shared' | 'own';

export interface Move {
  hook: string;
  hash: string;
  to: Placement;
  why: 'timeout' | 'memory' | 'crash' | 'suspect' | 'parole' | 'replaced';
}

export interface IsolatingOptions extends SupervisorOptions {
  maxOwnChildren?: number;
  paroleAfter?: number;
  paroleNotBeforeMs?: number;
  /** Closes a child of its own after this long without invocations (ms; default OWN_IDLE_MS); started again on demand. */
  ownIdleMs?: number;
  /** Called when a script moves between children (for logs and status). Must not throw. */
  onMove?: (m: Move) => void;
}

interface Own {
  hook: string;
  sup: Supervisor;
  convicted: boolean;
  clean: number;
  inFlight: number;
  /** Taken out of use: closed when its last invocation ends. */
  leaving: boolean;
  /** Going back to the shared child: warmed there first, moved when that is done. */
  paroling: boolean;
  since: number;
}

export interface IsolatingRunner extends RawRunner {
  placement(hash: string): Placement;
  /** The shared child's pid, and each own child's (for tests and the benchmark): undefined while it rests or restarts. */
  pids(): { shared: number | undefined; own: Record<string, number | undefined> };
  /** How many times children of their own were closed for being idle (IsolatingOptions.ownIdleMs). */
  rests(): number;
}

export function createIsolatingRunner(opts: IsolatingOptions = {}): IsolatingRunner {
  const maxOwn = opts.maxOwnChildren ?? MAX_OWN_CHILDREN;
  const paroleAfter = opts.paroleAfter ?? PAROLE_AFTER;
  const paroleNotBefore = opts.paroleNotBeforeMs ?? PAROLE_NOT_BEFORE_MS;
  const ownIdleMs = opts.ownIdleMs ?? OWN_IDLE_MS;
  // The shared child killed for a script that stopped answering: that script is the culprit.
  // It never rests (idleMs): it is where every hook's published version is warm.
  const home = createSupervisor({ ...opts, idleMs: undefined, onKilledFor: (hash) => convict(hash) });
  const scriptsSeen = new Map<string, { script: RunnableScript; limits: RawLimits }>();
  // Insertion order is recency: the first one is the least recently used.
  const own = new Map<string, Own>();
  /** The last version warmed per hook (the published one), with its limits. */
  const warmed = new Map<string, { script: RunnableScript; limits: RawLimits }>();

  const moved = (m: Move) => {
    try {
      opts.onMove?.(m);
    } catch {
      // A listener's fault is not the sandbox's.
    }
  };

  function leave(hash: string, o: Own) {
    if (own.get(hash) === o) own.delete(hash);
    o.leaving = true;
    if (o.inFlight === 0) void o.sup.close();
  }

  /** Moves a script to a child of its own (or marks the one it has as convicted), and warms it there. */
  function exile(script: RunnableScript, limits: RawLimits, convicted: boolean, why: Move['why']): void {
    const existing = own.get(script.hash);
    if (existing) {
      existing.convicted ||= convicted;
      return;
    }
    const o: Own = { hook: script.hook, sup: createSupervisor({ ...opts, nice: Math.max(opts.nice ?? 0, OWN_CHILD_NICE), idleMs: ownIdleMs }), convicted, clean: 0, inFlight: 0, leaving: false, paroling: false, since: performance.now() };
    own.set(script.hash, o);
    const w = warmed.get(script.hook);
    if (w?.script.hash === script.hash) home.forget(script.hook);
    void o.sup.warm(script, w?.script.hash === script.hash ? w.limits : limits);
    moved({ hook: script.hook, hash: script.hash, to: 'own', why });
    for (const [hash, old] of own) {
      if (own.size <= maxOwn) break;
      if (old !== o) leave(hash, old);
    }
  }

  function convict(hash: string): void {
    const mine = own.get(hash);
    if (mine) mine.convicted = true;
    else {
      const seen = scriptsSeen.get(hash);
      if (seen) exile(seen.script, seen.limits, true, 'timeout');
    }
  }

  /** Back to the shared child, once the script is warm there (a restarting shared child is waited for off the call path). */
  function parole(script: RunnableScript, o: Own): void {
    if (o.paroling) return;
    o.paroling = true;
    const w = warmed.get(script.hook);
    // Only the hook's published version is warmed there (and re-warmed after a restart); a draft is not.
    const ready = w?.script.hash === script.hash ? home.warm(w.script, w.limits) : Promise.resolve();
    void ready.then(() => {
      if (own.get(script.hash) !== o || o.convicted) return;
      leave(script.hash, o);
      moved({ hook: script.hook, hash: script.hash, to: 'shared', why: 'parole' });
    });
  }

  async function runOnce(script: RunnableScript, inputJson: string, limits: RawLimits, o: RawRunOptions, budgetLeft: () => number): Promise<{ r: RawResult; where: Own | null }> {
    const mine = own.get(script.hash) ?? null;
    if (mine) {
      own.delete(script.hash);
      own.set(script.hash, mine);
      mine.inFlight++;
    }
    try {
      return { r: await (mine?.sup ?? home).run(script, inputJson, limits, { ...o, budgetMs: budgetLeft() }), where: mine };
    } finally {
      if (mine && --mine.inFlight === 0 && mine.leaving) void mine.sup.close();
    }
  }

  async function run(script: RunnableScript, inputJson: string, limits: RawLimits, o: RawRunOptions = {}): Promise<RawResult> {
    const askedAt = performance.now();
    const budget = o.budgetMs ?? limits.timeoutMs;
    const budgetLeft = () => budget - (performance.now() - askedAt);
    if (!own.has(script.hash)) remember(scriptsSeen, script.hash, { script, limits }, MAX_SEEN);
    // A run that called out (fetch, kommo.request, store) may have acted: it is not run again after a crash.
    let calledOut = false;
    const given = o.host;
    if (given) {
      o = {
        ...o,
        host: {
          call: (name, arg) => {
            calledOut = true;
            return given.call(name, arg);
          },
        },
      };
    }
    let { r, where } = await runOnce(script, inputJson, limits, o, budgetLeft);
    const out = r.outcome;
    switch (out.kind) {
      case 'timeout':
        // Ended by the child: the script's own doing. Unanswered: the child was late, maybe not for this script;
        // moved out as a suspect (back after clean invocations), convicted if the child is then killed for it.
        exile(script, limits, !out.unanswered, out.unanswered ? 'suspect' : 'timeout');
        break;
      case 'memory':
        exile(script, limits, true, out.kind);
        break;
      case 'crash': {
        if (where) {
          where.convicted = true;
          break;
        }
        const suspects = out.suspects ?? [script.hash];
        if (out.culprit === script.hash || (out.culprit === undefined && suspects.length <= 1)) {
          exile(script, limits, true, 'crash');
          break;
        }
        if (out.culprit !== undefined) break; // a bystander the supervisor already sent again once
        // One of several suspects of a child that died of its own accord: run it again in a child of its own.
        exile(script, limits, false, 'suspect');
        if (budgetLeft() > 0 && !calledOut) ({ r, where } = await runOnce(script, inputJson, limits, o, budgetLeft));
        break;
      }
      default:
        break;
    }
    const mine = own.get(script.hash);
    if (mine && !mine.convicted && r.outcome.kind !== 'crash' && r.outcome.kind !== 'timeout' && r.outcome.kind !== 'memory') {
      if (++mine.clean >= paroleAfter && performance.now() - mine.since >= paroleNotBefore) parole(script, mine);
    } else if (mine && where === mine && (r.outcome.kind === 'crash' || (r.outcome.kind === 'timeout' && !r.outcome.unanswered) || r.outcome.kind === 'memory')) {
      mine.convicted = true;
    }
    return r;
  }

  return {
    run,
    async warm(script, limits) {
      const before = warmed.get(script.hook);
      warmed.set(script.hook, { script, limits });
      // A new version of a hook starts in the shared child: the verdict was on the old one.
      if (before && before.script.hash !== script.hash) {
        const old = own.get(before.script.hash);
        if (old) {
          leave(before.script.hash, old);
          moved({ hook: script.hook, hash: before.script.hash, to: 'shared', why: 'replaced' });
        }
      }
      const mine = own.get(script.hash);
      await (mine?.sup ?? home).warm(script, limits);
    },
    async close() {
      await Promise.all([home.close(), ...[...own.values()].map((o) => o.sup.close())]);
      own.clear();
    },
    placement: (hash) => (own.has(hash) ? 'own' : 'shared'),
    rests: () => [...own.values()].reduce((n, o) => n + o.sup.rests(), 0),
    pids: () => ({ shared: home.pid(), own: Object.fromEntries([...own].map(([h, o]) => [h, o.sup.pid()])) }),
  };
}
