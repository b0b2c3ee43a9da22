/**
 * Issue 17: the editor as a workbench. A hook's live invocation through the engine's path (the hook invoker, the
 * isolating runner's shared child) p50/p99 with no shadow and with a draft in shadow (app/shadow-runs.ts: its own
 * child at nice 15, time-share bounded), in alternating rounds of the same run (target: p99 with a shadow within
 * 1.2× of without). And a publish through the editor's API with 50 test cases to run, against the same publish of
 * a hook without cases (two stores, same runners, alternating).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createShadowRuns } from '../../app/index.ts';
import { hooks } from '../../contracts/index.ts';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { createAuth } from '../../http/index.ts';
import { silentLogger } from '../../log/index.ts';
import { compile, createRunner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';
import { median, percentile, type BenchFigure, type BenchSuite } from '../suite.ts';

const HOOK = 'process_client_phone';
const LIVE = "export default (i: HookInput): HookResult => ({ data: { phone: i.phone }, state: 'success' });";
const DRAFT = "export default (i: HookInput): HookResult => ({ data: { phone: String(i.phone).replace(/\\D/g, '') }, state: 'success' });";
const ROUNDS = 10;
const PER_ROUND = 300;
const CASES = 50;
const pause = () => new Promise<void>((r) => setTimeout(r, 2));

async function openTemp(prefix: string): Promise<{ store: Store; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const s = await openStore(dir, { flushMs: 60_000, captureEnabled: false });
  if (!s.ok) throw new Error(s.error.message);
  return { store: s.value, dir };
}

async function liveWithShadow(): Promise<BenchFigure[]> {
  const { store, dir } = await openTemp('hl-bench-shadow-');
  const runner = createRunner();
  const shadowRuns = createShadowRuns({ store, bundleDir: join(dir, 'sandbox'), log: silentLogger });
  const shadows = shadowRuns.shadows;
  try {
    const c = await compile(LIVE, { hook: HOOK, version: 1 });
    if (!c.ok) throw new Error(c.error.message);
    const script = { version: 1, compiled: c.compiled };
    await runner.warm(HOOK, script);
    const invoker = createHookInvoker({ runner, scripts: { published: () => script }, log: silentLogger, onInvocation: (r) => shadows.observe(r) });
    const input = hooks[HOOK].exampleInput;
    const xs = { without: [] as number[], with: [] as number[] };
    for (let i = 0; i < 200; i++) await invoker.invoke(HOOK, input, { linkedid: null });
    for (let round = 0; round < ROUNDS; round++) {
      const shadowed = round % 2 === 1;
      if (shadowed) {
        const s = await shadows.start(HOOK, DRAFT, 'bench');
        if (!s.ok) throw new Error(s.error.message);
      } else shadows.stop(HOOK, 'bench');
      for (let i = 0; i < PER_ROUND; i++) {
        await pause();
        const t = performance.now();
        await invoker.invoke(HOOK, input, { linkedid: `1.${i}` });
        xs[shadowed ? 'with' : 'without'].push((performance.now() - t) * 1000);
      }
    }
    const info = shadows.get(HOOK)?.shadow;
    const p99 = { with: percentile(xs.with, 99), without: percentile(xs.without, 99) };
    return [
      { key: 'workbench.liveP50NoShadowUs', label: 'live invocation p50, no shadow', value: median(xs.without), unit: 'µs' },
      { key: 'workbench.liveP50ShadowUs', label: 'live invocation p50, a draft in shadow', value: median(xs.with), unit: 'µs', baseline: { label: 'no shadow', value: median(xs.without) } },
      { key: 'workbench.liveP99NoShadowUs', label: 'live invocation p99, no shadow', value: p99.without, unit: 'µs' },
      {
        key: 'workbench.liveP99ShadowUs', label: `live invocation p99, a draft in shadow (last round: ${info?.runs ?? 0} shadowed, ${(info?.skipped.cpu ?? 0) + (info?.skipped.busy ?? 0)} skipped)`,
        value: p99.with, unit: 'µs', baseline: { label: 'no shadow', value: p99.without }, target: { text: 'p99 within 1.2× of no shadow', met: p99.with <= 1.2 * p99.without },
      },
    ];
  } finally {
    await shadowRuns.close();
    await runner.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function publishWithCases(): Promise<BenchFigure[]> {
  const runner = createRunner();
  const replayRunner = createRunner({ children: 2, calls: 'sync' });
  const made: { store: Store; dir: string; editor: Editor; cookie: string }[] = [];
  try {
    for (const cases of [0, CASES]) {
      const { store, dir } = await openTemp('hl-bench-cases-');
      const input = hooks[HOOK].exampleInput;
      if (cases) await store.saveTestCases(HOOK, Array.from({ length: cases }, (_, i) => ({ name: `case ${i}`, input: { ...input, phone: `+7 916 ${1000000 + i}` }, expected: { phone: `7916${1000000 + i}` }, now: i, seed: i, author: 'bench' })));
      const editor = await startEditor({ store, runner, replayRunner, auth: createAuth(dir, { password: 'bench' }), port: 0, page: false });
      const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench' }) });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const put = await fetch(`${editor.url}/api/hooks/${HOOK}/draft`, { method: 'PUT', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ source: DRAFT }) });
      if (!put.ok) throw new Error(`saving the draft: ${put.status}`);
      made.push({ store, dir, editor, cookie });
    }
    const publish = async (m: (typeof made)[number]) => {
      const t = performance.now();
      const r = await fetch(`${m.editor.url}/api/hooks/${HOOK}/publish`, { method: 'POST', headers: { cookie: m.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'bench' }) });
      const ms = performance.now() - t;
      if (!r.ok) throw new Error(`publish answered ${r.status}: ${await r.text()}`);
      return ms;
    };
    // The first publish of each waits for the type check's thread to load TypeScript: not counted.
    for (const m of made) await publish(m);
    const xs: number[][] = [[], []];
    for (let round = 0; round < 5; round++) for (const [k, m] of made.entries()) xs[k]?.push(await publish(m));
    const none = median(xs[0] as number[]);
    const fifty = median(xs[1] as number[]);
    return [
      { key: 'workbench.publishNoCasesMs', label: 'publish through the API, no test cases', value: none, unit: 'ms' },
      { key: 'workbench.publish50CasesMs', label: `publish through the API, ${CASES} test cases run`, value: fifty, unit: 'ms', baseline: { label: 'no test cases', value: none }, target: { text: 'under 1 s', met: fifty < 1000 } },
    ];
  } finally {
    for (const m of made) {
      await m.editor.close();
      await m.store.close();
      rmSync(m.dir, { recursive: true, force: true });
    }
    await replayRunner.close();
    await runner.close();
  }
}

export const suite: BenchSuite = {
  name: 'workbench',
  about: 'issue 17: a live invocation p50/p99 with and without a draft in shadow; a publish that runs 50 test cases',
  async run(): Promise<BenchFigure[]> {
    return [...(await liveWithShadow()), ...(await publishWithCases())];
  },
};
