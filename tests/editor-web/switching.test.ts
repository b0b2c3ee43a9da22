/**
 * The editor page when the operator moves between hooks (issue 17's bugs), in a real browser (the npm-shipped
 * chromium, headless, through playwright-core) against the real editor server, store and sandbox:
 * each hook keeps its own typings (markers and completions) however often hooks are switched; a never-edited
 * hook is not "unsaved"; replay details do not leak to another hook; a script with type errors is not published
 * without saying why; after a rollback the editor holds the live source. A screenshot per step goes to
 * test-output/editor-web-switching/.
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

const OUT = 'test-output/editor-web-switching';
let dir: string;
let store: Store;
let runner: Runner;
let editor: Editor;
let ui: EditorPage;
let page: Page;

const shot = (name: string) => ui.shot(name);

async function openHook(hook: string): Promise<void> {
  await page.click(`[data-hook=${hook}]`);
  await expect.poll(() => page.evaluate(() => window.hookline?.hook() ?? null)).toBe(hook);
  await expect.poll(() => page.evaluate(() => window.hookline?.source() ?? '')).toContain(`${hook}:`);
}

/** The markers once the TypeScript worker has settled on this model (the same answer twice, 300 ms apart). */
async function settledMarkers(): Promise<{ line: number; message: string }[]> {
  let last = '';
  for (let i = 0; i < 60; i++) {
    await page.waitForTimeout(300);
    const now = JSON.stringify(await page.evaluate(() => window.hookline?.markers() ?? []));
    if (now === last) return JSON.parse(now) as { line: number; message: string }[];
    last = now;
  }
  return JSON.parse(last) as { line: number; message: string }[];
}

/** The completion list Monaco shows for `input.` at the end of the script (typed there, then taken back). */
async function completionsOfInput(): Promise<string[]> {
  const before = await page.evaluate(() => window.hookline?.source() ?? '');
  await page.evaluate((s) => window.hookline?.setSource(`${s}\nconst probe = (i: HookInput) => i.`), before);
  await page.click('#editor .view-lines');
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.press('Control+Space');
  await page.waitForSelector('.suggest-widget.visible .monaco-list-row', { timeout: 20_000 });
  const labels = await page.$$eval('.suggest-widget.visible .monaco-list-row .label-name', (els) => els.map((e) => e.textContent ?? ''));
  await page.keyboard.press('Escape');
  await page.evaluate((s) => window.hookline?.setSource(s), before);
  return labels.sort();
}

