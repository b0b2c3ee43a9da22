/**
 * Issue 19 item 4: the mode switch. A live invocation records each capability call with its answer in its
 * capture; a replay (editor/replay.ts, as the editor and `hookline replay` run it) serves those answers, fails
 * a read that is not in the capture with NOT_IN_CAPTURE, and lists writes as "would send" without sending
 * them: the receiver, sim/kommo and the store file prove nothing was sent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapabilities, type CapabilityCall, type CapabilityHost } from '../../capabilities/index.ts';
import { hooks } from '../../contracts/index.ts';
import { replay } from '../../editor/index.ts';
import { createKommoClient } from '../../engine/kommo/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';
import { DEFAULT_LONG_LIVED_TOKEN, startKommo, type KommoSim } from '../../sim/kommo/index.ts';
import { invokeWith, outOf, postScript, startReceiver, type Receiver } from './helpers.ts';

let runner: Runner;
let receiver: Receiver;
let sim: KommoSim;
let caps: CapabilityHost;
let dir: string;
let store: Store;
let leadId: number;

const SCRIPT = () => postScript(`
  const cfg = await (await fetch('${receiver.base}/config?key=abc')).json();
  await fetch('${receiver.base}/webhook', { method: 'POST', body: JSON.stringify({ from: input.call_full.channel.from.number, cfg }) });
  const lead = await kommo.request('GET', '/api/v4/leads/${leadId}');
  await kommo.request('POST', '/api/v4/leads/${leadId}/notes', [{ note_type: 'common', params: { text: 'call from ' + input.call_full.channel.from.number } }]);
  const n = (await store.get('count')) ?? 0;
  await store.set('count', n + 1);
  return { cfg, lead: lead.body.name, n };`);

beforeAll(async () => {
  runner = createRunner();
  receiver = await startReceiver({ '/config': (_q, res) => res.end(JSON.stringify({ greeting: 'hi' })) });
  sim = await startKommo({ account: 'demo' });
  leadId = sim.seedLeads([{ name: 'Deal' }])[0]?.id ?? 0;
  dir = mkdtempSync(join(tmpdir(), 'hookline-recorded-'));
  const client = createKommoClient({ baseUrl: sim.url, auth: { kind: 'long-lived', token: DEFAULT_LONG_LIVED_TOKEN } });
  caps = createCapabilities({
    hooks: { post_registration: { fetch: { allow: [`${receiver.base}/*`] }, kommo: { write: ['POST /api/v4/leads/*/notes'] }, store: {} } },
    storeDir: join(dir, 'hook-store'),
    kommo: () => client,
  });
  const s = await openStore(join(dir, 'data'), { flushMs: 60_000 });
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
});

