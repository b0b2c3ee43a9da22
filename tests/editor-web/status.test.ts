/**
 * The Status tab for a person (issue 17, item 8) in a real browser (the npm-shipped chromium, headless, through
 * playwright-core) against the real editor server: sections with plain names, counters in words with units,
 * times in the browser's local time, a row per hook (invocations, failures, p95, the live version, quarantine
 * until) whose name opens that hook in the Hooks tab. The status is a full snapshot's shape (status/status.ts).
 * A screenshot per step goes to test-output/editor-web-status/.
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
import type { HookStatus, StatusSnapshot } from '../../status/index.ts';
import { openEditorPage, type EditorPage } from '../helpers/editor-page.ts';

const OUT = 'test-output/editor-web-status';
let dir: string;
let store: Store;
let runner: Runner;
let editor: Editor;
let ui: EditorPage;
let page: Page;

const shot = (name: string) => ui.shot(name);

const STARTED = Date.UTC(2026, 0, 1, 8, 0, 0);
const SINCE = Date.UTC(2026, 0, 1, 8, 0, 5);
const UNTIL = Date.UTC(2026, 0, 1, 9, 30, 0);
const hookStatus = (o: Partial<HookStatus>): HookStatus => ({ invocations: 0, failures: {}, defaults: 0, errors: {}, p50Ms: null, p95Ms: null, publishedVersion: null, lastVersion: null, lastAt: null, quarantine: null, ...o });
const snapshot = (): StatusSnapshot => ({
  at: Date.now(),
  startedAt: STARTED,
  ami: { connected: true, since: SINCE },
  kommo: { reachable: true, phoneField: { ok: true }, rateLimit: { used: 3, limit: 7 }, checkedAt: SINCE },
  calls: { inFlight: 2, registered: 40, failed: 1, lastHour: { registered: 12, failed: 0 }, lastDay: { registered: 40, failed: 1 } },
  outbox: { depth: 5 },
  hooks: {
    need_registration: hookStatus({ invocations: 41, defaults: 41 }),
    process_client_phone: hookStatus({ invocations: 40, failures: { TIMEOUT: 2, SCRIPT_THREW: 1 }, p50Ms: 1.2, p95Ms: 3.456, publishedVersion: 4, lastVersion: 4, lastAt: SINCE }),
    post_registration: hookStatus({ invocations: 9, failures: { TIMEOUT: 3 }, p95Ms: 200.5, publishedVersion: 2, lastVersion: 2, quarantine: { hook: 'post_registration', version: 2, reason: 'TIMEOUT', failures: 3, since: SINCE, until: UNTIL } }),
  },
  series: { hours: [0, 1, 2].map((i) => Date.UTC(2026, 0, 1, 6 + i)), calls: [10, 18, 12], callsFailed: [0, 1, 0], failures: [0, 2, 4] },
});

beforeAll(async () => {
  await ensurePage();
  dir = mkdtempSync(join(tmpdir(), 'hl-editor-status-'));
  const s = await openStore(dir, { flushMs: 50 });
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
  runner = createRunner();
  editor = await startEditor({ store, runner, auth: createAuth(dir, { password: 'pw' }), port: 0, status: snapshot });
  // A time zone and locale of their own: the page shows local times, not UTC.
  ui = await openEditorPage(editor.url, { password: 'pw', shots: OUT, fullPageShots: true, context: { viewport: { width: 1400, height: 900 }, timezoneId: 'Asia/Yekaterinburg', locale: 'en-GB' } });
  page = ui.page;
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await editor?.close();
  await store?.close();
  await runner?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const value = (key: string) => page.textContent(`[data-key="${key}"] .value`);
const label = (key: string) => page.textContent(`[data-key="${key}"] .label`);

describe('the status page for a person', () => {
  it('names its sections and counters in words, with units and local times', async () => {
    await page.click('[data-testid=tab-status]');
    await page.waitForSelector('[data-testid=status-chart] canvas');
    await shot('status');
    const headings = await page.$$eval('#status-counters h3', (els) => els.map((e) => e.textContent));
    expect(headings).toEqual(['hookline', 'Asterisk connection', 'Kommo', 'Calls', 'Outbox', 'Hooks']);
    expect(await label('ami.connected')).toBe('Connected to Asterisk (AMI)');
    expect(await value('ami.connected')).toBe('yes');
    // Yekaterinburg is UTC+5, the whole year.
    expect(await value('ami.since')).toBe('01/01/2026, 13:00:05');
    expect(await value('kommo.checkedAt')).toBe('01/01/2026, 13:00:05');
    expect(await value('startedAt')).toMatch(/^01\/01\/2026, 13:00:00 \(up .+\)$/);
    expect(await value('kommo.rateLimit.used')).toBe('3 of 7');
    expect(await page.locator('[data-key="kommo.rateLimit.limit"]').count()).toBe(0);
    expect(await label('calls.registered')).toBe('Registered since start');
    expect(await value('calls.registered')).toBe('40');
    expect(await value('calls.inFlight')).toBe('2 calls');
    expect(await label('calls.lastHour.registered')).toBe('Registered, last hour');
    expect(await value('outbox.depth')).toBe('5 writes');
    expect(await label('outbox.depth')).toBe('Waiting to be sent to Kommo');
    expect(await page.textContent('[data-testid=status-chart]')).toContain('script failures');
  });

  it('has a row per hook: invocations, failures, p95, the live version, and quarantine until', async () => {
    const header = await page.$$eval('[data-testid=status-hooks] th', (els) => els.map((e) => e.textContent));
    expect(header).toEqual(['hook', 'invocations', 'failures', 'p95 (ms)', 'live version', 'quarantine']);
    const cells = (hook: string) => page.$$eval(`[data-testid=status-hooks] tr[data-hook=${hook}] td`, (els) => els.map((e) => e.textContent));
    expect(await cells('process_client_phone')).toEqual(['process_client_phone', '40', '3', '3.5', '4', '']);
    expect(await page.getAttribute('[data-testid=status-hooks] tr[data-hook=process_client_phone] td:nth-child(3)', 'title')).toBe('TIMEOUT: 2, SCRIPT_THREW: 1');
    expect(await cells('need_registration')).toEqual(['need_registration', '41', '0', '—', 'default', '']);
    expect(await cells('post_registration')).toEqual(['post_registration', '9', '3', '200.5', '2', 'until 14:30:00']);
    await page.hover('[data-testid=status-quarantine]');
    await shot('hooks-table');
  });

  it('a hook\'s name opens it in the Hooks tab', async () => {
    await page.click('[data-testid=status-hooks] tr[data-hook=post_registration] [data-testid=status-hook-link]');
    await expect.poll(() => page.evaluate(() => window.hookline?.hook() ?? null)).toBe('post_registration');
    expect(await page.isVisible('#hooks-view')).toBe(true);
    expect(await page.isVisible('#status-view')).toBe(false);
    expect(await page.getAttribute('[data-testid=tab-hooks]', 'aria-selected')).toBe('true');
    expect(await page.getAttribute('[data-hook=post_registration]', 'aria-selected')).toBe('true');
    await expect.poll(() => page.textContent('#hook-title')).toBe('post_registration');
    await shot('opened-from-status');
    // And back: the status is there again.
    await page.click('[data-testid=tab-status]');
    await page.click('[data-testid=status-hooks] tr[data-hook=process_client_phone] [data-testid=status-hook-link]');
    await expect.poll(() => page.evaluate(() => window.hookline?.hook() ?? null)).toBe('process_client_phone');
    await shot('opened-another');
    expect(ui.pageErrors).toEqual([]);
  });
});
