/**
 * The supervised child: the engine's RawRunner. Isolates live in a child process, so whatever a script does
 * (a V8 out-of-memory abort, a native crash) ends only that process: its in-flight invocations end with a
 * `crash` outcome (SANDBOX_CRASH), the child is started again, and the next invocation works. A child that
 * stops answering is killed at the hook's timeout plus a grace period.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPIRED, withDeadline } from './deadline.ts';
import type { ChildMessage, HostMessage } from './protocol.ts';
import type { RawLimits, RawResult, RawRunner, RawRunOptions, RunnableScript } from './raw.ts';

export interface SupervisorOptions {
  /** Added to a hook's timeout before the child is killed as unresponsive. */
  graceMs?: number;
  /** Called when the child dies or is killed (for logs and status). */
  onCrash?: (detail: string) => void;
}

interface Pending {
  resolve: (r: RawResult) => void;
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'child.ts');

export function createSupervisor(opts: SupervisorOptions = {}): RawRunner & { pid(): number | undefined; restarts(): number } {
  const grace = opts.graceMs ?? 2_000;
  let child: ChildProcess | null = null;
  let restarts = 0;
  let nextId = 1;
  let closing = false;
  // In-flight requests per child: when a child dies, only its own requests end with a crash.
  const inFlight = new Map<ChildProcess, Map<number, Pending>>();
  const warmed = new Map<string, { script: RunnableScript; limits: RawLimits }>();

  function start(): ChildProcess {
    const c = fork(CHILD, [], { execArgv: ['--no-node-snapshot'], serialization: 'json', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const pending = new Map<number, Pending>();
    inFlight.set(c, pending);
    c.on('message', (m: ChildMessage) => {
      switch (m.type) {
        case 'sandbox:result':
          pending.get(m.id)?.resolve(m.result);
          pending.delete(m.id);
          break;
        case 'sandbox:warmed':
          pending.get(m.id)?.resolve({ outcome: { kind: 'ok', json: '' }, logs: [], logsDropped: 0, durationMs: 0 });
          pending.delete(m.id);
          break;
        case 'sandbox:ready':
          break;
      }
    });
    c.on('exit', (code, signal) => {
      if (child === c) child = null;
      inFlight.delete(c);
      if (closing) return;
      const detail = `the sandbox process exited (${signal ? `signal ${signal}` : `code ${code}`})`;
      opts.onCrash?.(detail);
      for (const [id, p] of pending) {
        p.resolve({ outcome: { kind: 'crash', detail }, logs: [], logsDropped: 0, durationMs: 0 });
        pending.delete(id);
      }
    });
    return c;
  }

  function ensure(): ChildProcess {
    if (child && child.connected) return child;
    if (child) restarts++;
    else if (nextId > 1) restarts++;
    child = start();
    // A restarted child has no warm isolates: warm again what was warm, off the call path.
    for (const w of warmed.values()) send({ type: 'host:warm', id: nextId++, script: w.script, limits: w.limits });
    return child;
  }

  function send(m: HostMessage) {
    const c = child ?? ensure();
    c.send(m);
  }

  function request(build: (id: number) => HostMessage, deadlineMs: number): Promise<RawResult> {
    const c = ensure();
    const id = nextId++;
    const answer = new Promise<RawResult>((resolve) => inFlight.get(c)?.set(id, { resolve }));
    c.send(build(id));
    return withDeadline(answer, deadlineMs, () => {
      // Unresponsive: kill it, and stop sending it work at once; its exit ends its other in-flight invocations.
      inFlight.get(c)?.delete(id);
      if (child === c) child = null;
      c.kill('SIGKILL');
    }).then((r) => (r === EXPIRED ? { outcome: { kind: 'timeout' as const }, logs: [], logsDropped: 0, durationMs: deadlineMs } : r));
  }

  return {
    run(script: RunnableScript, inputJson: string, limits: RawLimits, o: RawRunOptions = {}) {
      return request((id) => ({ type: 'host:run', id, script, inputJson, limits, opts: o }), limits.timeoutMs + grace);
    },
    async warm(script, limits) {
      warmed.set(`${script.hash}:${limits.memoryMb}`, { script, limits });
      await request((id) => ({ type: 'host:warm', id, script, limits }), 30_000);
    },
    async close() {
      closing = true;
      const c = child;
      child = null;
      if (c && c.exitCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.disconnect();
        await withDeadline(exited, 2_000, () => c.kill('SIGKILL'));
      }
    },
    pid: () => child?.pid,
    restarts: () => restarts,
  };
}
