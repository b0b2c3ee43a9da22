/**
 * Issue 19: a granted fetch to a loopback receiver through the sandbox (a post_registration script on the engine
 * path: the isolating runner's shared child, the call forwarded to this process, carried out by the capability
 * layer, the answer back into the isolate) against the same request from plain Node (node:http, a new connection
 * each time, as the capability layer makes it), measured alternately in one loop after the same pause. The same
 * invocation without a fetch is given for reference: the difference is what the fetch costs inside a script.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCapabilities } from '../../capabilities/index.ts';
import { hooks } from '../../contracts/index.ts';
import { compile, createRunner } from '../../sandbox/index.ts';
import { median, percentile, type BenchFigure, type BenchSuite } from '../suite.ts';

const N = 300;
const PAUSE_MS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function plainGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export const suite: BenchSuite = {
  name: 'capabilities',
  about: 'a granted fetch through the sandbox vs the same request from plain Node, to a loopback receiver (issue 19)',
  async run(): Promise<BenchFigure[]> {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true,"user":101}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const runner = createRunner();
    const caps = createCapabilities({ hooks: { post_registration: { fetch: { allow: [`${base}/*`] } } } });
    const withFetch = await compile(`export default async function (input: HookInput): Promise<HookResult> {
      const r = await fetch('${base}/user'); const u = await r.json(); if (u.user !== 101) throw new Error('bad answer'); return { state: 'success' }; }`, { hook: 'post_registration' });
    const without = await compile("export default async function (input: HookInput): Promise<HookResult> { return { state: 'success' }; }", { hook: 'post_registration' });
    if (!withFetch.ok || !without.ok) throw new Error('bench scripts do not compile');
    const input = hooks.post_registration.exampleInput;
    const invoke = async (compiled: typeof withFetch.compiled, host: boolean) => {
      const session = host ? caps.session({ hook: 'post_registration', timeoutMs: 2_000 }) : undefined;
      const t = performance.now();
      const r = await runner.invoke('post_registration', { version: 1, compiled }, input, session ? { host: session } : {});
      const ms = performance.now() - t;
      if (!r.ok) throw new Error(`bench invocation failed: ${r.error?.message}`);
      return ms;
    };
    try {
      for (let i = 0; i < 30; i++) {
        await invoke(withFetch.compiled, true);
        await invoke(without.compiled, false);
        await plainGet(`${base}/user`);
      }
      const sandboxed: number[] = [];
      const plain: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < N; i++) {
        await sleep(PAUSE_MS);
        sandboxed.push(await invoke(withFetch.compiled, true));
        await sleep(PAUSE_MS);
        let t = performance.now();
        const body = await plainGet(`${base}/user`);
        plain.push(performance.now() - t);
        if (!body.includes('101')) throw new Error('bad answer');
        await sleep(PAUSE_MS);
        t = performance.now();
        bare.push(await invoke(without.compiled, false));
      }
      const us = (xs: number[]) => median(xs) * 1000;
      const plainUs = us(plain);
      return [
        { key: 'capabilities.plainNodeGetUs', label: 'GET to a loopback receiver from plain Node (node:http, new connection; median)', value: plainUs, unit: 'µs' },
        {
          key: 'capabilities.sandboxFetchInvokeUs',
          label: 'post_registration invocation that fetches the same URL through the sandbox (engine path: grant check, host fetch, answer into the isolate; median)',
          value: us(sandboxed), unit: 'µs', baseline: { label: 'plain Node GET', value: plainUs },
        },
        { key: 'capabilities.sandboxFetchInvokeP99Us', label: 'the same, p99', value: percentile(sandboxed, 99) * 1000, unit: 'µs' },
        {
          key: 'capabilities.fetchCostInScriptUs',
          label: 'what the fetch adds to the invocation (median with fetch − median of the same invocation without)',
          value: us(sandboxed) - us(bare), unit: 'µs', baseline: { label: 'plain Node GET', value: plainUs },
        },
        { key: 'capabilities.invokeWithoutFetchUs', label: 'the same invocation without a fetch, for reference (median)', value: us(bare), unit: 'µs' },
      ];
    } finally {
      await runner.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  },
};
