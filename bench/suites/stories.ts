/**
 * Issue 16: calls' stories. (1) What recording costs the call path: the time spent inside the recorder's methods
 * (events, hook invocations, Kommo operations, the finished call and its outcome: all synchronous, on the event
 * loop) per call, against the registration time of the same calls (call_ended → outcome), in one run of the real
 * engine over loopback (sim/pbx → engine → sim/kommo at 7 requests per 100 ms, ten times Kommo's pace: the ratio
 * is conservative). Serialising and writing the story happen later, off the path, and are not counted there.
 * (2) The dry run of 1,000 recorded calls with a draft for every one of the 13 hooks (those that apply run).
 * (3) Bytes on disk per story, with and without its events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig } from '../../config/index.ts';
import { HOOK_NAMES } from '../../contracts/index.ts';
import { createStoryRecorder, draftInvoker, draftScripts, dryRun, openStoryStore, type StoryRecorder, type StorySummary } from '../../stories/index.ts';
import { readFileSync } from 'node:fs';
import { createPublishedScripts } from '../../app/index.ts';
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { createEngine } from '../../engine/index.ts';
import { silentLogger } from '../../log/index.ts';
import { openStore } from '../../scripts-store/index.ts';
import { startKommo } from '../../sim/kommo/index.ts';
import { startPbx } from '../../sim/pbx/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { median, type BenchFigure, type BenchSuite } from '../suite.ts';

const CALLS_FOR_DRY_RUN = 1_000;
const CACO_TRUNK = 'SIP/voipgrid-siproute-docker';
const FIXTURE_DIR = new URL('../../tests/fixtures/ami/', import.meta.url).pathname;

/** The engine over loopback as the service wires stories: sim/pbx → engine → sim/kommo (7 requests per 100 ms). */
async function startEngine(dir: string, recorder: StoryRecorder) {
  const checked = checkConfig({ pbx: { trunks: [CACO_TRUNK] } }, null, {});
  if (!checked.ok) throw new Error(checked.error.message);
  const config = checked.value.config;
  const pbx = await startPbx();
  const kommo = await startKommo({ account: 'empty', limits: { rateWindowMs: 100 } });
  const s = await openStore(dir, { flushMs: 50 });
  if (!s.ok) throw new Error(s.error.message);
  const store = s.value;
  const runner = createRunner();
  const scripts = createPublishedScripts(store, runner, silentLogger);
  const hooks = createHookInvoker({ runner, scripts, log: silentLogger, onInvocation: recorder.invocation });
  const engine = await createEngine({
    config, dataDir: dir, hooks, log: silentLogger, fsync: false,
    ami: { host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0 },
    kommo: { baseUrl: kommo.url, auth: { kind: 'long-lived', token: 'sim-long-lived-token' }, rateWindowMs: 100, batchWindowMs: 20, observe: recorder.kommo },
    onEvent: recorder.event, onCall: recorder.call, onOutcome: recorder.outcome,
  });
  recorder.setKnown(() => engine.follower.known());
  const ready = await engine.ami.ready(5_000);
  if (!ready.ok) throw new Error(ready.error.message);
  const started = await engine.start();
  if (!started.ok) throw new Error(started.error.message);
  return {
    store, runner, scripts,
    async play(file: string) {
      await pbx.replay(readFileSync(join(FIXTURE_DIR, file), 'utf8'), { pace: 'asap', rewrite: true });
      await engine.ami.action({ Action: 'Ping' });
      await new Promise((r) => setTimeout(r, 100));
      await engine.follower.idle();
      engine.follower.finish();
      await engine.idle();
    },
    async close() {
      await engine.close();
      scripts.close();
      await store.close();
      await runner.close();
      await pbx.close();
      await kommo.close();
    },
  };
}
const FIXTURES = ['caco-inbound-queue-answered.ami', 'caco-inbound-queue-caller-abandon.ami', 'caco-inbound-blonde-transfer.ami', 'caco-outbound-trunk-loopback-answered.ami', 'caco-originate-ctd-outbound-busy.ami'];

/** The recorder with the time spent in each of its methods counted. */
function timed(r: StoryRecorder): { recorder: StoryRecorder; spentMs: () => number } {
  let spent = 0;
  const wrap = <A extends unknown[]>(f: (...a: A) => void) => (...a: A) => {
    const t = performance.now();
    f(...a);
    spent += performance.now() - t;
  };
  return {
    recorder: { ...r, event: wrap(r.event), invocation: wrap(r.invocation), kommo: wrap(r.kommo), call: wrap(r.call), outcome: wrap(r.outcome) },
    spentMs: () => spent,
  };
}

const PASS = (hook: string) => `export default function (input: any) {
  const { call_full, ...data } = input ?? {};
  ${hook === 'need_registration' ? 'return { data: { result: true }, state: "success" };' : hook === 'post_registration' ? 'return { data: {}, state: "success" };' : 'return { data, state: "success" };'}
}`;