afterAll(async () => {
  await store.close();
  await runner.close();
  await receiver.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('recorded mode', () => {
  let recordedCalls: CapabilityCall[];

  it('a live invocation acts once and records every call with its answer', async () => {
    const { r, session } = await invokeWith(runner, caps, 'post_registration', SCRIPT());
    expect(r.error).toBeNull();
    expect(outOf(r)).toEqual({ cfg: { greeting: 'hi' }, lead: 'Deal', n: 0 });
    recordedCalls = session.calls();
    expect(recordedCalls.map((c) => `${c.kind} ${c.method} ${c.write}`)).toEqual([
      'fetch GET false', 'fetch POST true', 'kommo GET false', 'kommo POST true', 'store.get GET false', 'store.set SET true',
    ]);
    expect(receiver.received.map((x) => `${x.method} ${x.url}`)).toEqual(['GET /config?key=abc', 'POST /webhook']);
    store.capture({ hook: 'post_registration', linkedid: '1763633700.65', input: structuredClone(hooks.post_registration.exampleInput), now: Date.now(), seed: 1, calls: recordedCalls });
    expect(store.captures('post_registration')[0]?.calls).toHaveLength(6);
  });

  it('a recorded session answers from the recording and sends nothing; writes are listed as would send', async () => {
    const sent = receiver.received.length;
    const kommoRequests = sim.requests().length;
    const storeFile = readFileSync(join(dir, 'hook-store', 'post_registration.json'), 'utf8');
    const { r, session } = await invokeWith(runner, caps, 'post_registration', SCRIPT(), { mode: { kind: 'recorded', calls: recordedCalls } });
    expect(r.error).toBeNull();
    expect(outOf(r)).toEqual({ cfg: { greeting: 'hi' }, lead: 'Deal', n: 0 });
    expect(receiver.received.length).toBe(sent);
    expect(sim.requests().length).toBe(kommoRequests);
    expect(readFileSync(join(dir, 'hook-store', 'post_registration.json'), 'utf8')).toBe(storeFile);
    expect(session.wouldSend().map((w) => `${w.kind} ${w.method} ${w.target} ${w.recorded}`)).toEqual([
      `fetch POST ${receiver.base}/webhook true`, `kommo POST /api/v4/leads/${leadId}/notes true`, 'store.set SET "count" true',
    ]);
    expect(r.logs.filter((l) => l.text.startsWith('[would send]')).length).toBe(3);
  });

  it('a read that is not in the capture fails with NOT_IN_CAPTURE; a new write gets a dry answer', async () => {
    const sent = receiver.received.length;
    const { r, session } = await invokeWith(runner, caps, 'post_registration', postScript(`
      const out = {};
      try { await fetch('${receiver.base}/other'); } catch (e) { out.read = e.code + ': ' + e.message; }
      const res = await fetch('${receiver.base}/new-hook', { method: 'PUT', body: 'x' });
      out.write = { status: res.status, dryRun: res.dryRun };
      return out;`), { mode: { kind: 'recorded', calls: [] } });
    expect(outOf(r)).toEqual({
      read: `NOT_IN_CAPTURE: fetch GET ${receiver.base}/other is not in this capture: a replay serves only the answers recorded when the call ran, and never sends anything`,
      write: { status: 202, dryRun: true },
    });
    expect(session.wouldSend()).toEqual([{ kind: 'fetch', method: 'PUT', target: `${receiver.base}/new-hook`, body: 'x', recorded: false }]);
    expect(receiver.received.length).toBe(sent);
  });

  it("the editor's replay serves the capture's answers to both sides and shows what would be sent", async () => {
    const sent = receiver.received.length;
    const kommoRequests = sim.requests().length;
    const report = await replay({ store, runner, hook: 'post_registration', draftSource: SCRIPT(), capabilities: caps });
    if (!report.ok) throw new Error(report.error.message);
    const [res] = report.report.results;
    expect(res?.verdict).toBe('unchanged');
    expect(res?.draft.error).toBeNull();
    expect(res?.draft.wouldSend?.map((w) => w.method)).toEqual(['POST', 'POST', 'SET']);
    expect(receiver.received.length).toBe(sent);
    expect(sim.requests().length).toBe(kommoRequests);
    expect(existsSync(join(dir, 'hook-store', 'post_registration.json'))).toBe(true);
  });

  it('the same through the replay runner the service uses (two children, synchronous calls into isolates)', async () => {
    const sent = receiver.received.length;
    const replayRunner = createRunner({ children: 2, calls: 'sync' });
    try {
      const report = await replay({ store, runner: replayRunner, hook: 'post_registration', draftSource: `${SCRIPT()}\n// edited`, capabilities: caps });
      if (!report.ok) throw new Error(report.error.message);
      const [res] = report.report.results;
      expect(res?.draft.error).toBeNull();
      expect(res?.draft.logs.find((l) => l.text.startsWith('OUT '))?.text).toBe('OUT {"cfg":{"greeting":"hi"},"lead":"Deal","n":0}');
      expect(res?.draft.wouldSend).toHaveLength(3);
    } finally {
      await replayRunner.close();
    }
    expect(receiver.received.length).toBe(sent);
  });
});
