/**
 * A run that has called out (here a webhook POST) may have acted: when its sandbox child dies under it, it ends
 * with SANDBOX_CRASH and is not run again in another child — a crash never makes a webhook happen twice. Without
 * the guard (sandbox/isolating.ts, sandbox/supervisor.ts: calledOut) the two suspects of the killed child each
 * run again in a child of their own and the receiver sees 4 POSTs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapabilities, type CapabilityHost } from '../../capabilities/index.ts';
import { createHookRunner, createIsolatingRunner, type Runner } from '../../sandbox/index.ts';
import { invokeWith, postScript, startReceiver, type Receiver } from './helpers.ts';

let raw: ReturnType<typeof createIsolatingRunner>;
let runner: Runner;
let receiver: Receiver;
let caps: CapabilityHost;

beforeAll(async () => {
  raw = createIsolatingRunner({});
  runner = createHookRunner(raw);
  receiver = await startReceiver({
    '/slow': (_q, res) => {
      setTimeout(() => res.end('late'), 4_000).unref();
    },
  });
  const pattern = `${receiver.base}/*`;
  caps = createCapabilities({
    hooks: { post_registration: { fetch: { allow: [pattern], timeoutMs: 6_000 } } },
  });
});
afterAll(async () => {
  await runner.close();
  await receiver.close();
});

describe('a run that called out is never run again after its child dies', () => {
  it('two invocations that posted a webhook, then the shared child is killed: two POSTs, two SANDBOX_CRASH, none again', async () => {
    const source = (n: number) =>
      postScript(`await fetch('${receiver.base}/hook?n=${n}', { method: 'POST', body: 'once' }); await fetch('${receiver.base}/slow'); return 'done';`);
    const runs = [1, 2].map((n) => invokeWith(runner, caps, 'post_registration', source(n), { timeoutMs: 8_000 }));
    const posts = () => receiver.received.filter((x) => x.method === 'POST').length;
    const until = Date.now() + 5_000;
    while (posts() < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(posts()).toBe(2);
    const pid = raw.pids().shared;
    expect(pid).toBeTypeOf('number');
    process.kill(pid as number, 'SIGKILL');
    const done = await Promise.all(runs);
    for (const { r } of done) expect(r.error?.code).toBe('SANDBOX_CRASH');
    // Time for a run sent again to have posted.
    await new Promise((r) => setTimeout(r, 500));
    expect(posts()).toBe(2);
    // The next good invocation works.
    const next = await invokeWith(runner, caps, 'post_registration', postScript(`const r = await fetch('${receiver.base}/ok'); return r.status;`));
    expect(next.r.ok).toBe(true);
  }, 20_000);
});
