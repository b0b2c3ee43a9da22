/**
 * The editor page in a real browser for the browser tests: the npm-shipped chromium (helpers/binaries.ts),
 * headless, nothing let out of loopback, logged in, the hook list shown; the page's errors and dialogs collected;
 * a numbered screenshot per step into a folder of the test's own (emptied first).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { chromiumLaunch } from './binaries.ts';

/** The page's test hook (editor/web hooks-view.ts `window.hookline`), as the browser tests read it in page.evaluate. */
export interface HooklineTestHook {
  hook(): string | null;
  source(): string;
  setSource(s: string): void;
  markers(): { line: number; message: string }[];
}

declare global {
  // the page's global, seen from the functions the tests hand to page.evaluate (tests compile without the DOM lib)
  var window: { hookline?: HooklineTestHook };
}

export interface EditorPage {
  browser: Browser;
  page: Page;
  /** Uncaught errors of the page. */
  pageErrors: string[];
  /** Dialogs the page opened (each accepted), by type. */
  dialogs: string[];
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openEditorPage(url: string, o: { password: string; shots: string; fullPageShots?: boolean; context?: BrowserContextOptions }): Promise<EditorPage> {
  rmSync(o.shots, { recursive: true, force: true });
  mkdirSync(o.shots, { recursive: true });
  const browser = await chromium.launch(await chromiumLaunch());
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, ...o.context });
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
  await page.goto(url);
  await page.fill('#password', o.password);
  await page.click('#login-submit');
  await page.waitForSelector('[data-testid=hook-list] li[data-hook]');
  let step = 0;
  return {
    browser, page, pageErrors, dialogs,
    async shot(name) {
      step++;
      await page.screenshot({ path: join(o.shots, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: o.fullPageShots ?? false });
    },
    close: () => browser.close(),
  };
}
