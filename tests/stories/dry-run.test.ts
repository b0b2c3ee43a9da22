/**
 * Issue 16, item 4: the dry run. Every fixture's calls recorded through the real engine (sim/pbx → engine →
 * sim/kommo), then run again: with no draft nothing changes (the replay is faithful); with a draft of
 * process_contact_creation_params that renames contacts exactly the contact writes change, and no other; nothing
 * reaches sim/kommo during a dry run (its request log proves it). Over the API and with `hookline dry-run`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapabilities } from '../../capabilities/index.ts';
import { checkConfig } from '../../config/index.ts';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { callsRoutes, createStoryRecorder, draftInvoker, draftScripts, dryRun, openStoryStore, type DryRunResult, type StoryRecorder, type StoryStore } from '../../stories/index.ts';
import { CACO_TRUNK, FIXTURES, startHarness, type Harness } from '../helpers/engine-harness.ts';

const run = promisify(execFile);
const CONFIG = { pbx: { trunks: [CACO_TRUNK] } };
let h: Harness;
let stories: StoryStore;
let recorder: StoryRecorder;
let editor: Editor;
let cookie = '';
const dir = mkdtempSync(join(tmpdir(), 'hl-dry-run-'));
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.ami')).sort();
const checked = checkConfig(CONFIG, null, {});
if (!checked.ok) throw new Error(checked.error.message);
const config = checked.value.config;

const RENAME = `export default function (input: any) {
  const { call_full, ...data } = input;
  data.name = 'Renamed ' + data.name;
  return { data, state: 'success' };
}`;

async function runDry(req: { limit?: number; linkedids?: string[] }): Promise<DryRunResult> {
  const d = await draftScripts(h.store, h.scripts);
  // as app/stories.ts wires it: the scripts' capability calls answered from each story
  const invoker = draftInvoker(h.runner, d.scripts, config.hooks, undefined, createCapabilities({ hooks: config.hooks }));
  return dryRun({ store: stories, config, invoker: (s) => invoker.forStory(s), scriptWrites: (id) => invoker.scriptWrites(id), account: recorder.accountReads(), drafts: d.drafts }, req);
}

async function api(path: string, body?: unknown) {
  const res = await fetch(`${editor.url}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

beforeAll(async () => {
  stories = openStoryStore(dir);
  recorder = createStoryRecorder({ store: stories });
  // an account with no contacts: the first calls create theirs, the repeated ones find them
  h = await startHarness({ dir, stories: recorder, config: CONFIG, kommo: { account: 'empty' } });
  for (const f of fixtures) await h.play(f);
  // twice: the second time the clients are known (contacts found, leads open): other writes, other reads
  for (const f of fixtures.slice(0, 4)) await h.play(f, { fresh: true });
  await stories.flush();
  const auth = createAuth(join(dir, 'auth'), { username: 'admin', password: 'correct horse' });
  editor = await startEditor({ store: h.store, runner: h.runner, auth, port: 0, page: false, routes: [callsRoutes({ store: stories, dryRun: (req) => runDry(req) })] });
  const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'correct horse' }) });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
}, 180_000);

afterAll(async () => {
  await editor?.close();
  await h?.close();
  await stories?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dry run', () => {
  it('with no draft, every recorded call gives the writes it sent, and nothing reaches sim/kommo', async () => {
    const before = h.kommo.counters().requests;
    const r = (await api('/api/calls/dry-run', { limit: 1000 })).json as DryRunResult;
    expect(r.summary.total).toBe(stories.list({ limit: 1000 }).length);
    const odd = r.calls.filter((c) => c.status !== 'unchanged').map((c) => ({ id: c.linkedid, status: c.status, error: c.error, changes: c.changes.map((x) => x.diff) }));
    expect(odd).toEqual([]);
    expect(r.summary).toEqual({ total: r.calls.length, changed: 0, unchanged: r.calls.length, failed: 0 });
    expect(r.calls.some((c) => c.sent.length > 0 && c.recorded === 'registered' && c.outcome === 'registered')).toBe(true);
    expect(h.kommo.counters().requests).toBe(before);
  }, 60_000);

  it('a draft of process_contact_creation_params that renames contacts changes exactly the contact writes, and sends nothing', async () => {
    await h.store.saveDraft('process_contact_creation_params', RENAME, 'test');
    const before = h.kommo.requests().length;
    const beforeCount = h.kommo.counters().requests;
    const r = (await api('/api/calls/dry-run', { limit: 1000 })).json as DryRunResult;
    expect(r.drafts).toEqual([{ hook: 'process_contact_creation_params', error: null }]);
    // the calls that created a contact, and only they, change
    const created = stories.list({ limit: 1000 }).filter((s) => stories.get(s.linkedid)?.kommo.some((k) => k.op === 'addContacts')).map((s) => s.linkedid).sort();
    expect(created.length).toBeGreaterThan(0);
    expect(r.calls.filter((c) => c.status === 'changed').map((c) => c.linkedid).sort()).toEqual(created);
    expect(r.summary).toEqual({ total: r.calls.length, changed: created.length, unchanged: r.calls.length - created.length, failed: 0 });
    for (const c of r.calls.filter((x) => x.status === 'changed')) {
      expect(c.changes.map((x) => `${x.method} ${x.route}`)).toEqual(['POST /api/v4/contacts']);
      const [change] = c.changes;
      const sent = change?.sent as { name: string };
      expect(change?.wouldSend).toEqual({ ...sent, name: `Renamed ${sent.name}` });
      expect(change?.diff.split('\n').filter((l) => /^[+-] /.test(l))).toEqual([`-   "name": ${JSON.stringify(sent.name)},`, `+   "name": ${JSON.stringify(`Renamed ${sent.name}`)},`]);
    }
    // sim/kommo's own request log: not one request during the dry run
    expect(h.kommo.requests().length).toBe(before);
    expect(h.kommo.counters().requests).toBe(beforeCount);
  }, 60_000);

  it('`hookline dry-run` gives the same answer from the data folder', async () => {
    const api1 = (await api('/api/calls/dry-run', { limit: 5 })).json as DryRunResult;
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(CONFIG));
    await h.store.flush();
    const before = h.kommo.counters().requests;
    const { stdout } = await run(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'dry-run', '--limit', '5', '--data', dir, '--config', file, '--json'], { maxBuffer: 64 << 20 });
    const cli = JSON.parse(stdout) as DryRunResult;
    expect(cli.summary).toEqual(api1.summary);
    expect(cli.calls.map((c) => [c.linkedid, c.status, c.changes])).toEqual(api1.calls.map((c) => [c.linkedid, c.status, c.changes]));
    const human = await run(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'dry-run', '--limit', '5', '--data', dir, '--config', file], { maxBuffer: 64 << 20 });
    expect(human.stdout).toContain(`publishing these drafts changes ${api1.summary.changed} of 5 calls`);
    expect(h.kommo.counters().requests).toBe(before);
  }, 60_000);
});
