/**
 * Back to the built-in default (issue 17, item 6) in a real browser (the npm-shipped chromium, headless, through
 * playwright-core) against the real editor server and store: the hook list marks the hooks that run a
 * customization; the History tab's "Back to the built-in default" leaves nothing published, the history shows
 * the entry, the editor opens the template, and the list says "default"; rolling back from there brings the
 * version back. A screenshot per step goes to test-output/editor-web-back-to-default/.
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

const OUT = 'test-output/editor-web-back-to-default';
const HOOK = 'process_lead_update_params';
const SRC = `// ${HOOK}: mine\nexport default (i: HookInput): HookResult => { const { call_full, ...d } = i; return { data: d, state: 'success' }; };\n`;
let dir: string;
let store: Store;
let runner: Runner;
let editor: Editor;
let ui: EditorPage;
let page: Page;

const shot = (name: string) => ui.shot(name);

beforeAll(async () => {
  await ensurePage();
  dir = mkdtempSync(join(tmpdir(), 'hl-editor-default-'));
  const s = await openStore(dir, { flushMs: 50 });
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
  const p = await store.publish(HOOK, { source: SRC, message: 'mine', author: 'someone', check: async () => null });
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

describe('back to the built-in default', () => {
  it('the list shows which hooks run a customization', async () => {
    await expect.poll(() => page.getAttribute(`[data-hook=${HOOK}]`, 'data-custom')).toBe('true');
    expect(await page.textContent(`[data-hook=${HOOK}] [data-testid=published]`)).toBe('v1 live');
    expect(await page.getAttribute(`[data-hook=${HOOK}] [data-testid=published]`, 'title')).toBe('Customized: your script v1 runs');
    const custom = await page.$$eval('[data-testid=hook-list] li[data-custom=true]', (els) => els.map((e) => e.getAttribute('data-hook')));
    expect(custom).toEqual([HOOK]);
    expect(await page.getAttribute('[data-hook=need_registration] [data-testid=published]', 'title')).toBe('Not customized: the built-in default runs');
    await shot('list-customized');
  });

  it('the only version rolled back: the default runs, the history says so, the editor holds the template', async () => {
    await page.click(`[data-hook=${HOOK}]`);
    await expect.poll(() => page.evaluate(() => window.hookline?.source() ?? '')).toBe(SRC);
    await page.click('[data-testid=subtab-history]');
    await page.waitForSelector('[data-testid=version]');
    // The only version is live: no "Roll back to" button, but the way back to the default.
    expect(await page.locator('[data-testid=rollback]').count()).toBe(0);
    expect(await page.isVisible('[data-testid=rollback-default]')).toBe(true);
    await shot('history-one-version');
    await page.click('[data-testid=rollback-default]');
    await page.click('[data-testid=confirm-rollback]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toBe('Back to the built-in default: no script runs for this hook');
    expect(store.published(HOOK)).toBeNull();
    await expect.poll(() => page.textContent(`[data-hook=${HOOK}] [data-testid=published]`)).toBe('default');
    expect(await page.getAttribute(`[data-hook=${HOOK}]`, 'data-custom')).toBe('false');
    await expect.poll(() => page.locator('[data-testid=version]').count()).toBe(2);
    expect(await page.textContent('[data-testid=version][data-default=true]')).toContain('v2 · default (live)');
    expect(await page.textContent('[data-testid=version][data-default=true]')).toContain('back to the built-in default (v1 no longer runs)');
    expect(await page.isVisible('[data-testid=rollback-default]')).toBe(false);
    await shot('back-to-default');
    await expect.poll(() => page.evaluate(() => window.hookline?.source() ?? '')).toBe(hooks[HOOK].template);
    expect(await page.textContent('[data-testid=draft-state]')).toMatch(/^saved/);
    expect(await page.locator(`[data-hook=${HOOK}] [data-testid=draft-changed]`).count()).toBe(0);
  });

  it('rolling back from the default brings the version back', async () => {
    await page.click('#rollback-1');
    await page.click('[data-testid=confirm-rollback]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toBe('Rolled back: v3 is live');
    await expect.poll(() => page.textContent(`[data-hook=${HOOK}] [data-testid=published]`)).toBe('v3 live');
    expect(store.published(HOOK)).toMatchObject({ version: 3, rollbackOf: 1, source: SRC });
    await page.click('[data-testid=subtab-edit]');
    await expect.poll(() => page.evaluate(() => window.hookline?.source() ?? '')).toBe(SRC);
    await shot('rolled-back-from-default');
    expect(ui.pageErrors).toEqual([]);
  });
});
