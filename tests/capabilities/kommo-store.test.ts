/**
 * Issue 19: kommo.request through the engine's own client (sim/kommo over HTTP), and store.get/set. Hostile:
 * a Kommo write from a hook not granted it, a path that would carry the token to another host, a script
 * reading the token; each asserts the refusal and that the next good invocation works.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapabilities, type CapabilityHost } from '../../capabilities/index.ts';
import { createKommoClient, type KommoClient } from '../../engine/kommo/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { DEFAULT_LONG_LIVED_TOKEN, startKommo, type KommoSim } from '../../sim/kommo/index.ts';
import { catching, invokeWith, outOf, postScript, startReceiver, type Receiver } from './helpers.ts';

let runner: Runner;
let sim: KommoSim;
let client: KommoClient;
let caps: CapabilityHost;
let other: Receiver;
let dir: string;
let leadId: number;
let clock = Date.UTC(2026, 11, 8);

beforeAll(async () => {
  runner = createRunner();
  sim = await startKommo({ account: 'demo' });
  leadId = sim.seedLeads([{ name: 'Deal' }])[0]?.id ?? 0;
  other = await startReceiver();
  client = createKommoClient({ baseUrl: sim.url, auth: { kind: 'long-lived', token: DEFAULT_LONG_LIVED_TOKEN }, requestsPerSecond: 7 });
  dir = mkdtempSync(join(tmpdir(), 'hookline-caps-'));
  caps = createCapabilities({
    hooks: {
      post_registration: { kommo: { write: ['POST /api/v4/leads/*/notes'] }, store: { maxKeys: 3, maxValueBytes: 64 } },
      customize_autodistribution: { store: {} },
    },
    storeDir: join(dir, 'hook-store'),
    kommo: () => client,
    now: () => clock,
  });
});

afterAll(async () => {
  await runner.close();
  await sim.close();
  await other.close();
  rmSync(dir, { recursive: true, force: true });
});

const notesPosted = () => sim.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/notes')).length;

async function expectGoodKommoWorks() {
  const { r } = await invokeWith(runner, caps, 'post_registration', postScript(`const a = await kommo.request('GET', '/api/v4/leads/${leadId}'); return { status: a.status, name: a.body.name };`));
  expect(outOf(r)).toEqual({ status: 200, name: 'Deal' });
}

describe('kommo.request', () => {
  it('reads and a granted write go through the engine client; each is logged', async () => {
    const before = notesPosted();
    const { r } = await invokeWith(runner, caps, 'post_registration', postScript(`
      const lead = await kommo.request('GET', '/api/v4/leads/${leadId}');
      const added = await kommo.request('POST', '/api/v4/leads/${leadId}/notes', [{ note_type: 'common', params: { text: 'called by ' + input.call_full.channel.from.number } }]);
      return { lead: lead.body.id, status: added.status, id: typeof added.body._embedded.notes[0].id };`));
    expect(r.error).toBeNull();
    expect(outOf(r)).toEqual({ lead: leadId, status: 200, id: 'number' });
    expect(notesPosted()).toBe(before + 1);
    expect(sim.state().notes.at(-1)).toMatchObject({ entity_id: leadId, note_type: 'common', params: { text: 'called by +79161234567' } });
    expect(r.logs.filter((l) => l.text.startsWith('[kommo]')).map((l) => l.text.replace(/\d+ B, \d+ ms$/, 'N B, N ms'))).toEqual([
      `[kommo] kommo GET /api/v4/leads/${leadId} → 200, N B, N ms`,
      `[kommo] kommo POST /api/v4/leads/${leadId}/notes → 200, N B, N ms`,
    ]);
  });

  it('a Kommo write from a hook not granted it is refused, and nothing reaches Kommo', async () => {
    const before = notesPosted();
    const { r } = await invokeWith(runner, caps, 'need_registration', `export default async function (input: HookInput): Promise<HookResult> {
      try { await kommo.request('POST', '/api/v4/leads/${leadId}/notes', [{ note_type: 'common', params: { text: 'x' } }]); } catch (e) { console.log(e.code + ': ' + e.message); }
      try { await kommo.request('PATCH', '/api/v4/leads/${leadId}', { name: 'stolen' }); } catch (e) { console.log(e.code + ': ' + e.message); }
      return { state: 'success', data: { result: true } };
    }`);
    expect(r.logs[0]?.text).toBe(`CAPABILITY_NOT_GRANTED: kommo.request: POST /api/v4/leads/${leadId}/notes is a write not granted to need_registration; grant it in the config: hooks.need_registration.kommo.write: ["POST /api/v4/leads/*/notes"]`);
    expect(r.logs[1]?.text).toMatch(/^CAPABILITY_NOT_GRANTED: kommo.request: PATCH/);
    expect(notesPosted()).toBe(before);
    expect(sim.state().leads.find((l) => l.id === leadId)?.name).toBe('Deal');
    // post_registration may write notes only: not a lead
    const { r: r2 } = await invokeWith(runner, caps, 'post_registration', catching(`kommo.request('PATCH', '/api/v4/leads/${leadId}', { name: 'stolen' })`));
    expect((outOf(r2) as { code: string }).code).toBe('CAPABILITY_NOT_GRANTED');
    await expectGoodKommoWorks();
  });

  it('a path that would send the token to another host is refused (absolute URL, //host, .., @)', async () => {
    for (const path of [`${other.base}/api/v4/leads`, `//127.0.0.1:${other.port}/api/v4/leads`, '/api/v4/../../x', '/api/v4/leads/@evil', '/api/v4\\leads', 'api/v4/leads']) {
      const { r } = await invokeWith(runner, caps, 'post_registration', catching(`kommo.request('GET', ${JSON.stringify(path)})`));
      expect((outOf(r) as { code: string }).code).toBe('CAPABILITY_BAD_ARGUMENT');
    }
    expect(other.received).toHaveLength(0);
    await expectGoodKommoWorks();
  });

  it('a script reading the token finds it nowhere: globals, the kommo object, answers, errors, logs', async () => {
    const { r } = await invokeWith(runner, caps, 'post_registration', postScript(`
      const seen = [];
      const look = (label, v) => { try { seen.push(label + '=' + JSON.stringify(v)); } catch (e) { seen.push(label + '!' + e.message); } };
      look('globals', Object.getOwnPropertyNames(globalThis));
      look('kommo', Object.getOwnPropertyNames(kommo));
      look('kommo.request.src', kommo.request.toString());
      look('kommo.token', kommo.token);
      look('process', typeof process);
      const a = await kommo.request('GET', '/api/v4/account');
      look('answer', a);
      try { await kommo.request('GET', '/api/v4/no_such_route'); } catch (e) { look('error', { code: e.code, message: e.message }); }
      try { await fetch('${sim.url}/api/v4/account'); } catch (e) { look('fetch', e.code); }
      console.log(seen.join('\\n'));
      return seen.length;`));
    expect(r.error).toBeNull();
    const everything = JSON.stringify(r);
    expect(everything).toContain('answer=');
    expect(everything).toContain('fetch=\\"CAPABILITY_NOT_GRANTED\\"');
    expect(everything).not.toContain(DEFAULT_LONG_LIVED_TOKEN);
    expect(everything).not.toMatch(/Bearer/i);
    expect(everything).toContain('error=');
    await expectGoodKommoWorks();
  });
});

