/**
 * Behind a reverse proxy every request arrives from the proxy's address. With config editor.trustProxy naming
 * the proxy, the failed-login limit counts per client (X-Forwarded-For); without it the header is ignored,
 * since anyone can send it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore } from '../../scripts-store/index.ts';

let editor: Editor | undefined;
let runner: Runner | undefined;

async function start(trustProxy?: string[]): Promise<Editor> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-proxy-'));
  const r = await openStore(dir, { flushMs: 60_000 });
  if (!r.ok) throw new Error(r.error.message);
  runner = createRunner();
  editor = await startEditor({
    store: r.value, runner, auth: createAuth(dir, { username: 'admin', password: 'correct horse' }), port: 0, page: false,
    loginAttemptsPerMinute: 2, ...(trustProxy ? { trustProxy } : {}),
  });
  return editor;
}

async function wrongLogin(e: Editor, forwardedFor: string): Promise<number> {
  const res = await fetch(`${e.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ username: 'admin', password: 'wrong' }),
  });
  await res.text();
  return res.status;
}

afterEach(async () => {
  await editor?.close();
  await runner?.close();
  editor = undefined;
  runner = undefined;
});

describe('editor.trustProxy', () => {
  it('with the proxy trusted, each forwarded client has its own failed-login count', async () => {
    const e = await start(['127.0.0.1', '::1']);
    expect([await wrongLogin(e, '203.0.113.1'), await wrongLogin(e, '203.0.113.1'), await wrongLogin(e, '203.0.113.1')]).toEqual([401, 401, 429]);
    // Another client behind the same proxy is not blocked by the first one's failures.
    expect(await wrongLogin(e, '203.0.113.2')).toBe(401);
  });

  it('without it, X-Forwarded-For is ignored: a client cannot dodge the limit by naming another address', async () => {
    const e = await start();
    expect([await wrongLogin(e, '203.0.113.1'), await wrongLogin(e, '203.0.113.2'), await wrongLogin(e, '203.0.113.3')]).toEqual([401, 401, 429]);
  });

  it('a proxy that is not the one trusted is not believed either', async () => {
    const e = await start(['10.0.0.0/8']);
    expect([await wrongLogin(e, '203.0.113.1'), await wrongLogin(e, '203.0.113.2'), await wrongLogin(e, '203.0.113.3')]).toEqual([401, 401, 429]);
  });
});
