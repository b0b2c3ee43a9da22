/** The page's route module over real HTTP: the page, its assets under the build key, the typings route, headers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePage, pageKey, startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore } from '../../scripts-store/index.ts';

let dir: string;
let editor: Editor;
let runner: Runner;
let cookie = '';

beforeAll(async () => {
  await ensurePage();
  dir = mkdtempSync(join(tmpdir(), 'hl-assets-'));
  const s = await openStore(dir);
  if (!s.ok) throw new Error(s.error.message);
  runner = createRunner({ isolation: 'in-process' });
  editor = await startEditor({ store: s.value, runner, auth: createAuth(dir, { password: 'pw' }), port: 0 });
  const login = await fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'pw' }) });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
}, 120_000);

afterAll(async () => {
  await editor?.close();
  await runner?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the editor page route module', () => {
  it('serves the page with a strict CSP, and its bundles, CSS and font under the build key, cached for good', async () => {
    const page = await fetch(`${editor.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await page.text();
    const key = pageKey();
    expect(html).toContain(`/assets/${key}/main.js`);
    for (const [file, type] of [['main.js', 'text/javascript'], ['main.css', 'text/css'], ['ts.worker.js', 'text/javascript'], ['editor.worker.js', 'text/javascript']]) {
      const r = await fetch(`${editor.url}/assets/${key}/${file}`);
      expect(r.status, file).toBe(200);
      expect(r.headers.get('content-type')).toContain(type);
      expect(r.headers.get('cache-control')).toContain('immutable');
    }
    const css = await (await fetch(`${editor.url}/assets/${key}/main.css`)).text();
    const font = /url\("?\.\/(codicon-[\w-]+\.ttf)"?\)/.exec(css)?.[1];
    expect(font).toBeTruthy();
    expect((await fetch(`${editor.url}/assets/${key}/${font}`)).headers.get('content-type')).toBe('font/ttf');
    expect(css).toContain('.uplot'); // uPlot's CSS is bundled too
    // fetch asks for gzip and inflates it: the worker arrives whole and compressed.
    const raw = await fetch(`${editor.url}/assets/${key}/ts.worker.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(raw.headers.get('content-encoding')).toBe('gzip');
    expect((await raw.text()).length).toBeGreaterThan(1_000_000);
    const plain = await fetch(`${editor.url}/assets/${key}/main.css`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
  });

  it('answers 404 for another build key, an unknown file or a path outside the build', async () => {
    expect((await fetch(`${editor.url}/assets/0000000000000000/main.js`)).status).toBe(404);
    expect((await fetch(`${editor.url}/assets/${pageKey()}/nope.js`)).status).toBe(404);
    expect((await fetch(`${editor.url}/assets/${pageKey()}/..%2f..%2fbuild.ts`)).status).toBe(404);
  });

  it("serves one hook's typings to a session only", async () => {
    expect((await fetch(`${editor.url}/api/hooks/process_client_phone/typings`)).status).toBe(401);
    const r = await fetch(`${editor.url}/api/hooks/process_client_phone/typings`, { headers: { cookie } });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("type HookInput = HookInputs['process_client_phone'];");
    expect((await fetch(`${editor.url}/api/hooks/nope/typings`, { headers: { cookie } })).status).toBe(404);
  });

  it('reuses a build whose inputs did not change', async () => {
    const b = await ensurePage();
    expect(b).toMatchObject({ built: false, key: pageKey() });
  });
});