export const suite: BenchSuite = {
  name: 'stories',
  about: "issue 16: a call's story recorded on the call path vs registration time; dry run of 1,000 recorded calls; bytes per story",
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'hl-bench-stories-'));
    const figures: BenchFigure[] = [];
    const store = openStoryStore(dir);
    const t = timed(createStoryRecorder({ store }));
    const ended = new Map<string, number>();
    const took: number[] = [];
    const recorder: StoryRecorder = {
      ...t.recorder,
      call(c, submitted) {
        if (submitted) ended.set(c.linkedid, performance.now());
        t.recorder.call(c, submitted);
      },
      outcome(x) {
        const at = ended.get(x.linkedid);
        if (at !== undefined) took.push(performance.now() - at);
        t.recorder.outcome(x);
      },
    };
    const h = await startEngine(dir, recorder);
    try {
      for (let round = 0; round < 8; round++) for (const f of FIXTURES) await h.play(f);
      await store.flush();
      const stories = store.list({ limit: 1000 });
      const registered = took.length;
      const perCallRecordMs = t.spentMs() / stories.length;
      const registrationMs = took.reduce((a, b) => a + b, 0) / Math.max(1, registered);
      figures.push({
        key: 'stories.recordPerCallUs', label: 'recording one call\'s story on the call path (events, hooks, Kommo, outcome)', value: Math.round(perCallRecordMs * 1000), unit: 'µs',
        baseline: { label: `registration time per call (call_ended → outcome, median ${median(took).toFixed(0)} ms; ${registered} calls)`, value: Math.round(registrationMs * 1000) },
        target: { text: '< 5% of registration time', met: perCallRecordMs < 0.05 * registrationMs },
      });

      // 1,000 recorded calls: the stories above, each written again under new call ids
      const recorded = stories.map((s) => ({ s, story: store.get(s.linkedid), events: store.events(s.linkedid) })).filter((x) => x.story && x.events);
      const big = openStoryStore(join(dir, 'thousand'));
      for (let i = 0; big.list({ limit: 2000 }).length < CALLS_FOR_DRY_RUN && i < CALLS_FOR_DRY_RUN * 2; i++) {
        const x = recorded[i % recorded.length] as (typeof recorded)[number];
        const id = `bench-${i}`;
        const swap = <T>(v: T): T => JSON.parse(JSON.stringify(v).split(x.s.linkedid).join(id)) as T;
        const summary = swap<StorySummary>(x.s);
        big.add(summary, () => JSON.stringify(swap(x.story)), swap(x.events));
        if (i % 100 === 99) await big.flush();
      }
      await big.flush();
      for (const hook of HOOK_NAMES) await h.store.saveDraft(hook, PASS(hook), 'bench');
      const d = await draftScripts(h.store, h.scripts);
      // as the service runs it: the replay runner (two children, synchronous calls into the isolates)
      const runner = createRunner({ children: 2, calls: 'sync' });
      const drafts = draftInvoker(runner, d.scripts);
      let count = 0;
      const counting = (story: Parameters<typeof drafts.forStory>[0]) => {
        const inner = drafts.forStory(story);
        const invoker: typeof inner = {
          invoke: (hook, input, ctx) => {
            count++;
            return inner.invoke(hook, input, ctx);
          },
        };
        return invoker;
      };
      const checked = checkConfig({ pbx: { trunks: [CACO_TRUNK] } }, null, {});
      if (!checked.ok) throw new Error(checked.error.message);
      const account = recorder.accountReads();
      // warm: the drafts' isolates
      await dryRun({ store: big, config: checked.value.config, invoker: counting, account }, { limit: 20 });
      count = 0;
      const t0 = performance.now();
      const r = await dryRun({ store: big, config: checked.value.config, invoker: counting, account, drafts: d.drafts }, { limit: CALLS_FOR_DRY_RUN });
      const ms = performance.now() - t0;
      figures.push({
        key: 'stories.dryRun1000Ms', label: `dry run of ${r.summary.total} recorded calls, a draft for each of the 13 hooks (${count} invocations; ${r.summary.changed} changed, ${r.summary.failed} failed)`, value: Math.round(ms), unit: 'ms',
        target: { text: '< 5,000 ms', met: ms < 5000 && r.summary.total === CALLS_FOR_DRY_RUN },
      });
      await big.close();
      await runner.close();

      const st = store.stats();
      const withEvents = st.events.records ? (st.stories.bytes + st.events.bytes) / st.stories.records : 0;
      figures.push({
        key: 'stories.bytesPerStory', label: 'bytes on disk per story, without its events', value: Math.round(st.stories.bytes / Math.max(1, st.stories.records)), unit: 'B',
        baseline: { label: 'with its events', value: Math.round(withEvents) },
      });
    } finally {
      await h.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return figures;
  },
};
