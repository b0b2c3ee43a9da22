/**
 * The in-process runner: one warm isolate per script version and limits, and for every invocation a fresh
 * context prepared ahead of need (prelude and script already evaluated, warmed with the shapes of the last
 * input), so no state is shared between invocations and the call path is one asynchronous `apply`. Inside the
 * engine this runs in the supervised child (supervisor.ts); tests and the benchmark also use it directly.
 *
 * Every call into an isolate is asynchronous (issue 14): isolated-vm runs it on the isolate's own thread, so
 * this thread (the child's event loop) stays free while a script loops, allocates or waits, and the other
 * scripts' isolates run alongside. A synchronous call (`applySync`, `runSync`, `getSync`) would block this thread
 * for as long as the script runs, or wait for a busy isolate's lock: none is used on an isolate that may be
 * running a script. Invocations of one script take turns (`turns`), each started only while time is left
 * before its deadline, counted from when it was asked for (`RawRunOptions.budgetMs`).
 *
 * `calls: 'sync'` (replay's children only: pool.ts via createRunner({ calls })) takes the hop back: the call
 * path (`applySync`) and preparing contexts (`runSync`, `getSync`, ...) block this thread, with the same timeouts,
 * so one script at a time runs in the process. Replay runs one hook's draft and published version and needs no
 * isolation between hooks; it saves the ~50-75 µs thread hop per call and per step of preparing a context.
 * Awaiting a script's promise stays asynchronous and raced by deadline.ts, as do the logs of a run that never answered.
 */
import { SourceMap } from 'node:module';
import ivm from 'isolated-vm';
import { capabilitiesFor, invocationCapabilities } from './capabilities.ts';
import { EXPIRED, expiresAt, timeLeft, withDeadline } from './deadline.ts';
import { LOG_LIMIT_CHARS, LOG_LIMIT_ENTRIES, PRELUDE } from './prelude.ts';
import type { CallMode, LogEntry, RawLimits, RawOutcome, RawResult, RawRunOptions, RawRunner, RunnableScript } from './raw.ts';

/** Contexts kept ready per warm script: the next invocation never waits for one to be built. */
const READY_CONTEXTS = 2;
/** An isolate is replaced after this many invocations, so garbage of many short contexts never piles up. */
const RECYCLE_AFTER = 5_000;
/**
 * Warm isolates kept, least recently used dropped first: 13 published hooks plus drafts under replay fit;
 * each costs ~2-3 MB with its ready contexts (bench: 13 warm hooks), so the bound keeps the child near 150 MB.
 */
const MAX_SLOTS = 32;
const LOGS_TIMEOUT_MS = 50;
/**
 * The next fresh context is prepared this long after an invocation ends, not at once (setImmediate): the answer
 * crosses to the caller first. Measured in the engine's child on the 2-core VM (issue 14), preparing at once
 * put the isolate's thread to work building a context while the answer was on its way back, and the engine
 * read it ~700 µs later instead of ~110 µs: the warm invocation took ~1.2 ms instead of ~0.45 ms.
 */
export const REFILL_AFTER_MS = 1;
/** The answer's header holds at most the logs (escaped: up to 6 chars per char) and a message with a stack. */
const HEADER_MAX_CHARS = 6 * LOG_LIMIT_CHARS + 64 * LOG_LIMIT_ENTRIES + 64 * 1024;

interface Prepared {
  ctx: ivm.Context;
  run: ivm.Reference;
  pending: ivm.Reference;
  logs: ivm.Reference;
}

interface Slot {
  key: string;
  script: RunnableScript;
  limits: RawLimits;
  iso: ivm.Isolate;
  compiled: ivm.Script;
  prelude: ivm.Script;
  ready: Prepared[];
  uses: number;
  /** Invocations running or awaiting in this isolate: it is not disposed under them unless the deadline says so. */
  inFlight: number;
  /** Why the isolate was disposed by us (isolated-vm disposes it itself on its memory limit). */
  retiredBy: 'deadline' | null;
  /** Replaced (recycled or evicted) while invocations were in flight: disposed when the last one ends. */
  disposeWhenIdle: boolean;
  refilling: boolean;
  map: SourceMap | null;
  /** The last input and result seen: new contexts are warmed with their shapes, off the call path. */
  lastInput: string | null;
  lastResult: string | null;
}

