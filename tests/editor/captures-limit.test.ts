import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'hl-captures-limit-'));
let editor: Editor;
let runner: Runner;
let store: Store;
let cookie = '';

beforeAll(async () => {
  const r = await openStore(dir, { flushMs: 60_000 });
  if (!r.ok) throw new Error(r.error.message);
  store = r.value;
  for (let i = 0; i < 3; i++) store.capture({ hook: 'process_client_phone', linkedid: `1.${i}`, input: hooks.process_client_phone.exampleInput, now: i + 1, seed: i });
  runner = createRunner();
  editor = await startEditor({ store, runner, auth: createAuth(dir, { username: 'admin', password: 'pw' }), port: 0, page: false });
  const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'pw' }) });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
});
afterAll(async () => {
  await editor.close();
  await runner.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const captures = async (query: string) => {
  const res = await fetch(`${editor.url}/api/hooks/process_client_phone/captures${query}`, { headers: { cookie } });
  return { status: res.status, body: (await res.json()) as { captures?: unknown[]; error?: { code: string; message: string; hint: string } } };
};

describe('GET /api/hooks/:hook/captures?limit=', () => {
  it('returns the newest N for a positive limit, and all without one', async () => {
    expect((await captures('?limit=2')).body.captures).toHaveLength(2);
    expect((await captures('')).body.captures).toHaveLength(3);
  });

  it.each(['-5', 'abc', '0', '1.5', '', '10001'])('refuses limit=%s with 400 BAD_REQUEST', async (v) => {
    const r = await captures(`?limit=${v}`);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code: 'BAD_REQUEST', message: `limit must be a whole number from 1 to 10000, not "${v}"`, hint: 'Leave limit out for every capture kept, or give the newest N as limit=N.' } });
  });
});
