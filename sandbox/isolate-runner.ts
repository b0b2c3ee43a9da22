/**
 * The in-process runner: one warm isolate per script version and limits, and for every invocation a fresh
 * context prepared ahead of need (prelude and script already evaluated), so no state is shared between
 * invocations and the call path is one `applySync`. Inside the engine this runs in the supervised child
 * (supervisor.ts); tests and the benchmark also use it directly.
 */
import { SourceMap } from 'node:module';
import ivm from 'isolated-vm';
import { EXPIRED, withDeadline } from './deadline.ts';
import { PRELUDE } from './prelude.ts';
import type { LogEntry, RawLimits, RawOutcome, RawResult, RawRunOptions, RawRunner, RunnableScript } from './raw.ts';

/** Contexts kept ready per warm script: the next invocation never waits for one to be built. */
const READY_CONTEXTS = 2;
/** An isolate is replaced after this many invocations, so garbage of many short contexts never piles up. */
const RECYCLE_AFTER = 5_000;
const LOGS_TIMEOUT_MS = 50;

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
  refilling: boolean;
  map: SourceMap | null;
}

const scriptFile = (s: RunnableScript) => `file:///hooks/${s.hook}.js`;

export function createIsolateRunner(): RawRunner & { slots(): number } {
  const slots = new Map<string, Slot>();

  function slotFor(script: RunnableScript, limits: RawLimits): Slot {
    const key = `${script.hash}:${limits.memoryMb}`;
    let slot = slots.get(key);
    if (slot && !slot.iso.isDisposed && slot.uses < RECYCLE_AFTER) return slot;
    if (slot) retire(slot);
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
      refilling: false,
      map: null,
    };
    slots.set(key, slot);
    return slot;
  }

  function retire(slot: Slot) {
    if (slots.get(slot.key) === slot) slots.delete(slot.key);
    for (const p of slot.ready.splice(0)) release(p);
    if (!slot.iso.isDisposed) slot.iso.dispose();
  }

  /** A fresh context with the prelude and the script evaluated; the script's top-level code runs here. */
  function prepare(slot: Slot): Prepared {
    const ctx = slot.iso.createContextSync();
    try {
      slot.prelude.runSync(ctx, { timeout: slot.limits.timeoutMs });
      // Take the entry points before the script runs: a script that replaces them changes nothing we call.
      const run = ctx.global.getSync('__hookline_run', { reference: true }) as ivm.Reference;
      const pending = ctx.global.getSync('__hookline_pending', { reference: true }) as ivm.Reference;
      const logs = ctx.global.getSync('__hookline_logs', { reference: true }) as ivm.Reference;
      slot.compiled.runSync(ctx, { timeout: slot.limits.timeoutMs });
      return { ctx, run, pending, logs };
    } catch (e) {
      ctx.release();
      throw e;
    }
  }

  function release(p: Prepared) {
    for (const r of [p.run, p.pending, p.logs]) r.release();
    p.ctx.release();
  }

  /** Refill the ready contexts off the call path. */
  function refill(slot: Slot) {
    if (slot.refilling) return;
    slot.refilling = true;
    setImmediate(() => {
      slot.refilling = false;
      try {
        while (slots.get(slot.key) === slot && !slot.iso.isDisposed && slot.ready.length < READY_CONTEXTS) slot.ready.push(prepare(slot));
      } catch {
        // A script whose top level fails is reported by the invocation that prepares its own context.
      }
    });
  }

  function mapPosition(slot: Slot, stack: string): { line?: number; column?: number } {
    const m = stack.match(new RegExp(`${scriptFile(slot.script).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:(\\d+):(\\d+)`));
    if (!m) return {};
    slot.map ??= new SourceMap(JSON.parse(slot.script.map));
    const entry = slot.map.findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as { originalLine?: number; originalColumn?: number };
    return entry.originalLine === undefined ? {} : { line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }

  function classify(slot: Slot, e: unknown): RawOutcome {
    const message = e instanceof Error ? e.message : String(e);
    if (slot.iso.isDisposed || /memory limit/i.test(message)) return { kind: 'memory' };
    if (/Script execution timed out/i.test(message)) return { kind: 'timeout' };
    const stack = e instanceof Error && typeof e.stack === 'string' ? e.stack : '';
    return { kind: 'throw', message, ...mapPosition(slot, stack) };
  }

  interface Envelope { t: string; json?: string; state?: string; detail?: string; message?: string; stack?: string; logs?: LogEntry[]; dropped?: number }

  /** The envelope carries the outcome and the logs: one crossing per invocation. */
  function decode(slot: Slot, text: string): { outcome: RawOutcome; logs: LogEntry[]; dropped: number } {
    const v = JSON.parse(text) as Envelope;
    const logs = { logs: v.logs ?? [], dropped: v.dropped ?? 0 };
    switch (v.t) {
      case 'ok':
        return { outcome: { kind: 'ok', json: v.json as string }, ...logs };
      case 'state':
        return { outcome: { kind: 'state', state: v.state ?? 'undefined' }, ...logs };
      case 'notjson':
        return { outcome: { kind: 'notjson', detail: v.detail ?? '' }, ...logs };
      default:
        return { outcome: { kind: 'throw', message: v.message ?? 'unknown error', ...mapPosition(slot, v.stack ?? '') }, ...logs };
    }
  }

  function readLogs(slot: Slot, p: Prepared): { logs: LogEntry[]; dropped: number } {
    if (slot.iso.isDisposed) return { logs: [], dropped: 0 };
    try {
      const v = JSON.parse(p.logs.applySync(undefined, [], { timeout: LOGS_TIMEOUT_MS }) as string) as { logs: LogEntry[]; dropped: number };
      return v;
    } catch {
      return { logs: [], dropped: 0 };
    }
  }

  async function run(script: RunnableScript, inputJson: string, limits: RawLimits, opts: RawRunOptions = {}): Promise<RawResult> {
    const t0 = performance.now();
    const slot = slotFor(script, limits);
    slot.uses++;
    let prepared: Prepared;
    try {
      prepared = slot.ready.pop() ?? prepare(slot);
    } catch (e) {
      const outcome = classify(slot, e);
      if (outcome.kind === 'memory') retire(slot);
      return { outcome, logs: [], logsDropped: 0, durationMs: performance.now() - t0 };
    }
    refill(slot);
    let outcome: RawOutcome;
    let decoded: { outcome: RawOutcome; logs: LogEntry[]; dropped: number } | null = null;
    try {
      const first = prepared.run.applySync(undefined, [inputJson, opts.now ?? null, opts.seed ?? null], { timeout: limits.timeoutMs }) as string;
      if (first === 'PENDING') {
        const remaining = limits.timeoutMs - (performance.now() - t0);
        const awaited = prepared.pending.apply(undefined, [], { result: { promise: true, copy: true }, timeout: Math.max(1, Math.ceil(remaining)) }) as Promise<string>;
        // isolated-vm's timeout does not cover a promise that never settles: the host timer does, and
        // disposes the isolate (the next invocation gets a new one).
        const r = await withDeadline(awaited, remaining, () => retire(slot));
        if (r === EXPIRED) outcome = { kind: 'timeout' };
        else outcome = (decoded = decode(slot, r)).outcome;
      } else {
        outcome = (decoded = decode(slot, first)).outcome;
      }
    } catch (e) {
      outcome = classify(slot, e);
    }
    // After a timeout or a kill the envelope never came: read what was logged before it, if the isolate lives.
    const { logs, dropped } = decoded ?? readLogs(slot, prepared);
    if (slot.iso.isDisposed) retire(slot);
    else release(prepared);
    return { outcome, logs, logsDropped: dropped, durationMs: performance.now() - t0 };
  }

  return {
    run,
    async warm(script, limits) {
      const slot = slotFor(script, limits);
      try {
        while (slot.ready.length < READY_CONTEXTS) slot.ready.push(prepare(slot));
      } catch {
        // Reported by the first invocation.
      }
    },
    async close() {
      for (const s of [...slots.values()]) retire(s);
    },
    slots: () => slots.size,
  };
}
