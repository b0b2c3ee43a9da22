/**
 * Issue 6: replay of one draft against 1,000 captured inputs with diffs against the published version, end to
 * end through the editor's API over HTTP, against 1,000 raw invocations of the same draft in the same run. Two
 * API figures: the first replay after a publish (both sides run), and the edit-replay loop (the published
 * side's outputs for the same version and captures are reused: editor/replay.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hooks } from '../../contracts/index.ts';
import { startEditor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { compile, createRunner } from '../../sandbox/index.ts';
import { openStore } from '../../scripts-store/index.ts';
import { median, type BenchFigure, type BenchSuite } from '../suite.ts';

const N = 1_000;
const RUNS = 3;
const PUBLISHED = "export default (i: HookInput): HookResult => ({ data: { phone: i.phone }, state: 'success' });";
const DRAFT = "export default (i: HookInput): HookResult => ({ data: { phone: i.phone.endsWith('7') ? i.phone.slice(1) : i.phone }, state: 'success' });";

export const suite: BenchSuite = {
  name: 'replay',
  about: 'replay of a draft against 1,000 captured inputs through the editor API (issue 6), vs 1,000 raw invocations',
  async run(): Promise<BenchFigure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'hl-bench-replay-'));
    const s = await openStore(dir, { captureRing: N, flushMs: 60_000 });
    if (!s.ok) throw new Error(s.error.message);
    const store = s.value;
    const base = hooks.process_client_phone.exampleInput;
    for (let i = 0; i < N; i++) store.capture({ hook: 'process_client_phone', linkedid: `1700000000.${i}`, input: { ...base, phone: `+7916${String(1000000 + i)}` }, now: i, seed: i });
    await store.publish('process_client_phone', { source: PUBLISHED, message: 'bench', author: 'bench', check: async () => null });
    const runner = createRunner();
    // As the service builds it (app/service.ts): two children, synchronous calls.
    const replayRunner = createRunner({ children: 2, calls: 'sync' });
    const editor = await startEditor({ store, runner, replayRunner, auth: createAuth(dir, { password: 'bench' }), port: 0, page: false });
    try {
      const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench' }) });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const replayOnce = async (source: string) => {
        const t = performance.now();
        const r = await fetch(`${editor.url}/api/hooks/process_client_phone/replay`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ limit: N, source }),
        });
        const body = (await r.json()) as { summary: { total: number; changed: number } };
        if (body.summary.total !== N || body.summary.changed !== N / 10) throw new Error(`replay answered ${JSON.stringify(body.summary)}`);
        return performance.now() - t;
      };
      // Each replay is of a new draft (the operator edited it): compiled, and its isolate started, every time.
      let edit = 0;
      const draft = () => `${DRAFT}\n// edit ${++edit}`;
      await replayOnce(draft()); // warm: children started
      const cold: number[] = [];
      const warm: number[] = [];
      for (let k = 0; k < RUNS; k++) {
        // A new published version: nothing of the published side is known, both sides run on every capture.
        const v = await store.publish('process_client_phone', { source: `${PUBLISHED}\n// v${k + 2}`, message: 'bench', author: 'bench', check: async () => null });
        if (!v.ok) throw new Error(v.error.message);
        cold.push(await replayOnce(draft()));
        // The edit-replay loop: the published side's outputs are reused, only the draft runs.
        warm.push(await replayOnce(draft()));
      }
      const apiColdMs = median(cold);
      const apiMs = median(warm);

      const c = await compile(DRAFT, { hook: 'process_client_phone' });
      if (!c.ok) throw new Error(c.error.message);
      const script = { version: 'draft', compiled: c.compiled };
      const inputs = store.captures('process_client_phone');
      let t = performance.now();
      for (const cap of inputs) await runner.invoke('process_client_phone', script, cap.input, { now: cap.now, seed: cap.seed });
      const rawMs = performance.now() - t;
      t = performance.now();
      await Promise.all(inputs.map((cap) => runner.invoke('process_client_phone', script, cap.input, { now: cap.now, seed: cap.seed })));
      const rawParallelMs = performance.now() - t;
      const target = (ms: number) => ({ text: 'under 1 second for 1,000', met: ms < 1000 });
      return [
        { key: 'replay.raw1000Ms', label: '1,000 invocations of the draft, one after another (hookline runner)', value: rawMs, unit: 'ms' },
        { key: 'replay.raw1000ConcurrentMs', label: '1,000 invocations of the draft, all issued at once', value: rawParallelMs, unit: 'ms' },
        {
          key: 'replay.api1000Ms',
          label: `replay through the API, draft edited and replayed again: draft on 1,000 captures, published outputs reused, diffs and summary (median of ${RUNS})`,
          value: apiMs,
          unit: 'ms',
          baseline: { label: '1,000 invocations one after another', value: rawMs },
          target: target(apiMs),
        },
        {
          key: 'replay.api1000ColdMs',
          label: `replay through the API, first after a publish: draft and published on 1,000 captures (two sandbox children), diffs and summary (median of ${RUNS})`,
          value: apiColdMs,
          unit: 'ms',
          baseline: { label: '1,000 invocations one after another', value: rawMs },
          target: target(apiColdMs),
        },
      ];
    } finally {
      await editor.close();
      await runner.close();
      await replayRunner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
