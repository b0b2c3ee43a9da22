/**
 * Issue 16, items 1-2 end to end: every fixture of tests/fixtures/ami through the real engine (sim/pbx over TCP →
 * tracker → stage hooks → registrar → sim/kommo over HTTP) with stories recorded as app/ wires them, read back over
 * the calls API: a call found by number shows its hook invocations and exactly the Kommo writes sim/kommo received
 * (its own request log); no token is stored; and each call's capture.ami, replayed by `hookline calls`, gives the
 * same summary.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { callsRoutes, createStoryRecorder, openStoryStore, type Story, type StoryStore, type StorySummary } from '../../stories/index.ts';
import { CACO_TRUNK, FIXTURES, startHarness, type Harness } from '../helpers/engine-harness.ts';

const run = promisify(execFile);
let h: Harness;
let stories: StoryStore;
let editor: Editor;
let cookie = '';
const dir = mkdtempSync(join(tmpdir(), 'hl-calls-api-'));
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.ami')).sort();

async function api(path: string, o: { body?: unknown } = {}) {
  const headers: Record<string, string> = { cookie };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${editor.url}${path}`, { method: o.body !== undefined ? 'POST' : 'GET', headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, any>, headers: res.headers };
}

beforeAll(async () => {
  stories = openStoryStore(join(dir, 'data'));
  const recorder = createStoryRecorder({ store: stories, kommoBaseUrl: () => 'https://example.kommo.com' });
  h = await startHarness({ stories: recorder, config: { users: { '201': 5_001_001, '202': 5_001_002, '203': 5_001_003 } } });
  for (const f of fixtures) await h.play(f);
  await stories.flush();
  const auth = createAuth(dir, { username: 'admin', password: 'correct horse' });
  editor = await startEditor({ store: h.store, runner: h.runner, auth, port: 0, page: false, routes: [callsRoutes({ store: stories })] });
  const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'correct horse' }) });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
}, 120_000);

afterAll(async () => {
  await editor?.close();
  await h?.close();
  await stories?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the calls API', () => {
  it('lists the calls newest first, only for a session, with filters', async () => {
    const anon = await fetch(`${editor.url}/api/calls`);
    expect(anon.status).toBe(401);
    const all = (await api('/api/calls?limit=1000')).json().calls as StorySummary[];
    expect(all.length).toBeGreaterThanOrEqual(fixtures.length);
    const ats = all.map((c) => c.at);
    expect(all.map((c) => c.linkedid)).toEqual([...new Set(all.map((c) => c.linkedid))]);
    expect(new Set(all.map((c) => c.outcome))).toEqual(new Set(['registered', 'skipped']));
    expect((await api('/api/calls?outcome=skipped&limit=1000')).json().calls.every((c: StorySummary) => c.outcome === 'skipped')).toBe(true);
    expect((await api('/api/calls?limit=2')).json().calls).toHaveLength(2);
    const before = (await api(`/api/calls?before=${Math.max(...ats)}&limit=1000`)).json().calls as StorySummary[];
    expect(before.every((c) => c.at < Math.max(...ats))).toBe(true);
    const bad = await api('/api/calls?outcome=maybe');
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe('STORY_BAD_QUERY');
    expect((await api('/api/calls/no-such-call')).json().error.code).toBe('STORY_NOT_FOUND');
    // the internal calls were skipped, and say why
    const internal = all.filter((c) => c.direction === 'internal');
    expect(internal.length).toBeGreaterThan(0);
    expect(internal.every((c) => c.outcome === 'skipped' && c.reason === 'internal call')).toBe(true);
  });

  it('a call found by number shows its hook invocations and exactly the Kommo writes sim/kommo received', async () => {
    const inbound = (await api('/api/calls?outcome=registered&limit=1000')).json().calls.find((c: StorySummary) => c.direction === 'inbound') as StorySummary;
    expect(inbound).toBeDefined();
    const found = (await api(`/api/calls?number=${encodeURIComponent(inbound.from)}&limit=1000`)).json().calls as StorySummary[];
    expect(found.map((c) => c.linkedid)).toContain(inbound.linkedid);
    const story = (await api(`/api/calls/${inbound.linkedid}`)).json() as Story;
    const hooks = story.hooks.map((x) => x.hook);
    expect(hooks).toEqual(expect.arrayContaining(['need_registration', 'process_client_phone', 'process_call_params', 'post_registration']));
    for (const x of story.hooks) expect(x).toMatchObject({ version: null, error: { code: 'NO_SCRIPT' } });
    expect(story.call?.stages.at(-1)).toBe('call_ended');
    // every write this call's story holds reached sim/kommo as sent, and every write sim/kommo got for this call is in the story
    const writes = story.kommo.filter((k) => k.write);
    expect(writes.length).toBeGreaterThan(0);
    expect(story.summary.kommoWrites).toBe(writes.length);
    const received = h.kommo.requests().filter((r) => r.method !== 'GET');
    // the client adds each item's request_id (its place in the batch) as it sends
    const items = (body: unknown) => (Array.isArray(body) ? body : [body]).map((b) => {
      const { request_id: _id, ...rest } = b as Record<string, unknown>;
      return rest;
    });
    const sentItems = (k: { method: string; route: string }) => received.filter((r) => r.method === k.method && r.path === k.route).flatMap((r) => items(r.body));
    for (const w of writes) for (const item of w.request[0] as unknown[]) expect(sentItems(w), `${w.method} ${w.route}`).toContainEqual(JSON.parse(JSON.stringify(item)));
    const ofThisCall = received.flatMap((r) => items(r.body)).filter((b) => JSON.stringify(b).includes(inbound.linkedid));
    const storyItems = writes.flatMap((w) => w.request[0] as unknown[]);
    for (const b of ofThisCall) expect(storyItems).toContainEqual(b);
    // entities touched, as links into the account
    const call = writes.find((w) => w.op === 'addCalls')?.answer as { value: { entity_id: number; entity_type: string } }[];
    const attached = call[0]?.value;
    expect(story.entities).toContainEqual({ type: `${attached?.entity_type}s`, id: attached?.entity_id, url: `https://example.kommo.com/${attached?.entity_type}s/detail/${attached?.entity_id}` });
    // no credential is stored anywhere
    const files = [join(stories.dir), join(stories.dir, 'events')].flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.log') || f.endsWith('.json')).map((f) => readFileSync(join(d, f), 'utf8')));
    expect(files.join('')).not.toContain('sim-long-lived-token');
  });

  it('each call\'s capture.ami, replayed by `hookline calls`, gives the same summary, for every fixture', async () => {
    const all = (await api('/api/calls?limit=1000')).json().calls as StorySummary[];
    const out = join(dir, 'captures');
    rmSync(out, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(out, { recursive: true });
    const files: string[] = [];
    for (const c of all) {
      const r = await api(`/api/calls/${c.linkedid}/capture.ami`);
      expect(r.status, c.linkedid).toBe(200);
      expect(r.headers.get('content-disposition')).toContain('.ami');
      const file = join(out, `${files.length}.ami`);
      writeFileSync(file, r.text);
      files.push(file);
    }
    // every fixture gave at least one call with its events
    for (const f of fixtures) {
      const ids = (JSON.parse(readFileSync(join(FIXTURES, f.replace(/\.ami$/, '.json')), 'utf8')) as { linkedids: string[] }).linkedids;
      expect(all.some((c) => ids.includes(c.linkedid)), f).toBe(true);
    }
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ pbx: { trunks: [CACO_TRUNK] }, users: { '201': 5_001_001, '202': 5_001_002, '203': 5_001_003 } }));
    const { stdout } = await run(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'calls', '--config', config, ...files], { maxBuffer: 64 << 20 });
    const replayed = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const pick = (x: Record<string, unknown> | null | undefined) => x && { direction: x.direction, from: x.from, to: x.to, answered: x.answered, answered_by: x.answered_by, conversations: x.conversations, result: x.result, stages: x.stages, decisions: x.decisions };
    for (const c of all) {
      const story = (await api(`/api/calls/${c.linkedid}`)).json() as Story;
      const again = replayed.find((r) => r.linkedid === c.linkedid);
      expect(pick(again), c.linkedid).toEqual(pick(story.call as unknown as Record<string, unknown>));
    }
  }, 120_000);

  it('a call Kommo refuses: its story says failed and why, with the answer Kommo gave', async () => {
    const id = h.kommo.fail({ kind: 'invalid', field: 'phone', method: 'POST', path: '/api/v4/calls', times: 'always' });
    try {
      await h.play('caco-inbound-queue-answered.ami', { fresh: true });
    } finally {
      h.kommo.clearFaults(id);
    }
    await stories.flush();
    const failed = (await api('/api/calls?outcome=failed')).json().calls as StorySummary[];
    expect(failed).toHaveLength(1);
    const [f] = failed;
    expect(f?.error?.code).toBe('KOMMO_BAD_REQUEST');
    expect(f?.reason).toContain('call');
    const story = (await api(`/api/calls/${f?.linkedid}`)).json() as Story;
    const refused = story.kommo.filter((k) => k.op === 'addCalls');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((k) => k.status === 400)).toBe(true);
  }, 60_000);
});
