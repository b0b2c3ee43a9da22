/**
 * The sandbox child process: runs scripts in isolates for the engine, one message at a time per id.
 * If V8 aborts here (an isolate running out of memory can take the whole process down), only this process
 * dies: the supervisor answers the in-flight invocations with SANDBOX_CRASH and starts a new child.
 */
import { createIsolateRunner } from './isolate-runner.ts';
import type { ChildMessage, HostMessage } from './protocol.ts';

const runner = createIsolateRunner();
const send = (m: ChildMessage) => process.send?.(m);

process.on('message', (m: HostMessage) => {
  switch (m.type) {
    case 'host:run':
      void runner.run(m.script, m.inputJson, m.limits, m.opts).then(
        (result) => send({ type: 'sandbox:result', id: m.id, result }),
        (e: unknown) =>
          send({ type: 'sandbox:result', id: m.id, result: { outcome: { kind: 'crash', detail: String(e) }, logs: [], logsDropped: 0, durationMs: 0 } }),
      );
      break;
    case 'host:warm':
      void runner.warm(m.script, m.limits).finally(() => send({ type: 'sandbox:warmed', id: m.id }));
      break;
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'sandbox:ready' });