/** The stable name stack positions carry; mapped back to the TypeScript through the source map. */
const scriptFile = (s: RunnableScript) => `file:///hooks/${s.hook}.ts`;

/**
 * Puts one host function in a context as a global async function. The script calls a closure that holds the
 * Reference: it never reaches the Reference itself, only strings cross (argument copied, result copied), and a
 * host error arrives as a rejected promise carrying its message.
 */
async function offer(ctx: ivm.Context, name: string, fn: (arg: unknown) => Promise<string>, sync: boolean): Promise<ivm.Reference> {
  const ref = new ivm.Reference(fn);
  const code = `const ref = $0; globalThis[${JSON.stringify(name)}] = function ${name}(arg) { return ref.apply(undefined, [String(arg)], { arguments: { copy: true }, result: { promise: true, copy: true } }); };`;
  // A Reference passed as an argument arrives as itself (it is transferable); no copy, no wrapper.
  // Asynchronous like every call into an isolate (unless calls are 'sync'): a context being prepared on this
  // isolate's thread must not block the child's event loop.
  if (sync) ctx.evalClosureSync(code, [ref]);
  else await ctx.evalClosure(code, [ref]);
  return ref;
}

export interface IsolateRunnerOptions {
  /** 'async' (default): every call into an isolate runs on its own thread; 'sync': the hot path blocks this one (above). */
  calls?: CallMode;
}

