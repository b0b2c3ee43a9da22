import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

// Route modules (recordings, click-to-call, autodistribution, metrics) share the editor's server; only the
// paths a module declares public skip the session check.
let editor: Editor;
let runner: Runner;
let store: Store;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hl-routes-'));
  const r = await openStore(dir, { flushMs: 60_000 });
  if (!r.ok) throw new Error(r.error.message);
  store = r.value;
  runner = createRunner();
  editor = await startEditor({
    store, runner, port: 0, auth: createAuth(dir, { username: 'admin', password: 'pw' }),
    routes: [
      {
        name: 'open',
        register(app) {
          app.post('/api/open', async (req) => ({ got: req.body ?? null }));
          app.get('/api/closed', async () => ({ secret: true }));
        },
        isPublic: (url, method) => url === '/api/open' && method === 'POST',
      },
    ],
  });
});
afterAll(async () => {
  await editor.close();
  await runner.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a public route answers without a session, even from a foreign Origin', async () => {
  const res = await fetch(`${editor.url}/api/open`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://crm.example.com' }, body: '{"a":1}' });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ got: { a: 1 } });
});

it("a module's other routes still need the session", async () => {
  const res = await fetch(`${editor.url}/api/closed`);
  expect(res.status).toBe(401);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
});
