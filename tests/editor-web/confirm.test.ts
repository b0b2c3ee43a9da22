/**
 * Publish and rollback ask first (issue 17, item 2) in a real browser (the npm-shipped chromium, headless, through
 * playwright-core) against the real editor server and store: Publish shows Monaco's diff of the live version against
 * the draft, Cancel publishes nothing, "Publish vN" publishes; a rollback shows the diff of the live version against
 * the one to go back to and goes on only when confirmed. A screenshot per step goes to test-output/editor-web-confirm/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePage, startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';
import { openEditorPage, type EditorPage } from '../helpers/editor-page.ts';

const OUT = 'test-output/editor-web-confirm';
const HOOK = 'process_lead_update_params';
const src = (name: string) => `// ${HOOK}: ${name}\nexport default (i: HookInput): HookResult => { const { call_full, ...d } = i; return { data: d, state: 'success' }; };\n`;
let dir: string;
let store: Store;
let runner: Runner;
let editor: Editor;
let ui: EditorPage;
let page: Page;

const shot = (name: string) => ui.shot(name);
/** The confirmation's diff as text (Monaco renders spaces as no-break spaces). */
const diffText = async () => ((await page.textContent('[data-testid=confirm-diff] .monaco-diff-editor')) ?? '').replace(/\u00a0/g, ' ');

beforeAll(async () => {
  await ensurePage();
  dir = mkdtempSync(join(tmpdir(), 'hl-editor-confirm-'));
  const s = await openStore(dir, { flushMs: 50 });
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
  const p = await store.publish(HOOK, { source: src('live-one'), message: 'live one', author: 'someone', check: async () => null });
  if (!p.ok) throw new Error(p.error.message);
  runner = createRunner();
  editor = await startEditor({ store, runner, auth: createAuth(dir, { password: 'pw' }), port: 0 });
  ui = await openEditorPage(editor.url, { password: 'pw', shots: OUT });
  page = ui.page;
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await editor?.close();
  await store?.close();
  await runner?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('publish and rollback ask to confirm, with the diff against the live version', () => {
  it('Publish shows the diff; Cancel publishes nothing', async () => {
    await page.click(`[data-hook=${HOOK}]`);
    await expect.poll(() => page.evaluate(() => window.hookline?.source() ?? '')).toBe(src('live-one'));
    await page.evaluate((s) => window.hookline?.setSource(s), src('draft-two'));
    await page.click('[data-testid=save-draft]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toBe('Draft saved');
    await page.fill('#publish-message', 'two');
    await page.click('[data-testid=publish]');
    await page.waitForSelector('[data-testid=confirm-publish]', { state: 'visible' });
    await expect.poll(diffText).toContain('live-one');
    expect(await diffText()).toContain('draft-two');
    expect(await page.textContent('[data-testid=confirm-publish]')).toBe('Publish v2');
    expect(await page.textContent('[data-testid=publish-confirm]')).toContain('Live: v1');
    await shot('publish-diff');
    await page.click('[data-testid=cancel-publish]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toBe('Not published: cancelled');
    expect(await page.isVisible('[data-testid=publish-confirm]')).toBe(false);
    await shot('publish-cancelled');
    expect(store.published(HOOK)).toMatchObject({ version: 1, source: src('live-one') });
    expect(store.versions(HOOK)).toHaveLength(1);
  });

  it('"Publish vN" publishes', async () => {
    await page.click('[data-testid=publish]');
    await page.waitForSelector('[data-testid=confirm-publish]', { state: 'visible' });
    await shot('publish-diff-again');
    await page.click('[data-testid=confirm-publish]');
    await expect.poll(() => page.textContent('[data-testid=action-result]'), { timeout: 30_000 }).toBe('Published v2: live for the next call');
    expect(await page.isVisible('[data-testid=publish-confirm]')).toBe(false);
    await shot('published');
    expect(store.published(HOOK)).toMatchObject({ version: 2, source: src('draft-two') });
  });

  it('a rollback shows the diff of the live version against the one to go back to, then confirms', async () => {
    await page.click('[data-testid=subtab-history]');
    await page.waitForSelector('#rollback-1');
    await page.click('#rollback-1');
    await page.waitForSelector('[data-testid=confirm-rollback]', { state: 'visible' });
    await expect.poll(diffText).toContain('draft-two');
    expect(await diffText()).toContain('live-one');
    expect(await page.textContent('[data-testid=confirm-rollback]')).toBe('Roll back to v1');
    await shot('rollback-diff');
    await page.click('[data-testid=cancel-rollback]');
    expect(await page.isVisible('[data-testid=rollback-confirm]')).toBe(false);
    expect(store.published(HOOK)).toMatchObject({ version: 2 });
    await shot('rollback-cancelled');
    await page.click('#rollback-1');
    await page.waitForSelector('[data-testid=confirm-rollback]', { state: 'visible' });
    await page.click('[data-testid=confirm-rollback]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toBe('Rolled back: v3 is live');
    await shot('rolled-back');
    expect(store.published(HOOK)).toMatchObject({ version: 3, rollbackOf: 1, source: src('live-one') });
    expect(ui.pageErrors).toEqual([]);
  });
});
