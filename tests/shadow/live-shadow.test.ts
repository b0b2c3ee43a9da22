/**
 * Shadow runs on live calls (issue 17, item 7), end to end: hookline as `npm start` runs it (the engine, the
 * sandbox, the store, the editor's API), calls played by sim/pbx over TCP, registered in sim/kommo. A draft of
 * process_call_params put in shadow through the API runs beside the live (default) version: its results
 * are listed with the input, both outputs and the diff; the Kommo writes (sim/kommo's request log) are the same
 * as a run of the same calls without a shadow; a publish of the hook ends the shadow.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../app/index.ts';
import { checkConfig } from '../../config/index.ts';
import { silentLogger } from '../../log/index.ts';
import { startPbx } from '../../sim/pbx/index.ts';

const HOOK = 'process_call_params';
const CAPTURES = ['caco-inbound-queue-answered.ami', 'caco-inbound-queue-caller-abandon.ami', 'caco-inbound-blonde-transfer.ami'].map((f) => join('demo/captures', f));
/** The shadow words the call's result its own way: were its output ever used, Kommo would receive these. */
const SHADOW = `// shadow\nexport default (i: HookInput): HookResult => { const { call_full, ...d } = i; return { data: { ...d, call_result: 'SHADOW ' + d.call_result }, state: 'success' }; };\n`;
const TIME_KEYS = new Set(['created_at', 'updated_at', 'complete_till', 'called_at']);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Run {
  writes: string[];
  shadow: { shadow: Record<string, any> | null; results: Record<string, any>[] } | null;
  afterPublish: Record<string, any> | null;
  status: Record<string, any>;
}

async function run(withShadow: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-shadow-'));
  dirs.push(dir);
  const checked = checkConfig({ dataDir: join(dir, 'data'), editor: { port: 0, admin: { password: 'pw' } } }, null, {});
  if (!checked.ok) throw new Error(checked.error.message);
  const pbx = await startPbx({ users: { demo: { secret: 'demo' } } });
  let service: Service | undefined;
  try {
    service = await startService({ config: checked.value.config, demo: true, log: silentLogger, pbxOverride: { host: pbx.host, port: pbx.port, username: 'demo', secret: 'demo' } });
    const url = `http://127.0.0.1:${service.editor?.port}`;
    const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'pw' }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const api = async (path: string, method = 'GET', body?: unknown) => {
      const r = await fetch(`${url}${path}`, { method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, any> };
    };
    if (withShadow) {
      expect((await api(`/api/hooks/${HOOK}/shadow`, 'POST', {})).status).toBe(409); // no draft yet
      await api(`/api/hooks/${HOOK}/draft`, 'PUT', { source: SHADOW });
      const started = await api(`/api/hooks/${HOOK}/shadow`, 'POST', {});
      expect(started.status).toBe(201);
      expect(started.body.shadow).toMatchObject({ hook: HOOK, active: true, runs: 0 });
    }
    const e = service.engine;
    const ready = await e.ami.ready(5_000);
    if (!ready.ok) throw new Error(ready.error.message);
    for (const f of CAPTURES) {
      await pbx.replay(readFileSync(f), { pace: 'asap' });
      await e.ami.action({ Action: 'Ping' });
    }
    await new Promise((r) => setTimeout(r, 300));
    await e.follower.idle();
    e.follower.finish();
    await e.idle();
    let shadow: Run['shadow'] = null;
    let afterPublish: Run['afterPublish'] = null;
    if (withShadow) {
      // Shadow invocations finish after the live ones they follow.
      await expect.poll(async () => (await api(`/api/hooks/${HOOK}/shadow`)).body.shadow.runs, { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(() => service?.shadows.inFlight(), { timeout: 15_000 }).toBe(0);
      shadow = (await api(`/api/hooks/${HOOK}/shadow`)).body as Run['shadow'];
      await api(`/api/hooks/${HOOK}/draft`, 'PUT', { source: `// published\nexport default (i: HookInput): HookResult => { const { call_full, ...d } = i; return { data: d, state: 'success' }; };\n` });
      expect((await api(`/api/hooks/${HOOK}/publish`, 'POST', { message: 'publish ends the shadow' })).status).toBe(200);
      afterPublish = (await api(`/api/hooks/${HOOK}/shadow`)).body.shadow;
    }
    const status = (await api('/api/status')).body;
    const sim = service.kommoSim;
    if (!sim) throw new Error('no Kommo emulator');
    // What reached Kommo: every write, in a stable order (calls of different clients may interleave), its times
    // as "T" (the captures' events carry no Timestamp: they are stamped on arrival, so each run has its own).
    // and request_id as "R" (an item's place in its batch).
    const untimed = (k: string, v: unknown) => (TIME_KEYS.has(k) && typeof v === 'number' ? 'T' : k === 'request_id' ? 'R' : v);
    // Each item on its own: how items are batched into requests depends on timing (engine/kommo batcher.ts).
    const writes = sim.requests().filter((r) => r.method !== 'GET').flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body]).map((item) => JSON.stringify({ route: r.route, status: r.status, item }, untimed))).sort();
    return { writes, shadow, afterPublish, status };
  } finally {
    await service?.stop();
    await pbx.close();
  }
}

describe('a shadow on live calls', () => {
  let without: Run;
  let withShadow: Run;

  it('lists its results while calls play: the input, the live output, the shadow\'s, the diff', async () => {
    withShadow = await run(true);
    const s = withShadow.shadow;
    expect(s?.shadow).toMatchObject({ hook: HOOK, active: true, failed: 0, same: 0 });
    expect(s?.shadow?.differs).toBe(s?.shadow?.runs);
    const first = s?.results[0] as Record<string, any>;
    expect(first.verdict).toBe('differs');
    expect(first.linkedid).toEqual(expect.any(String));
    expect(first.input.call_result).toEqual(expect.any(String));
    expect(first.shadow.data.call_result).toBe(`SHADOW ${first.live.data.call_result}`);
    expect(first.diff).toContain(`+  "call_result": "SHADOW `);
    expect(first.live.version).toBeNull(); // the built-in default ran live
    // The status page lists it.
    expect(withShadow.status.shadows).toEqual([expect.objectContaining({ hook: HOOK, runs: s?.shadow?.runs })]);
  }, 90_000);

  it('a publish of the hook ends it', () => {
    expect(withShadow.afterPublish).toMatchObject({ active: false, stopReason: 'v1 was published' });
  });

  it('the Kommo writes are the same as without a shadow, none of them carrying its output', async () => {
    without = await run(false);
    expect(without.writes.length).toBeGreaterThan(0);
    expect(withShadow.writes.some((w) => w.includes('SHADOW'))).toBe(false);
    expect(withShadow.writes).toEqual(without.writes);
  }, 90_000);
});