beforeAll(async () => {
  await ensurePage();
  dir = mkdtempSync(join(tmpdir(), 'hl-editor-switch-'));
  const s = await openStore(dir, { flushMs: 50 });
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
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

describe('moving between hooks in the editor', () => {
  it('each hook is checked against its own contract, however often hooks are switched', async () => {
    const order = ['process_task_creation_params', 'customize_autodistribution', 'process_task_creation_params', 'need_registration', 'customize_autodistribution', 'process_task_creation_params'];
    for (const hook of order) {
      await openHook(hook);
      // An untouched template type-checks against its own hook.
      expect(await settledMarkers(), `${hook}'s template after switching`).toEqual([]);
      await shot(`open-${hook}`);
    }
    // And `input.` completes the task hook's input, not autodistribution's.
    const labels = await completionsOfInput();
    await shot('completions-task');
    const taskKeys = Object.keys(hooks.process_task_creation_params.exampleInput);
    expect(labels).toEqual(expect.arrayContaining(taskKeys));
    expect(labels).not.toContain('request_data');
    await openHook('customize_autodistribution');
    expect(await completionsOfInput()).toContain('request_data');
  });

  it('a never-edited hook is not "unsaved", and leaving the page asks nothing', async () => {
    await openHook('process_lead_update_params');
    await expect.poll(() => page.textContent('[data-testid=draft-state]')).toMatch(/^saved/);
    await shot('never-edited');
    await page.reload();
    await page.waitForSelector('[data-testid=hook-list] li[data-hook]');
    expect(ui.dialogs).toEqual([]);
  });

  it('a replay of one hook leaves nothing in another hook\'s Replay tab', async () => {
    const input = hooks.post_registration.exampleInput;
    store.capture({ hook: 'post_registration', linkedid: '1.1', input, now: Date.now(), seed: 1 });
    await store.flush();
    await openHook('post_registration');
    await page.click('[data-testid=subtab-replay]');
    await page.click('[data-testid=replay-all]');
    await page.waitForSelector('[data-testid=replay-results] tr');
    await page.click('[data-testid=replay-results] tr');
    await expect.poll(() => page.textContent('[data-testid=replay-output]')).not.toBe('');
    await shot('replay-post');
    await openHook('process_call_params');
    await page.click('[data-testid=subtab-replay]');
    await shot('replay-other-hook');
    expect(await page.locator('[data-testid=replay-results] tr').count()).toBe(0);
    expect(await page.textContent('[data-testid=replay-output]')).toBe('');
    expect(await page.textContent('#replay-detail-title')).not.toContain('1.1');
  });

  it('a script with type errors is not published without a stated reason', async () => {
    await openHook('process_client_phone');
    const bad = `// process_client_phone: a broken one\nexport default function (input: HookInput): HookResult {\n  const x: number = 'a';\n  return { data: { phone: input.nope }, state: 'success' };\n}\n`;
    await page.evaluate((s) => window.hookline?.setSource(s), bad);
    await page.click('[data-testid=save-draft]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toBe('Draft saved');
    await expect.poll(async () => (await page.evaluate(() => window.hookline?.markers() ?? [])).length, { timeout: 20_000 }).toBe(2);
    await page.fill('#publish-message', 'try it');
    await page.click('[data-testid=publish]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toContain('Not published');
    expect(await page.textContent('[data-testid=action-result]')).toContain('2 type errors');
    await shot('publish-refused');
    expect(store.published('process_client_phone')).toBeNull();
    // Published anyway, with the reason in the history.
    await page.check('[data-testid=publish-anyway]');
    await page.fill('#publish-message', 'the types are wrong on purpose: testing the failure log');
    await page.click('[data-testid=publish]');
    await page.click('[data-testid=confirm-publish]');
    await expect.poll(() => page.textContent('[data-testid=action-result]'), { timeout: 30_000 }).toContain('Published v1');
    expect(store.published('process_client_phone')?.message).toContain('published with 2 type errors');
  });

  it('after a rollback the editor holds the live source, so the next Publish does not bring the old one back', async () => {
    const v = (n: string) => `// process_contact_update_params: ${n}\nexport default (input: HookInput): HookResult => { const { call_full, ...d } = input; return { data: d, state: 'success' }; };\n`;
    await openHook('process_contact_update_params');
    for (const name of ['first', 'second']) {
      await page.evaluate((s) => window.hookline?.setSource(s), v(name));
      await page.click('[data-testid=save-draft]');
      await expect.poll(() => page.textContent('[data-testid=action-result]')).toBe('Draft saved');
      await page.fill('#publish-message', name);
      await page.click('[data-testid=publish]');
      await page.click('[data-testid=confirm-publish]');
      await expect.poll(() => page.textContent('[data-testid=action-result]'), { timeout: 30_000 }).toContain(`Published v${name === 'first' ? 1 : 2}`);
    }
    await page.click('[data-testid=subtab-history]');
    await page.waitForSelector('[data-testid=rollback]');
    await page.click('[data-testid=rollback]');
    await page.click('[data-testid=confirm-rollback]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toContain('Rolled back');
    await shot('rolled-back');
    await expect.poll(() => page.evaluate(() => window.hookline?.source() ?? '')).toBe(v('first'));
    expect(await page.textContent('[data-testid=draft-state]')).toMatch(/^saved/);
    expect(store.listHooks().find((h) => h.hook === 'process_contact_update_params')?.draftChanged).toBe(false);
    expect(ui.pageErrors).toEqual([]);
  });
});
