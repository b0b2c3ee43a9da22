/**
 * The sandbox child process: runs scripts in isolates for the engine (protocol.ts).
 * If V8 aborts here (an isolate running out of memory can take the whole process down, isolated-vm issues
 * #107 and #527), only this process dies: the supervisor answers the in-flight invocations with SANDBOX_CRASH
 * and starts a new child.
 */
import { remember } from './bounded.ts';
import { createIsolateRunner } from './isolate-runner.ts';
import { SYNC_CALLS_FLAG, type ChildMessage, type HostMessage } from './protocol.ts';
import type { HostCalls, RawResult, RunnableScript } from './raw.ts';

/** Scripts this child has been sent, by hash; the least recently used is forgotten first (the host resends). */
const MAX_SCRIPTS = 256;
const scripts = new Map<string, RunnableScript>();

// No `onCatastrophicError`: measured here (isolated-vm 7.0.1, Node 24, when scripts still ran with `applySync`),
// with a handler installed a V8 heap OOM hung instead of aborting (the callback waited for this thread, blocked
// in the call), so the invocation only ended at the supervisor's deadline. Without it V8 aborts this process at
// once and the supervisor answers SANDBOX_CRASH straight away (tests/sandbox/crash.test.ts). Calls are
// asynchronous since issue 14; the handler was not tried again, since an abort is what we want.
// Several scripts share this process (isolating.ts): each runs on its own isolate's thread, so this thread
// keeps answering while one of them loops or waits.
// `--calls=sync` (SupervisorOptions.calls, replay's children): calls into isolates block this thread, one script
// at a time, without the hop to the isolate's own thread (isolate-runner.ts).
const runner = createIsolateRunner({ calls: process.argv.includes(SYNC_CALLS_FLAG) ? 'sync' : 'async' });
const send = (m: ChildMessage) => process.send?.(m);
/** Capability calls waiting for the host's answer (issue 19), by call number; `id` is the run they belong to. */
const hostCalls = new Map<number, { id: number; resolve: (answer: string) => void }>();
let nextCall = 1;
const ENDED_ANSWER = JSON.stringify({ ok: false, code: 'FETCH_TIMEOUT', message: 'the invocation ended before the answer came' });
/** The run's capability calls, forwarded to the host (protocol.ts sandbox:host-call). */
const forwarder = (id: number): HostCalls => ({
  call: (name, arg) =>
    new Promise<string>((resolve) => {
      const call = nextCall++;
      hostCalls.set(call, { id, resolve });
      send({ type: 'sandbox:host-call', id, call, name, arg });
    }),
});
/** The run is over: calls still waiting are answered at once (their isolate context is gone or going). */
function endCalls(id: number) {
  for (const [call, w] of hostCalls) {
    if (w.id !== id) continue;
    hostCalls.delete(call);
    w.resolve(ENDED_ANSWER);
  }
}
const crashed = (e: unknown): RawResult => ({ outcome: { kind: 'crash', detail: String(e) }, logs: [], logsDropped: 0, durationMs: 0 });

process.on('message', (m: HostMessage) => {
  switch (m.type) {
    case 'host:run': {
      const known = m.script ?? scripts.get(m.hash);
      if (!known) {
        send({ type: 'sandbox:need-script', id: m.id });
        break;
      }
      const opts = m.opts.hostCalls ? { ...m.opts, host: forwarder(m.id) } : m.opts;
      void runner.run(remember(scripts, known.hash, known, MAX_SCRIPTS), m.inputJson, m.limits, opts).then(
        (result) => send({ type: 'sandbox:result', id: m.id, result }),
        (e: unknown) => send({ type: 'sandbox:result', id: m.id, result: crashed(e) }),
      ).finally(() => endCalls(m.id));
      break;
    }
    case 'host:host-answer': {
      const w = hostCalls.get(m.call);
      hostCalls.delete(m.call);
      w?.resolve(m.answer);
      break;
    }
    case 'host:warm':
      void runner.warm(remember(scripts, m.script.hash, m.script, MAX_SCRIPTS), m.limits).finally(() => send({ type: 'sandbox:warmed', id: m.id }));
      break;
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'sandbox:ready' });
