/**
 * The registrar's queue of calls. Calls of one client go strictly one after the other, retries included: two
 * calls from a new number at once would both find no contact and both create one, and a step reconciled after
 * an ambiguous write (a task, a lead) must not mistake the next call's entity for its own. Calls of different
 * clients run side by side, up to `concurrency` (their writes batch together). A call whose client is busy
 * waits without taking a slot. Retries wait on timers here too, so "idle" means nothing queued, running,
 * waiting for its client or for its retry.
 */

export interface ClientQueueOptions {
  concurrency: number;
  /** The client of a call (its phone's key), or null when the call is gone (finished meanwhile). */
  clientOf(id: string): string | null;
  /** Registers one call; when it resolves the call is finished, or scheduled again with later(). */
  run(id: string): Promise<void>;
  /** Whether the call is still to be registered (else its client's next call may go). */
  pending(id: string): boolean;
}

export interface ClientQueue {
  enqueue(id: string): void;
  /** Queues the call again after `ms` (a retry). */
  later(id: string, ms: number): void;
  /** Stops or starts taking calls (the account could not be read; Kommo refuses the token). */
  setRunnable(runnable: boolean): void;
  running(): number;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function createClientQueue(o: ClientQueueOptions): ClientQueue {
  const queue: string[] = [];
  const queued = new Set<string>();
  const active = new Set<string>();
  const timers = new Map<string, NodeJS.Timeout>();
  const owner = new Map<string, string>();
  const waiting = new Map<string, string[]>();
  const idleWaiters: (() => void)[] = [];
  let runnable = false;
  let closed = false;

  function checkIdle() {
    if (queue.length === 0 && active.size === 0 && timers.size === 0 && waiting.size === 0) for (const w of idleWaiters.splice(0)) w();
  }

  function enqueue(id: string) {
    if (queued.has(id) || active.has(id)) return;
    queued.add(id);
    queue.push(id);
    pump();
  }

  function release(key: string) {
    owner.delete(key);
    const w = waiting.get(key);
    const next = w?.shift();
    if (!w?.length) waiting.delete(key);
    if (next !== undefined) {
      queued.add(next);
      queue.unshift(next);
    }
  }

  function pump() {
    while (runnable && !closed && active.size < o.concurrency && queue.length) {
      const id = queue.shift() as string;
      queued.delete(id);
      const key = o.clientOf(id);
      if (key === null) continue;
      const holder = owner.get(key);
      if (holder !== undefined && holder !== id) {
        const w = waiting.get(key) ?? [];
        if (!w.includes(id)) w.push(id);
        waiting.set(key, w);
        continue;
      }
      owner.set(key, id);
      active.add(id);
      void o.run(id).finally(() => {
        active.delete(id);
        if (!o.pending(id)) release(key);
        pump();
        checkIdle();
      });
    }
    checkIdle();
  }

  return {
    enqueue,
    later(id, ms) {
      if (closed) return;
      const t = setTimeout(() => {
        timers.delete(id);
        enqueue(id);
      }, ms);
      t.unref();
      timers.set(id, t);
    },
    setRunnable(r) {
      runnable = r;
      pump();
    },
    running: () => active.size,
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    async close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      while (active.size) await new Promise((r) => setTimeout(r, 10));
      checkIdle();
    },
  };
}
