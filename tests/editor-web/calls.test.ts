/**
 * Issue 16, item 3: the Calls page of the running demo (the real service: demo PBX → engine → Kommo emulator, the
 * editor page) in chromium: a demo call found by number; its timeline shows the hook invocations and the Kommo
 * writes that sim/kommo received (compared with sim/kommo's own request log); "Open in the editor" puts that input
 * at the top of the hook's replay list; the dry run of the drafts says what publishing would change, sending nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startService, type Service } from '../../app/index.ts';
import { checkConfig } from '../../config/index.ts';
import { ensurePage } from '../../editor/index.ts';
import { silentLogger } from '../../log/index.ts';
import type { Story } from '../../stories/index.ts';
import { openEditorPage, type EditorPage } from '../helpers/editor-page.ts';

let service: Service | undefined;
let ui: EditorPage | undefined;
const dir = mkdtempSync(join(tmpdir(), 'hl-calls-page-'));

afterAll(async () => {
  await ui?.close();
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('the Calls page finds a demo call by number and shows its hooks and the Kommo writes sim/kommo received', async () => {
  await ensurePage();
  const checked = checkConfig({ dataDir: join(dir, 'data'), editor: { port: 0 } }, null, {});
  if (!checked.ok) throw new Error(checked.error.message);
  service = await startService({ config: checked.value.config, demo: true, log: silentLogger, demoPbx: { paceMs: 15 } });
  const stories = service.stories?.store;
  const kommo = service.kommoSim;
  if (!stories || !kommo) throw new Error('the demo runs with stories and the Kommo emulator');
  // a registered demo call whose story holds Kommo writes
  let story: Story | null = null;
  await expect.poll(async () => {
    await stories.flush();
    const row = stories.list({ outcome: 'registered', limit: 50 }).find((c) => c.kommoWrites > 0 && c.direction !== 'internal');
    story = row ? stories.get(row.linkedid) : null;
    return story !== null;
  }, { timeout: 90_000, interval: 500 }).toBe(true);
  const s = story as unknown as Story;
  const linkedid = s.summary.linkedid;
  // no new demo calls from here: the replay list's top and sim/kommo's log then move only by what the page does
  await service.demoPbx?.stop();
  await service.engine.idle();

  ui = await openEditorPage(`http://127.0.0.1:${service.editor?.port}`, { password: service.auth?.generatedPassword as string, shots: 'test-output/calls-page' });
  const { page } = ui;
  await page.click('[data-testid=tab-calls]');
  await page.fill('[data-testid=calls-number]', s.summary.from);
  await page.click('[data-testid=calls-search]');
  const row = page.locator(`[data-testid=call-row][data-linkedid="${linkedid}"]`);
  await row.waitFor();
  await ui.shot('list');
  // every row shown has the number
  for (const text of await page.locator('[data-testid=call-row] td:nth-child(3)').allTextContents()) expect(`${text}`).toContain(s.summary.from);
  await row.click();
  await page.waitForSelector('[data-testid=story-hooks]');
  await ui.shot('timeline');
  // events → stages → hooks → Kommo: the events expand to the capture's text
  await page.locator('[data-testid=story-events] > summary').click();
  await expect.poll(async () => page.textContent('[data-testid=story-events-text]')).toContain(`Linkedid: ${linkedid}`);
  expect(await page.locator('[data-testid=story-stages] li').count()).toBe(s.call?.decisions.length);

  // hooks: one block per invocation, named as the story names them
  const hookTitles = await page.locator('[data-testid=story-hook] > summary').allTextContents();
  expect(hookTitles.map((t) => t.split(' · ')[0])).toEqual(s.hooks.map((x) => x.hook));
  expect(hookTitles.some((t) => t.startsWith('process_call_params'))).toBe(true);

  // Kommo writes on the page = the story's = what sim/kommo's request log received
  const writeBlocks = page.locator('[data-testid=story-kommo-write]');
  expect(await writeBlocks.count()).toBe(s.kommo.filter((k) => k.write).length);
  const received = kommo.requests().filter((r) => r.method !== 'GET').flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body]).map((b) => {
    const { request_id: _id, ...rest } = b as Record<string, unknown>;
    return { route: `${r.method} ${r.path}`, body: rest };
  }));
  for (let i = 0; i < (await writeBlocks.count()); i++) {
    const block = writeBlocks.nth(i);
    await block.locator('summary').click();
    const route = ((await block.locator('summary').textContent()) ?? '').split(' · ')[0];
    const shown = JSON.parse((await block.locator('pre').first().textContent()) ?? 'null') as unknown[][];
    for (const item of shown[0] ?? []) expect(received, `${route}`).toContainEqual({ route, body: item });
  }
  await ui.shot('kommo-writes');
  // the call log sim/kommo got for this call is on the page
  expect(received.filter((r) => r.route === 'POST /api/v4/calls' && (r.body as { uniq?: string }).uniq === linkedid)).toHaveLength(1);

  // Open in the editor: the input goes to the top of the hook's replay list, and the hook opens
  const i = s.hooks.findIndex((x) => x.hook === 'process_call_params');
  const hookBlock = page.locator('[data-testid=story-hook]').nth(i);
  await hookBlock.locator('summary').click();
  await hookBlock.locator('[data-testid=open-in-editor]').click();
  await page.waitForSelector('[data-testid=hook-process_call_params][aria-selected=true]');
  const top = service.store.captures('process_call_params', { limit: 1 })[0];
  expect(top?.linkedid).toBe(linkedid);
  expect(top?.input).toEqual(s.hooks[i]?.input);
  await ui.shot('opened-in-editor');

  // the dry run of the drafts (none: the published versions) changes nothing and sends nothing
  await page.click('[data-testid=tab-calls]');
  await page.fill('#dry-run-limit', '10');
  const before = kommo.requests().length;
  const sentBefore = kommo.counters().requests;
  await page.click('[data-testid=dry-run]');
  await page.waitForSelector('[data-testid=dry-run-summary]', { timeout: 30_000 });
  const text = (await page.textContent('[data-testid=dry-run-summary]')) ?? '';
  await stories.flush();
  expect(text).toContain(`Publishing these drafts changes 0 of the last ${Math.min(10, stories.list({ limit: 1000 }).length)} calls (`);
  expect(text).toContain('Nothing was sent to Kommo');
  await ui.shot('dry-run');
  expect(kommo.requests().length).toBe(before);
  expect(kommo.counters().requests).toBe(sentBefore);

  // before Publish: the confirmation says what publishing the drafts would change
  await page.click('[data-testid=tab-hooks]');
  await page.click('[data-hook=process_call_params]');
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as { hookline?: { source(): string } }).hookline?.source() ?? '')).not.toBe('');
  await page.evaluate(() => (globalThis as unknown as { hookline?: { setSource(s: string): void } }).hookline?.setSource(`export default function (input: any) {
  const { call_full, ...data } = input;
  data.duration = data.duration + 1;
  return { data, state: 'success' };
}`));
  await page.click('[data-testid=save-draft]');
  await expect.poll(() => page.textContent('[data-testid=action-result]')).toBe('Draft saved');
  await page.fill('#publish-message', 'one second more');
  await page.click('[data-testid=publish]');
  await page.waitForSelector('[data-testid=confirm-publish]', { state: 'visible' });
  const said = page.locator('[data-testid=publish-dry-run] [data-testid=dry-run-summary]');
  await said.waitFor({ timeout: 60_000 });
  await stories.flush();
  const registered = stories.list({ limit: 200 }).filter((c) => c.outcome === 'registered').length;
  expect(await said.textContent()).toContain(`Publishing these drafts changes ${registered} of the last ${Math.min(200, stories.list({ limit: 1000 }).length)} calls`);
  expect(await said.textContent()).toContain('Drafts: process_call_params');
  expect(await page.locator('[data-testid=publish-dry-run] [data-testid=dry-run-diff]').first().textContent()).toMatch(/\+ {3}"duration": \d+/);
  await ui.shot('publish-dry-run');
  await page.click('[data-testid=cancel-publish]');
  expect(kommo.counters().requests).toBe(sentBefore);
  expect(ui.pageErrors).toEqual([]);
}, 180_000);
