/**
 * Issue 7: the status page of the running demo (the real service: demo PBX → engine → Kommo emulator, the
 * editor and its page) in chromium: log in, open Status, see the chart and the registered-calls counter move.
 * Screenshots go to test-output/status-demo/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { chromiumLaunch } from '../helpers/binaries.ts';
import { afterAll, expect, it } from 'vitest';
import { startService, type Service } from '../../app/index.ts';
import { checkConfig } from '../../config/index.ts';
import { ensurePage } from '../../editor/index.ts';
import { silentLogger } from '../../log/index.ts';

const OUT = 'test-output/status-demo';
let service: Service | undefined;
let browser: Browser | undefined;
const dir = mkdtempSync(join(tmpdir(), 'hl-status-demo-'));

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('the status page of the running demo shows the chart, and its counters move as calls are registered', async () => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await ensurePage();
  const checked = checkConfig({ dataDir: join(dir, 'data'), editor: { port: 0 } }, null, {});
  if (!checked.ok) throw new Error(checked.error.message);
  // The demo as npm start runs it, faster: 15 ms between events.
  service = await startService({ config: checked.value.config, demo: true, log: silentLogger, demoPbx: { paceMs: 15 } });
  const password = service.auth?.generatedPassword;
  expect(password).toBeTruthy();
  const url = `http://127.0.0.1:${service.editor?.port}`;

  browser = await chromium.launch(await chromiumLaunch());
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const outside: string[] = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1') return route.continue();
    outside.push(u.href);
    return route.abort();
  });
  const page = await context.newPage();
  await page.goto(url);
  await page.fill('#password', password as string);
  await page.click('#login-submit');
  await page.click('[data-testid=tab-status]');
  await page.waitForSelector('[data-testid=status-chart] canvas', { timeout: 60_000 });
  const registered = async () => Number(await page.textContent('[data-key="calls.registered"] .value'));
  await expect.poll(registered, { timeout: 60_000 }).toBeGreaterThan(0);
  const first = await registered();
  await page.screenshot({ path: join(OUT, '1-status.png') });
  // The page refreshes itself (every 5 s): the counter moves without a reload as the demo goes on.
  await expect.poll(registered, { timeout: 60_000, interval: 1000 }).toBeGreaterThan(first);
  expect(await page.textContent('[data-key="ami.connected"] .value')).toBe('yes');
  await page.screenshot({ path: join(OUT, '2-status-moved.png') });
  expect(outside).toEqual([]);
}, 150_000);
