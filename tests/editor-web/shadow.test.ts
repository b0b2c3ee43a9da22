/**
 * Shadow runs in the editor (issue 17, item 7), in a real browser (the npm-shipped chromium, headless) against
 * hookline as it runs (engine, sandbox, store, editor), calls played by sim/pbx over TCP into sim/kommo: the
 * editor's text put in shadow for process_call_params; as calls come, the Shadow tab lists where its output
 * differs from the live one, with the diff and the input; the Status tab lists the shadow; Stop ends it.
 * A screenshot per step in test-output/editor-web-shadow/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../app/index.ts';
import { checkConfig } from '../../config/index.ts';
import { ensurePage } from '../../editor/index.ts';
import { silentLogger } from '../../log/index.ts';
import { startPbx, type Pbx } from '../../sim/pbx/index.ts';
import { openEditorPage, type EditorPage } from '../helpers/editor-page.ts';

const OUT = 'test-output/editor-web-shadow';
const HOOK = 'process_call_params';
const SHADOW = `// shadow\nexport default (i: HookInput): HookResult => { const { call_full, ...d } = i; return { data: { ...d, call_result: 'SHADOW ' + d.call_result }, state: 'success' }; };\n`;
const dir = mkdtempSync(join(tmpdir(), 'hl-editor-shadow-'));
let pbx: Pbx;
let service: Service;
let ui: EditorPage;
let page: Page;
const shot = (name: string) => ui.shot(name);

beforeAll(async () => {
  await ensurePage();
  const checked = checkConfig({ dataDir: join(dir, 'data'), editor: { port: 0, admin: { password: 'pw' } } }, null, {});
  if (!checked.ok) throw new Error(checked.error.message);
  pbx = await startPbx({ users: { demo: { secret: 'demo' } } });
  service = await startService({ config: checked.value.config, demo: true, log: silentLogger, pbxOverride: { host: pbx.host, port: pbx.port, username: 'demo', secret: 'demo' } });
  ui = await openEditorPage(`http://127.0.0.1:${service.editor?.port}`, { password: 'pw', shots: OUT, fullPageShots: true });
  page = ui.page;
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await service?.stop();
  await pbx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a draft in shadow', { timeout: 90_000 }, () => {
  it('shows, as calls come, where its output differs from the live one, with the inputs', async () => {
    await page.click(`[data-hook=${HOOK}]`);
    await page.waitForFunction((hook) => (window as { hookline?: { hook(): string | null } }).hookline?.hook() === hook, HOOK);
    // The hook's text is in the editor (its draft is fetched after the hook is chosen): only then is setSource kept.
    await page.waitForSelector(`#hook-title:text-is("${HOOK}")`);
    await page.evaluate((s) => window.hookline?.setSource(s), SHADOW);
    expect(await page.evaluate(() => (window as { hookline?: { source(): string } }).hookline?.source())).toBe(SHADOW);
    await page.click('[data-testid=subtab-shadow]');
    await expect.poll(() => page.textContent('[data-testid=shadow-state]')).toContain('No shadow');
    await shot('no-shadow');
    await page.click('[data-testid=shadow-start]');
    await expect.poll(() => page.textContent('[data-testid=shadow-state]')).toContain('In shadow since');
    expect(await page.isDisabled('[data-testid=shadow-stop]')).toBe(false);
    await shot('shadow-started');
    const ready = await service.engine.ami.ready(5_000);
    if (!ready.ok) throw new Error(ready.error.message);
    for (const f of ['caco-inbound-queue-answered.ami', 'caco-inbound-queue-caller-abandon.ami']) await pbx.replay(readFileSync(join('demo/captures', f)), { pace: 'asap' });
    await service.engine.ami.action({ Action: 'Ping' });
    await expect.poll(async () => Number(await page.getAttribute('[data-testid=shadow-state]', 'data-runs')), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.waitForSelector('[data-testid=shadow-result]');
    const first = page.locator('[data-testid=shadow-result]').first();
    expect(await first.getAttribute('data-verdict')).toBe('differs');
    expect(await first.locator('[data-testid=test-diff]').textContent()).toContain('+  "call_result": "SHADOW ');
    await first.locator('summary').click();
    expect(JSON.parse((await first.locator('[data-testid=shadow-input]').textContent()) ?? '')).toMatchObject({ call_result: expect.any(String) });
    await shot('shadow-results');
    // What Kommo received is the live output.
    const calls = service.kommoSim?.requests({ route: 'POST /api/v4/calls' }) ?? [];
    expect(calls.length).toBeGreaterThan(0);
    expect(JSON.stringify(calls.map((r) => r.body))).not.toContain('SHADOW');
  });

  it('the Status tab lists it; Stop ends it', async () => {
    await page.click('[data-testid=tab-status]');
    await page.waitForSelector('[data-testid=status-shadows]');
    expect(await page.textContent(`[data-testid=status-shadows] tr[data-hook=${HOOK}]`)).toContain('running since');
    await shot('status-shadows');
    await page.click('[data-testid=tab-hooks]');
    await page.click('[data-testid=subtab-shadow]');
    await page.click('[data-testid=shadow-stop]');
    await expect.poll(() => page.textContent('[data-testid=shadow-state]')).toContain('Ended');
    expect(await page.textContent('[data-testid=shadow-state]')).toContain('stopped in the editor');
    expect(service.shadows.get(HOOK)?.shadow.active).toBe(false);
    await shot('shadow-stopped');
    expect(ui.pageErrors).toEqual([]);
  });
});