export function createIsolateRunner(opts: IsolateRunnerOptions = {}): RawRunner & { slots(): number } {
  const sync = opts.calls === 'sync';
  // Insertion order is recency: a slot is moved to the end on use, the first one is the least recently used.
  const slots = new Map<string, Slot>();

  function slotFor(script: RunnableScript, limits: RawLimits): Slot {
    const key = `${script.hash}:${limits.memoryMb}`;
    let slot = slots.get(key);
    if (slot && !slot.iso.isDisposed && slot.uses < RECYCLE_AFTER) {
      slots.delete(key);
      slots.set(key, slot);
      slot.limits = limits;
      return slot;
    }
    if (slot) retire(slot);
    // memoryLimit is a guideline: isolated-vm documents that hostile code can use 2-3x before it is stopped,
    // and some patterns abort the process instead (its issues #107, #527): hence the supervised child.
    const iso = new ivm.Isolate({ memoryLimit: limits.memoryMb });
    slot = {
      key,
      script,
      limits,
      iso,
      compiled: iso.compileScriptSync(script.code, { filename: scriptFile(script) }),
      prelude: iso.compileScriptSync(PRELUDE, { filename: 'file:///hookline/prelude.js' }),
      ready: [],
      uses: 0,
      inFlight: 0,
      retiredBy: null,
      disposeWhenIdle: false,
      refilling: false,
      map: null,
      lastInput: slot?.lastInput ?? null,
      lastResult: slot?.lastResult ?? null,
    };
    slots.set(key, slot);
    for (const old of slots.values()) {
      if (slots.size <= MAX_SLOTS) break;
      if (old !== slot) retire(old);
    }
    return slot;
  }

  /**
   * Takes a slot out of use. Its isolate is disposed now if nothing runs in it or the deadline asks (a script
   * past its deadline may still hold the isolate); otherwise when its last invocation ends.
   */
  function retire(slot: Slot, reason: 'deadline' | null = null) {
    if (slots.get(slot.key) === slot) slots.delete(slot.key);
    for (const p of slot.ready.splice(0)) release(p);
    if (slot.iso.isDisposed) return;
    if (reason === 'deadline' || slot.inFlight === 0) {
      slot.retiredBy = reason;
      slot.iso.dispose();
    } else {
      slot.disposeWhenIdle = true;
    }
  }

  /**
   * A fresh context with the prelude and the script evaluated; the script's top-level code runs here, on the
   * isolate's thread, within `timeoutMs`.
   */
  async function prepare(slot: Slot, warm: boolean, timeoutMs = slot.limits.timeoutMs): Promise<Prepared> {
    if (sync) return prepareSync(slot, warm, timeoutMs);
    const ctx = await slot.iso.createContext();
    try {
      const timeout = Math.max(1, Math.ceil(timeoutMs));
      await slot.prelude.run(ctx, { timeout });
      // Take the entry points before the script runs: a script that replaces them changes nothing we call.
      const get = (name: string) => ctx.global.get(name, { reference: true }) as Promise<ivm.Reference>;
      const [run, pending, logs] = await Promise.all([get('__hookline_run'), get('__hookline_pending'), get('__hookline_logs')]);
      const p = { ctx, run, pending, logs };
      const warmRef = warm && slot.lastInput !== null ? await get('__hookline_warm') : null;
      await slot.compiled.run(ctx, { timeout });
      if (warmRef) {
        await warmRef.apply(undefined, [slot.lastInput, slot.lastResult], { timeout });
        warmRef.release();
      }
      return p;
    } catch (e) {
      ctx.release();
      throw e;
    }
  }

  /** prepare() with synchronous calls (calls: 'sync'): the same steps, the same timeout, on this thread. */
  function prepareSync(slot: Slot, warm: boolean, timeoutMs: number): Prepared {
    const ctx = slot.iso.createContextSync();
    try {
      const timeout = Math.max(1, Math.ceil(timeoutMs));
      slot.prelude.runSync(ctx, { timeout });
      const get = (name: string) => ctx.global.getSync(name, { reference: true }) as ivm.Reference;
      const p = { ctx, run: get('__hookline_run'), pending: get('__hookline_pending'), logs: get('__hookline_logs') };
      const warmRef = warm && slot.lastInput !== null ? get('__hookline_warm') : null;
      slot.compiled.runSync(ctx, { timeout });
      if (warmRef) {
        warmRef.applySync(undefined, [slot.lastInput, slot.lastResult], { timeout });
        warmRef.release();
      }
      return p;
    } catch (e) {
      ctx.release();
      throw e;
    }
  }

  function release(p: Prepared) {
    for (const r of [p.run, p.pending, p.logs]) r.release();
    p.ctx.release();
  }

  /** Refill the ready contexts off the call path (on the isolate's thread; this one stays free), after the answer has left. */
  function refill(slot: Slot) {
    if (slot.refilling) return;
    slot.refilling = true;
    setTimeout(() => {
      void fill(slot).finally(() => {
        slot.refilling = false;
      });
    }, REFILL_AFTER_MS);
  }

  async function fill(slot: Slot): Promise<void> {
    try {
      while (slots.get(slot.key) === slot && !slot.iso.isDisposed && slot.ready.length < READY_CONTEXTS) {
        const p = await prepare(slot, true);
        if (slots.get(slot.key) === slot && !slot.iso.isDisposed) slot.ready.push(p);
        else release(p);
      }
    } catch {
      // A script whose top level fails is reported by the invocation that prepares its own context.
    }
  }

  /**
   * Invocations of one script (one isolate) take turns: each is started only when the one before it has
   * returned from the isolate, so it can be given the time left before its own deadline, or not started at all
   * when none is left. The turn covers the synchronous part only; awaiting a promise happens outside it.
   */
  const turns = new Map<string, Promise<unknown>>();
  function inTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = turns.get(key) ?? Promise.resolve();
    const mine = before.then(work, work);
    const tail = mine.then(
      () => undefined,
      () => undefined,
    );
    turns.set(key, tail);
    void tail.then(() => {
      if (turns.get(key) === tail) turns.delete(key);
    });
    return mine;
  }

  function mapPosition(slot: Slot, stack: string): { line?: number; column?: number } {
    const file = scriptFile(slot.script);
    const at = stack.indexOf(`${file}:`);
    if (at < 0) return {};
    const m = /^(\d+):(\d+)/.exec(stack.slice(at + file.length + 1));
    if (!m) return {};
    slot.map ??= new SourceMap(JSON.parse(slot.script.map) as ConstructorParameters<typeof SourceMap>[0]);
    const entry = slot.map.findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as { originalLine?: number; originalColumn?: number };
    return entry.originalLine === undefined ? {} : { line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }

  /** An error thrown out of isolated-vm (the prelude catches the script's own throws during a run). */
  function classify(slot: Slot, e: unknown): RawOutcome {
    const message = e instanceof Error ? e.message : String(e);
    if (slot.iso.isDisposed) return slot.retiredBy === 'deadline' ? { kind: 'timeout' } : { kind: 'memory' };
    if (/^Script execution timed out/.test(message)) return { kind: 'timeout' };
    const stack = e instanceof Error && typeof e.stack === 'string' ? e.stack : '';
    return { kind: 'throw', message, ...mapPosition(slot, stack) };
  }

  type Decoded = { outcome: RawOutcome; logs: LogEntry[]; dropped: number };
  const unreadable = (why: string): Decoded => ({ outcome: { kind: 'notjson', detail: `the sandbox could not read the script's answer (${why})` }, logs: [], dropped: 0 });

  /**
   * Reads the prelude's answer: a header line, `\n`, the result's JSON text (prelude.ts). The result's size is
   * measured before anything is parsed; the header is checked field by field, since a script that breaks the
   * prelude must still end in an error value, never in an exception here.
   */
  function decode(slot: Slot, text: unknown, limits: RawLimits): Decoded {
    if (typeof text !== 'string') return unreadable('not a string');
    const nl = text.indexOf('\n');
    if (nl < 0 || nl > HEADER_MAX_CHARS) return unreadable('no header');
    const json = text.slice(nl + 1);
    let h: Record<string, unknown>;
    try {
      h = JSON.parse(text.slice(0, nl)) as Record<string, unknown>;
    } catch {
      return unreadable('a header that is not JSON');
    }
    const logs = Array.isArray(h.logs)
      ? (h.logs as unknown[]).filter((l): l is LogEntry => typeof l === 'object' && l !== null && ['log', 'info', 'warn', 'error'].includes((l as LogEntry).level) && typeof (l as LogEntry).text === 'string')
      : [];
    const rest = { logs, dropped: typeof h.dropped === 'number' ? h.dropped : 0 };
    const field = (k: string) => (typeof h[k] === 'string' ? (h[k] as string) : '');
    switch (h.t) {
      case 'ok': {
        // Bytes, measured before anything parses the result (and before it crosses to the engine).
        const size = Buffer.byteLength(json, 'utf8');
        if (size > limits.maxOutputBytes) return { outcome: { kind: 'toolarge', sizeBytes: size }, ...rest };
        return { outcome: { kind: 'ok', json }, ...rest };
      }
      case 'state':
        return { outcome: { kind: 'state', state: field('state') || 'undefined' }, ...rest };
      case 'notjson':
        return { outcome: { kind: 'notjson', detail: field('detail') }, ...rest };
      case 'throw':
        return { outcome: { kind: 'throw', message: field('message') || 'unknown error', ...mapPosition(slot, field('stack')) }, ...rest };
      case 'entry':
        return { outcome: { kind: 'entry', detail: field('detail') }, ...rest };
      case 'logs':
        // Only the logs of a run that never answered (readLogs); its outcome is decided by the caller.
        return { outcome: { kind: 'timeout' }, ...rest };
      default:
        return unreadable('an unknown outcome');
    }
  }

  /** The logs of a run that never answered; bounded by a host timer too, since the isolate may still be busy. */
  async function readLogs(slot: Slot, p: Prepared, limits: RawLimits): Promise<{ logs: LogEntry[]; dropped: number }> {
    const none = { logs: [], dropped: 0 };
    if (slot.iso.isDisposed) return none;
    try {
      const text = await withDeadline(p.logs.apply(undefined, [], { timeout: LOGS_TIMEOUT_MS }) as Promise<unknown>, LOGS_TIMEOUT_MS, () => undefined);
      return text === EXPIRED ? none : decode(slot, text, limits);
    } catch {
      return none;
    }
  }

  type Started =
    | { done: RawResult }
    | { slot: Slot; prepared: Prepared; first: unknown; caps: ReturnType<typeof invocationCapabilities> | null; capRefs: ivm.Reference[] };

  function run(script: RunnableScript, inputJson: string, limits: RawLimits, o: RawRunOptions = {}): Promise<RawResult> {
    const t0 = performance.now();
    const deadline = expiresAt(t0, o.budgetMs ?? limits.timeoutMs, o.deadlineEpochMs);
    return inTurn(`${script.hash}:${limits.memoryMb}`, () => start(script, inputJson, limits, o, t0, deadline)).then((s) =>
      // The synchronous part is over: the script's next invocation takes its turn while this one awaits.
      'done' in s ? s.done : finish(s.slot, s.prepared, s.first, inputJson, limits, deadline, t0, s.caps, s.capRefs),
    );
  }

  /** The invocation's turn: a context, then the script's synchronous part on the isolate's thread. */
  async function start(script: RunnableScript, inputJson: string, limits: RawLimits, o: RawRunOptions, t0: number, deadline: number): Promise<Started> {
    const took = () => performance.now() - t0;
    // Asked for too long ago (behind this script's earlier invocations): it is not started at all.
    if (timeLeft(deadline) <= 0) return { done: { outcome: { kind: 'timeout' }, logs: [], logsDropped: 0, durationMs: took() } };
    const slot = slotFor(script, limits);
    slot.uses++;
    let prepared: Prepared;
    slot.inFlight++;
    try {
      prepared = slot.ready.pop() ?? (await prepare(slot, false, timeLeft(deadline)));
    } catch (e) {
      slot.inFlight--;
      const outcome = classify(slot, e);
      if (slot.iso.isDisposed) retire(slot);
      return { done: { outcome, logs: [], logsDropped: 0, durationMs: took() } };
    }
    // Offered only to the hook it belongs to, whatever the caller sent; ended with the invocation (finish).
    const offered = capabilitiesFor(script.hook, o.capabilities);
    const caps = offered ? invocationCapabilities(offered) : null;
    const capRefs: ivm.Reference[] = [];
    let first: unknown;
    try {
      if (caps?.convertToMp3) capRefs.push(await offer(prepared.ctx, 'convertToMp3', caps.convertToMp3, sync));
      // The script's fetch / kommo / store calls (issue 19): one host function, as a Reference the prelude keeps
      // in a closure for this invocation's context only; strings cross, nothing else.
      const host = o.host;
      if (host) capRefs.push(new ivm.Reference((name: unknown, arg: unknown) => host.call(String(name), String(arg))));
      const args = [inputJson, o.now ?? null, o.seed ?? null, host ? capRefs.at(-1) : null];
      const timeout = Math.max(1, Math.ceil(timeLeft(deadline)));
      first = sync ? prepared.run.applySync(undefined, args, { timeout }) : await prepared.run.apply(undefined, args, { timeout });
    } catch (e) {
      first = e instanceof Error ? e : new Error(String(e));
    }
    return { slot, prepared, first, caps, capRefs };
  }

  async function finish(
    slot: Slot, prepared: Prepared, first: unknown, inputJson: string, limits: RawLimits, deadline: number, t0: number,
    caps: ReturnType<typeof invocationCapabilities> | null, capRefs: ivm.Reference[],
  ): Promise<RawResult> {
    let decoded: Decoded | null = null;
    let outcome: RawOutcome;
    try {
      if (first instanceof Error) throw first;
      if (first === 'PENDING') {
        const remaining = timeLeft(deadline);
        const awaited = prepared.pending.apply(undefined, [], { result: { promise: true, copy: true }, timeout: Math.max(1, Math.ceil(remaining)) }) as Promise<unknown>;
        // isolated-vm's timeout does not cover a promise that never settles (its issues #318, #518): the host
        // timer does, and disposes the isolate (the next invocation gets a new one).
        const r = await withDeadline(awaited, remaining, () => retire(slot, 'deadline'));
        outcome = r === EXPIRED ? { kind: 'timeout' } : (decoded = decode(slot, r, limits)).outcome;
      } else {
        outcome = (decoded = decode(slot, first, limits)).outcome;
      }
    } catch (e) {
      outcome = classify(slot, e);
    } finally {
      slot.inFlight--;
      caps?.end();
      for (const r of capRefs) r.release();
    }
    // After a timeout the answer never came: read what was logged before it, if the isolate lives.
    const { logs, dropped } = decoded ?? (await readLogs(slot, prepared, limits));
    if (slot.iso.isDisposed) retire(slot);
    else if (slot.disposeWhenIdle) {
      release(prepared);
      if (slot.inFlight === 0) slot.iso.dispose();
    } else {
      release(prepared);
      if (outcome.kind === 'ok') {
        slot.lastInput = inputJson;
        slot.lastResult = outcome.json;
      }
      refill(slot);
    }
    return { outcome, logs, logsDropped: dropped, durationMs: performance.now() - t0 };
  }

  return {
    run,
    async warm(script, limits) {
      // Errors are reported by the first invocation.
      await fill(slotFor(script, limits));
    },
    async close() {
      for (const s of [...slots.values()]) retire(s);
    },
    slots: () => slots.size,
  };
}
