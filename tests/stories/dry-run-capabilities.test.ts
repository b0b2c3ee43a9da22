/**
 * Issues 16 and 19 together: the dry run answers the scripts' capability calls from each call's story (recorded
 * mode) and never carries them out. A published post_registration posts a webhook and adds a note in Kommo on
 * live calls (sim/pbx → engine → sim/kommo, a loopback receiver); a dry run then compares the writes the scripts
 * made with those the drafts would make — with no draft none changes; a draft that changes the webhook's body
 * changes exactly that write — and neither the receiver nor sim/kommo gets a request meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapabilities } from '../../capabilities/index.ts';
import { checkConfig } from '../../config/index.ts';
import { createStoryRecorder, draftInvoker, draftScripts, dryRun, openStoryStore, type DryRunResult, type StoryRecorder, type StoryStore } from '../../stories/index.ts';
import { startReceiver, type Receiver } from '../capabilities/helpers.ts';
import { CACO_TRUNK, startHarness, type Harness } from '../helpers/engine-harness.ts';

const FILES = ['caco-inbound-queue-answered.ami', 'caco-outbound-trunk-loopback-answered.ami', 'caco-inbound-blonde-transfer.ami'];
const SCRIPT = (base: string, extra = '') => `export default async function (input: HookInput): Promise<HookResult> {
  const call = input.call_full;
  await fetch('${base}/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ linkedid: call.channel.id${extra} }) });
  const target = call.deal ? '/api/v4/leads/' + call.deal.id + '/notes' : call.entity ? '/api/v4/' + call.entity.type + '/' + call.entity.id + '/notes' : null;
  if (target) await kommo.request('POST', target, [{ note_type: 'common', params: { text: 'hookline: call ' + call.channel.id } }]);
  return { state: 'success' };
}`;

let h: Harness;
let receiver: Receiver;
let stories: StoryStore;
let recorder: StoryRecorder;
let config: ReturnType<typeof configOf>;
const dir = mkdtempSync(join(tmpdir(), 'hl-dry-caps-'));

function configOf(base: string) {
  const c = {
    pbx: { trunks: [CACO_TRUNK] },
    hooks: { post_registration: { timeoutMs: 5_000, fetch: { allow: [`${base}/*`], timeoutMs: 2_000 }, kommo: { write: ['POST /api/v4/leads/*/notes', 'POST /api/v4/contacts/*/notes', 'POST /api/v4/companies/*/notes'] } } },
  };
  const checked = checkConfig(c, null, {});
  if (!checked.ok) throw new Error(checked.error.message);
  return { raw: c, config: checked.value.config };
}

async function runDry(): Promise<DryRunResult> {
  const d = await draftScripts(h.store, h.scripts);
  const invoker = draftInvoker(h.runner, d.scripts, config.config.hooks, undefined, createCapabilities({ hooks: config.config.hooks }));
  return dryRun({ store: stories, config: config.config, invoker: (s) => invoker.forStory(s), scriptWrites: (id) => invoker.scriptWrites(id), account: recorder.accountReads(), drafts: d.drafts }, { limit: 100 });
}

beforeAll(async () => {
  receiver = await startReceiver({ '/calls': (_q, res) => res.end('{"ok":true}') });
  config = configOf(receiver.base);
  stories = openStoryStore(dir);
  recorder = createStoryRecorder({ store: stories });
  h = await startHarness({ dir, stories: recorder, capabilities: true, config: config.raw });
  await h.publish('post_registration', SCRIPT(receiver.base));
  for (const f of FILES) await h.play(f, { fresh: true });
  await h.engine.idle();
  await stories.flush();
}, 120_000);

afterAll(async () => {
  await h?.close();
  await receiver?.close();
  await stories?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the dry run and the scripts' capability calls", () => {
  it('records each webhook and note with the call, and with no draft none changes; nothing is sent', async () => {
    const posted = receiver.received.length;
    const notes = h.kommo.state().notes.length;
    expect(posted).toBeGreaterThan(0);
    expect(notes).toBeGreaterThan(0);
    const kommoBefore = h.kommo.counters().requests;
    const r = await runDry();
    const registered = r.calls.filter((c) => c.recorded === 'registered');
    expect(registered.length).toBe(posted);
    for (const c of registered) {
      expect(c.sent.filter((w) => w.op === 'script fetch').map((w) => `${w.method} ${w.route}`)).toEqual([`POST ${receiver.base}/calls`]);
      expect(c.wouldSend.filter((w) => w.op.startsWith('script ')).map((w) => w.op)).toEqual(c.sent.filter((w) => w.op.startsWith('script ')).map((w) => w.op));
    }
    expect(r.calls.filter((c) => c.sent.some((w) => w.op === 'script kommo')).length).toBe(notes);
    expect(r.summary).toEqual({ total: r.calls.length, changed: 0, unchanged: r.calls.length, failed: 0 });
    expect(receiver.received.length).toBe(posted);
    expect(h.kommo.counters().requests).toBe(kommoBefore);
  }, 60_000);

  it("a draft that changes the webhook's body changes exactly that write, and sends nothing", async () => {
    const posted = receiver.received.length;
    const kommoBefore = h.kommo.counters().requests;
    await h.store.saveDraft('post_registration', SCRIPT(receiver.base, ', draft: true'), 'test');
    try {
      const r = await runDry();
      const registered = r.calls.filter((c) => c.recorded === 'registered');
      expect(r.calls.filter((c) => c.status === 'changed').map((c) => c.linkedid).sort()).toEqual(registered.map((c) => c.linkedid).sort());
      for (const c of registered) {
        expect(c.changes.map((x) => `${x.op} ${x.method} ${x.route}`)).toEqual([`script fetch POST ${receiver.base}/calls`]);
        const [change] = c.changes;
        expect(change?.wouldSend).toEqual({ ...(change?.sent as object), draft: true });
      }
      expect(receiver.received.length).toBe(posted);
      expect(h.kommo.counters().requests).toBe(kommoBefore);
    } finally {
      await h.store.saveDraft('post_registration', SCRIPT(receiver.base), 'test');
    }
  }, 60_000);
});
