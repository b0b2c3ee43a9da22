/**
 * The editor page in a browser that reports a language tag Intl refuses ("en-US@posix": the npm-shipped chromium
 * under LANG=C.UTF-8, a container's default): the page still works (it stopped at "Invalid language tag").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensurePage, startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';
import { chromiumLaunch } from '../helpers/binaries.ts';

let dir: string;
let store: Store;
let runner: Runner;
let editor: Editor;
let browser: Browser;

beforeAll(async () => {
  await ensurePage();
  dir = mkdtempSync(join(tmpdir(), 'hl-locale-'));
  const s = await openStore(dir, { flushMs: 50 });
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
  runner = createRunner({ isolation: 'in-process' });
  editor = await startEditor({ store, runner, auth: createAuth(dir, { password: 'pw' }), port: 0 });
  const launch = await chromiumLaunch();
  browser = await chromium.launch({ ...launch, args: launch.args.filter((a) => !a.startsWith('--lang')), env: { ...process.env, LANG: 'C.UTF-8', LANGUAGE: '', LC_ALL: '' } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await editor?.close();
  await store?.close();
  await runner?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('logs in and opens a hook in a browser whose language tag Intl refuses', async () => {
  const page = await (await browser.newContext()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(editor.url);
  const language = await page.evaluate(() => (globalThis as unknown as { navigator: { language: string } }).navigator.language);
  await page.fill('#password', 'pw');
  await page.click('#login-submit');
  await page.waitForSelector('[data-testid=hook-list] li[data-hook]', { timeout: 20_000 });
  await page.click('[data-hook=process_client_phone]');
  await page.waitForSelector('#editor .monaco-editor .view-lines', { timeout: 20_000 });
  await page.click('[data-testid=tab-status]');
  await page.waitForTimeout(500);
  expect({ language, errors }).toEqual({ language: 'en-US', errors: [] });
});
