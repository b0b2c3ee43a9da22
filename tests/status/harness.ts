import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth, type RouteModule } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';

/** A real editor on loopback with the status wired in, logged in as admin. */
export interface Served {
  editor: Editor;
  cookie: string;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export async function serve(o: { status?: () => unknown; routes?: RouteModule[]; trustProxy?: string[] }): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-status-'));
  const r = await openStore(dir, { flushMs: 60_000 });
  if (!r.ok) throw new Error(r.error.message);
  const store: Store = r.value;
  const runner: Runner = createRunner();
  const editor = await startEditor({ store, runner, port: 0, auth: createAuth(dir, { username: 'admin', password: 'pw' }), ...o });
  const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"admin","password":"pw"}' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  return {
    editor,
    cookie,
    async get(path, headers = {}) {
      const res = await fetch(`${editor.url}${path}`, { headers });
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
    async close() {
      await editor.close();
      await runner.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
