/**
 * Issue 19 acceptance, end to end: sim/pbx (AMI over TCP) → the engine → sim/kommo (HTTP), a local HTTP receiver,
 * and a published post_registration that posts a webhook and adds a note in Kommo. Both happen once per
 * registered call, and the Kommo rate limit still holds (zero 429 at sim/kommo, whose limit is the client's).
 * Then the editor's replay of those captures sends nothing (the receiver's and sim/kommo's logs prove it) and
 * shows what would be sent, over the editor's HTTP API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay, startEditor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { startHarness, type Harness } from '../helpers/engine-harness.ts';
import { startReceiver, type Receiver } from './helpers.ts';

const FILES = ['caco-inbound-queue-answered.ami', 'caco-inbound-queue-caller-abandon.ami', 'caco-outbound-trunk-loopback-answered.ami', 'caco-inbound-blonde-transfer.ami'];
const ROUNDS = 2;

let h: Harness;
let receiver: Receiver;

const SCRIPT = (base: string) => `export default async function (input: HookInput): Promise<HookResult> {
  const call = input.call_full;
  const res = await fetch('${base}/calls?source=hookline', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ linkedid: call.channel.id, result: call.result }) });
  if (!res.ok) throw new Error('webhook answered ' + res.status);
  const target = call.deal ? '/api/v4/leads/' + call.deal.id + '/notes' : call.entity ? '/api/v4/' + call.entity.type + '/' + call.entity.id + '/notes' : null;
  if (target) await kommo.request('POST', target, [{ note_type: 'common', params: { text: 'hookline: call ' + call.channel.id } }]);
  return { state: 'success' };
}`;

beforeAll(async () => {
  receiver = await startReceiver({ '/calls': (_q, res) => res.end('{"ok":true}') });
  h = await startHarness({
    capabilities: true,
    config: {
      hooks: {
        post_registration: {
          timeoutMs: 5_000,
          fetch: { allow: [`${receiver.base}/*`], timeoutMs: 2_000 },
          kommo: { write: ['POST /api/v4/leads/*/notes', 'POST /api/v4/contacts/*/notes', 'POST /api/v4/companies/*/notes'] },
        },
      },
    },
  });
  await h.publish('post_registration', SCRIPT(receiver.base));
});

afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

describe('scripts that act, end to end', () => {
  it('post_registration posts a webhook and adds a note once per registered call; zero 429', async () => {
    for (let round = 0; round < ROUNDS; round++) for (const f of FILES) await h.play(f, { fresh: true });
    await h.engine.idle();
    const registered = h.kommo.state().calls.map((c) => String(c.uniq));
    expect(registered.length).toBeGreaterThanOrEqual(FILES.length * ROUNDS);
    const posts = h.invocations.filter((i) => i.hook === 'post_registration');
    expect(posts).toHaveLength(registered.length);
    expect(posts.map((p) => p.error)).toEqual(posts.map(() => null));
    expect(new Set(registered).size).toBe(registered.length);
    // The webhook: once per registered call, nothing else.
    const hooked = receiver.received.map((r) => (JSON.parse(r.body) as { linkedid: string }).linkedid);
    expect(hooked.sort()).toEqual([...registered].sort());
    expect(receiver.received.every((r) => r.method === 'POST' && r.url === '/calls?source=hookline')).toBe(true);
    // The note: once per registered call, on its lead or client.
    const notes = h.kommo.state().notes.map((n) => String(n.params.text));
    expect(notes.sort()).toEqual(registered.map((l) => `hookline: call ${l}`).sort());
    // The rate limit held: the scripts' requests shared the engine's limiter.
    expect(h.kommo.counters().status429).toBe(0);
    // Each request is in the log with the call's linkedid, the URL without query values.
    const lines = h.logLines().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('[fetch]'));
    expect(lines).toHaveLength(registered.length);
    expect(String(lines[0]?.msg)).toMatch(new RegExp(`^\\[fetch\\] fetch POST ${receiver.base}/calls\\?source=… → 200, 11 B, \\d+ ms$`));
    expect(registered).toContain(lines[0]?.linkedid);
  }, 60_000);

  it("the editor's replay of those calls sends nothing and shows what would be sent", async () => {
    await h.store.flush();
    const sent = receiver.received.length;
    const kommoRequests = h.kommo.requests().length;
    const notes = h.kommo.state().notes.length;
    const r = await replay({ store: h.store, runner: h.runner, hook: 'post_registration', draftSource: SCRIPT(receiver.base), ...(h.capabilities ? { capabilities: h.capabilities } : {}) });
    if (!r.ok) throw new Error(r.error.message);
    const results = r.report.results;
    expect(results.length).toBeGreaterThanOrEqual(FILES.length);
    for (const x of results) {
      expect(x.draft.error).toBeNull();
      expect(x.draft.wouldSend?.map((w) => `${w.kind} ${w.method} ${w.recorded}`)).toEqual(['fetch POST true', 'kommo POST true']);
      expect(x.draft.wouldSend?.[0]?.target).toBe(`${receiver.base}/calls?source=…`);
    }
    expect(receiver.received.length).toBe(sent);
    expect(h.kommo.requests().length).toBe(kommoRequests);
    expect(h.kommo.state().notes.length).toBe(notes);
  }, 60_000);

  it("the editor's HTTP API answers a replay with the writes it would send, and sends none", async () => {
    const sent = receiver.received.length;
    const kommoRequests = h.kommo.requests().length;
    const editor = await startEditor({ store: h.store, runner: h.runner, auth: createAuth(h.dir, { password: 'e2e-pass' }), port: 0, page: false, ...(h.capabilities ? { capabilities: h.capabilities } : {}) });
    try {
      const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'e2e-pass' }) });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const res = await fetch(`${editor.url}/api/hooks/post_registration/replay`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ limit: 3 }) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: { draft: { wouldSend?: { kind: string; method: string; target: string }[] } }[] };
      expect(body.results).toHaveLength(3);
      for (const x of body.results) expect(x.draft.wouldSend?.map((w) => `${w.kind} ${w.method}`)).toEqual(['fetch POST', 'kommo POST']);
    } finally {
      await editor.close();
    }
    expect(receiver.received.length).toBe(sent);
    expect(h.kommo.requests().length).toBe(kommoRequests);
  }, 60_000);
});