describe('store', () => {
  it('round robin: a counter kept across invocations, in the data folder, written atomically', async () => {
    const rr = `export default async function (input: HookInput): Promise<HookResult> {
      const users = [101, 102, 103];
      const n = (await store.get('next')) ?? 0;
      await store.set('next', (n + 1) % users.length);
      return { state: 'success', data: { number: String(users[n]), name: '' } };
    }`;
    const got: unknown[] = [];
    for (let i = 0; i < 4; i++) got.push((await invokeWith(runner, caps, 'customize_autodistribution', rr)).r.data);
    expect(got.map((d) => (d as { number: string }).number)).toEqual(['101', '102', '103', '101']);
    const file = JSON.parse(readFileSync(join(dir, 'hook-store', 'customize_autodistribution.json'), 'utf8')) as { entries: Record<string, { v: string }> };
    expect(file.entries.next?.v).toBe('1');
    // A new process (a restart) reads it back.
    const again = createCapabilities({ hooks: { customize_autodistribution: { store: {} } }, storeDir: join(dir, 'hook-store') });
    expect(((await invokeWith(runner, again, 'customize_autodistribution', rr)).r.data as { number: string }).number).toBe('102');
  });

  it('sizes are capped, ttlSeconds expires a key, null deletes, and an ungranted hook has no store', async () => {
    const tries = await invokeWith(runner, caps, 'post_registration', postScript(`
      const codes = [];
      const t = async (f) => { try { await f(); codes.push('ok'); } catch (e) { codes.push(e.code); } };
      await t(() => store.set('big', 'x'.repeat(100)));
      await t(() => store.set('a', 1));
      await t(() => store.set('b', 2, { ttlSeconds: 60 }));
      await t(() => store.set('c', 3));
      await t(() => store.set('d', 4));
      await t(() => store.set('', 1));
      await t(() => store.set('c', null));
      await t(() => store.set('d', 4));
      return codes;`));
    expect(outOf(tries.r)).toEqual(['STORE_LIMIT', 'ok', 'ok', 'ok', 'STORE_LIMIT', 'CAPABILITY_BAD_ARGUMENT', 'ok', 'ok']);
    clock += 61_000;
    const read = await invokeWith(runner, caps, 'post_registration', postScript(`return [await store.get('a'), await store.get('b'), await store.get('c'), await store.get('d')];`));
    expect(outOf(read.r)).toEqual([1, null, null, 4]);
    const none = await invokeWith(runner, caps, 'need_registration', `export default async function (): Promise<HookResult> {
      try { await store.get('a'); } catch (e) { console.log(e.code); } return { state: 'success', data: { result: true } }; }`);
    expect(none.r.logs[0]?.text).toBe('CAPABILITY_NOT_GRANTED');
  });
});
