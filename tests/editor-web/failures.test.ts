/**
 * The failures view (issue 17, item 4) in a real browser (the npm-shipped chromium, headless, through
 * playwright-core) against the real editor server, store and sandbox: a hook's failure badge opens its failures
 * (time, version, code, message, and the input when a capture of the same call is kept); "Replay this one" runs
 * the editor's draft on that input and shows what it returns. A screenshot per step goes to
 * test-output/editor-web-failures/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { ensurePage, startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';
import { openEditorPage, type EditorPage } from '../helpers/editor-page.ts';

const OUT = 'test-output/editor-web-failures';
const HOOK = 'process_client_phone';
let dir: string;
let store: Store;
let runner: Runner;
let editor: Editor;
let ui: EditorPage;
let page: Page;

const shot = (name: string) => ui.shot(name);

beforeAll(async () => {
  await ensurePage();
  dir = mkdtempSync(join(tmpdir(), 'hl-editor-failures-'));
  const s = await openStore(dir, { flushMs: 50 });
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
  const now = Date.now();
  // The call 7.1 was captured, then its script failed; the call 7.2's input is not kept.
  store.capture({ hook: HOOK, linkedid: '7.1', input: { ...hooks[HOOK].exampleInput, phone: '+7 999 123-45-67' }, now, seed: 1, time: new Date(now - 60_000).toISOString() });
  store.capture({ hook: HOOK, linkedid: '7.3', input: hooks[HOOK].exampleInput, now, seed: 2, time: new Date(now - 50_000).toISOString() });
  store.recordFailure(HOOK, { code: 'SCRIPT_THREW', message: 'Cannot read properties of undefined (reading \'x\')', version: 3, linkedid: '7.1', time: new Date(now - 59_000).toISOString() });
  store.recordFailure(HOOK, { code: 'TIMEOUT', message: 'the script ran longer than 200 ms', version: 3, linkedid: '7.2', time: new Date(now - 30_000).toISOString() });
  await store.flush();
  runner = createRunner();
  editor = await startEditor({ store, runner, auth: createAuth(dir, { password: 'pw' }), port: 0 });
  ui = await openEditorPage(editor.url, { password: 'pw', shots: OUT, fullPageShots: true });
  page = ui.page;
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await editor?.close();
  await store?.close();
  await runner?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the failures view', () => {
  it('the failure badge opens the hook\'s failures, with the input of the same call when it is kept', async () => {
    const badge = `[data-hook=${HOOK}] [data-testid=failures]`;
    await expect.poll(() => page.textContent(badge)).toBe('2 failures (24 h)');
    await shot('list-with-badge');
    await page.click(badge);
    await expect.poll(() => page.evaluate(() => window.hookline?.hook() ?? null)).toBe(HOOK);
    await page.waitForSelector('[data-testid=failure]');
    expect(await page.isVisible('#panel-failures')).toBe(true);
    expect(await page.isVisible('#panel-edit')).toBe(false);
    expect(await page.getAttribute('[data-testid=subtab-failures]', 'aria-selected')).toBe('true');
    await shot('failures-open');
    const rows = page.locator('[data-testid=failure]');
    expect(await rows.count()).toBe(2);
    // Newest first: the timeout (its call's input not kept), then the throw with its input.
    const timeout = rows.nth(0);
    expect(await timeout.getAttribute('data-code')).toBe('TIMEOUT');
    expect(await timeout.locator('[data-testid=failure-version]').textContent()).toBe('v3');
    expect(await timeout.locator('[data-testid=failure-message]').textContent()).toBe('the script ran longer than 200 ms');
    expect(await timeout.locator('[data-testid=failure-replay]').count()).toBe(0);
    expect(await timeout.textContent()).toContain('input not kept');
    const threw = rows.nth(1);
    expect(await threw.locator('[data-testid=failure-code]').textContent()).toBe('SCRIPT_THREW');
    expect(await threw.locator('[data-testid=failure-call]').textContent()).toBe('call 7.1');
    // The time in the browser's local form, the ISO time in the title.
    expect(await threw.locator('[data-testid=failure-time]').getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);
    await threw.locator('summary').click();
    expect(JSON.parse((await threw.locator('[data-testid=failure-input]').textContent()) ?? '')).toMatchObject({ phone: '+7 999 123-45-67' });
    await shot('failure-input');
  });

  it('"Replay this one" runs the draft (the editor\'s text) on that input and shows its output', async () => {
    await page.click('[data-testid=subtab-edit]');
    const draft = `// ${HOOK}: digits only\nexport default (input: HookInput): HookResult => ({ data: { phone: String(input.phone).replace(/\\D/g, '') }, state: 'success' });\n`;
    await page.evaluate((s) => window.hookline?.setSource(s), draft);
    await page.click('[data-testid=subtab-failures]');
    const threw = page.locator('[data-testid=failure][data-code=SCRIPT_THREW]');
    await threw.waitFor();
    await threw.locator('[data-testid=failure-replay]').click();
    const out = threw.locator('[data-testid=failure-replay-output]');
    await out.waitFor({ timeout: 30_000 });
    expect(JSON.parse((await out.textContent()) ?? '')).toEqual({ phone: '79991234567' });
    expect(await threw.locator('[data-testid=failure-replay-result]').getAttribute('data-ok')).toBe('true');
    await shot('replayed-one');
    // A draft that fails on it says so.
    await page.click('[data-testid=subtab-edit]');
    await page.evaluate((s) => window.hookline?.setSource(s), `// ${HOOK}: broken\nexport default (input: HookInput): HookResult => { throw new Error('still broken'); };\n`);
    await page.click('[data-testid=subtab-failures]');
    await page.locator('[data-testid=failure][data-code=SCRIPT_THREW] [data-testid=failure-replay]').click();
    const result = page.locator('[data-testid=failure][data-code=SCRIPT_THREW] [data-testid=failure-replay-result]');
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 30_000 }).toBe('false');
    expect(await result.textContent()).toContain('still broken');
    await shot('replayed-one-fails');
  });

  it('another hook\'s Failures tab shows its own (none here), and the GET answers each failure\'s capture', async () => {
    await page.click('[data-hook=need_registration]');
    await expect.poll(() => page.evaluate(() => window.hookline?.hook() ?? null)).toBe('need_registration');
    await page.click('[data-testid=subtab-failures]');
    await expect.poll(() => page.textContent('[data-testid=failures-summary]')).toBe('No failures kept for this hook.');
    expect(await page.locator('[data-testid=failure]').count()).toBe(0);
    await shot('other-hook-no-failures');
    const r = await page.evaluate(async (hook) => (await fetch(`/api/hooks/${hook}/failures`)).json(), HOOK) as { failures: { linkedid: string; capture: { id: string; input: { phone: string } } | null }[] };
    expect(r.failures.map((f) => [f.linkedid, f.capture?.input.phone ?? null])).toEqual([['7.2', null], ['7.1', '+7 999 123-45-67']]);
    expect(r.failures[1]?.capture?.id).toBe(store.captures(HOOK).find((c) => c.linkedid === '7.1')?.id);
    expect(ui.pageErrors).toEqual([]);
  });
});
