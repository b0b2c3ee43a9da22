/**
 * The contract's type check of a script (contracts `typeCheck`, as `hookline check` runs it), off the service's
 * main thread: it is synchronous and costs ~1.5 s the first time (loading TypeScript) and 60-330 ms after
 * (measured on the 2-core VM), which on the main thread would hold up AMI events, Kommo writes and
 * autodistribution's deadline while an operator publishes. A worker thread is started on first use and ends
 * after a minute without work (TypeScript's ~54 MB go with it).
 */
import { Worker } from 'node:worker_threads';
import type { Diagnostic, HookName } from '../contracts/index.ts';

const IDLE_MS = 60_000;

export interface OffThreadTypeCheck {
  check(source: string, hook: HookName): Promise<Diagnostic[]>;
  close(): Promise<void>;
}

export function createOffThreadTypeCheck(): OffThreadTypeCheck {
  let worker: Worker | null = null;
  let idle: NodeJS.Timeout | null = null;
  let seq = 0;
  const pending = new Map<number, { resolve: (d: Diagnostic[]) => void; reject: (e: Error) => void }>();

  function start(): Worker {
    // No execArgv: the service runs with --no-node-snapshot (for isolated-vm), which worker threads refuse.
    const w = new Worker(new URL('./typecheck-worker.ts', import.meta.url), { execArgv: [] });
    w.unref();
    w.on('message', (m: { id: number; diagnostics?: Diagnostic[]; error?: string }) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.diagnostics ?? []);
      if (pending.size === 0) later();
    });
    const fail = (e: Error) => {
      if (worker === w) worker = null;
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the type-check thread stopped (exit code ${code})`)));
    return w;
  }

  function later() {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      const w = worker;
      worker = null;
      void w?.terminate();
    }, IDLE_MS);
    idle.unref();
  }

  return {
    check(source, hook) {
      if (idle) clearTimeout(idle);
      worker ??= start();
      const id = ++seq;
      const w = worker;
      return new Promise<Diagnostic[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, source, hook });
      });
    },
    async close() {
      if (idle) clearTimeout(idle);
      const w = worker;
      worker = null;
      await w?.terminate();
    },
  };
}
