/**
 * The editor page in a real browser (the npm package @sparticuz/chromium's, headless, through playwright-core:
 * tests/helpers/binaries.ts), against the real pieces: the scripts store in a temp folder, the sandbox, the
 * editor server, and calls from sim/pbx over TCP followed by the engine (so the captures the page replays are
 * real). Nothing may leave loopback: every other request is aborted, and the test asserts none was attempted.
 * A screenshot per step goes to test-output/editor-web/; with HOOKLINE_SCREENSHOTS=1 the README's
 * docs/img/editor.png is written too.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumLaunch } from '../helpers/binaries.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../config/index.ts';
import { ensurePage, startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { connectAmi, type AmiClient } from '../../engine/ami/index.ts';
import { followCalls, type CallFollower, type FinishedCall } from '../../engine/calls/index.ts';
import { createPublishedScripts, recordInto, type PublishedScripts } from '../../app/index.ts';
import { createHookInvoker } from '../../engine/hooks/index.ts';
import { createPhoneNormalizer } from '../../engine/phone/index.ts';
import { silentLogger } from '../../log/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';
import { startPbx, type Pbx } from '../../sim/pbx/index.ts';

/** What the page's code sees (page.evaluate runs in the browser; this file is typed for Node). */
declare const window: {
  hookline?: { source(): string; markers(): { line: number; message: string }[] };
  navigator: { clipboard: { writeText(t: string): Promise<void> } };
};

const OUT = 'test-output/editor-web';
const FIXTURE = readFileSync('tests/fixtures/ami/caco-inbound-queue-answered.ami');
const CLIENT = '+31150010001';
const BROKEN = `export default function (input: HookInput): HookResult {
  const digits: number = input.phone.replace(/\\D/g, '');
  return { data: { phone: digits }, state: 'success' };
}
`;
// The fix: national format for Dutch numbers (+31 15… → 015…), everything else as it came.
const FIXED = `export default function (input: HookInput): HookResult {
  const phone = input.phone.startsWith('+31') ? '0' + input.phone.slice(3) : input.phone;
  console.log('phone', input.phone, '->', phone);
  return { data: { phone }, state: 'success' };
}
`;

let dir: string;
let store: Store;
let runner: Runner;
let scripts: PublishedScripts;
let editor: Editor;
let pbx: Pbx;
let ami: AmiClient;
let follower: CallFollower;
let browser: Browser;
let page: Page;
const finished: FinishedCall[] = [];
const outside: string[] = [];
const pageErrors: string[] = [];
let step = 0;

const shot = async (name: string) => {
  step++;
  await page.screenshot({ path: join(OUT, `${String(step).padStart(2, '0')}-${name}.png`) });
};

/** Replaces the editor's text as an operator would: select all, paste (typing would auto-indent and auto-close). */
async function pasteIntoEditor(text: string): Promise<void> {
  await page.evaluate((t) => window.navigator.clipboard.writeText(t), text);
  await page.click('#editor .view-lines');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
  await expect.poll(() => page.evaluate(() => window.hookline?.source())).toBe(text);
}

const until = async (cond: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

/** One call of the fixture through sim/pbx → AMI → tracker → stages → process_client_phone (published or default). */
async function placeCall(): Promise<FinishedCall> {
  const before = finished.length;
  await pbx.replay(FIXTURE, { pace: 'asap', rewrite: true }); // a fresh call each time (new linkedid)
  // The capture ends with the call's last events; closing what is still open finishes it, as `hookline calls` does.
  await until(() => finished.length > before, 3_000);
  await follower.idle();
  if (finished.length === before) follower.finish();
  await follower.idle();
  expect(finished.length).toBe(before + 1);
  return finished.at(-1) as FinishedCall;
}

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await ensurePage(); // a fresh clone builds the page here (seconds), outside the test's own time
  dir = mkdtempSync(join(tmpdir(), 'hl-editor-web-'));
  const s = await openStore(dir, { flushMs: 50 });
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
  runner = createRunner();
  scripts = createPublishedScripts(store, runner, silentLogger);
  editor = await startEditor({
    store, runner, auth: createAuth(dir, { password: 'correct horse' }), port: 0,
    status: () => ({
      ami: { connected: true }, kommo: { reachable: false, phoneField: null }, calls: { inFlight: follower.inFlight(), registered: finished.length, failed: 0 },
      outbox: { depth: 0 }, startedAt: Date.now(), hooks: { process_client_phone: { invocations: 12, failures: { TIMEOUT: 1 }, lastVersion: 3 } }, series: { hours: [0, 1, 2, 3].map((i) => Date.UTC(2026, 0, 1, i)), calls: [3, 5, 2, finished.length], failures: [0, 1, 0, 0] },
    }),
  });

  const loaded = checkConfig({ pbx: { trunks: ['SIP/voipgrid-siproute-docker'] } }, null, {});
  if (!loaded.ok) throw new Error(loaded.error.message);
  const config = loaded.value.config;
  pbx = await startPbx();
  ami = connectAmi({ host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline', pingIntervalMs: 0, logger: silentLogger });
  follower = followCalls({
    ami,
    tracker: { internalNumbers: new RegExp(config.pbx.internalNumbers), trunks: [/^SIP\/voipgrid-siproute-docker(-|$)/], inboundContexts: config.pbx.inboundContexts, timezone: config.pbx.timezone },
    stages: {
      filters: config.filters,
      normalizePhone: createPhoneNormalizer(config.phone),
      hooks: createHookInvoker({ runner, scripts, log: silentLogger, onInvocation: recordInto(store) }),
    },
    log: silentLogger,
    onCall: (c) => finished.push(c),
  });
  const ready = await ami.ready(5_000);
  if (!ready.ok) throw new Error(ready.error.message);

  browser = await chromium.launch(await chromiumLaunch());
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: editor.url });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  follower?.stop();
  await ami?.close();
  await pbx?.close();
  await editor?.close();
  scripts?.close();
  await store?.close();
  await runner?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the editor page in chromium', () => {
  it('logs in, edits with type errors shown, replays real captures with diffs, publishes, and the next call uses it', async () => {
    // Captures from real calls: the default runs (nothing published), and the engine records its inputs.
    const first = await placeCall();
    expect(first.direction).toBe('inbound');
    expect(first.decisions.filter((d) => d.register).map((d) => d.phone)).toContain(CLIENT);
    await store.flush();
    const captured = store.captures('process_client_phone').length;
    expect(captured).toBeGreaterThan(0);

    await page.goto(editor.url);
    await page.fill('#password', 'wrong');
    await page.click('#login-submit');
    await expect.poll(() => page.textContent('#login-error')).toContain('BAD_LOGIN');
    await page.fill('#password', 'correct horse');
    await shot('login');
    await page.click('#login-submit');
    await page.waitForSelector('[data-testid=hook-list] li[data-hook]');
    expect(await page.locator('[data-testid=hook-list] li[data-hook]').count()).toBe(13);
    await shot('hooks');

    // The template of the hook, in Monaco, with the contracts' typings.
    await page.click('[data-hook=process_client_phone]');
    await page.waitForSelector('#editor .monaco-editor .view-lines');
    await expect.poll(() => page.evaluate(() => window.hookline?.source() ?? '')).toContain('process_client_phone: change the client');
    await shot('template');

    // A type error, typed in: the TypeScript worker marks it before anything is saved.
    await pasteIntoEditor(BROKEN);
    await expect.poll(() => page.evaluate(() => window.hookline?.markers() ?? []), { timeout: 20_000 }).toEqual([
      expect.objectContaining({ line: 2, message: expect.stringContaining("Type 'string' is not assignable to type 'number'") }),
      expect.objectContaining({ line: 3 }),
    ]);
    await page.waitForSelector('#editor .squiggly-error');
    // the problems list and the state line follow the markers (they may come a moment after the squiggles)
    await expect.poll(() => page.textContent('[data-testid=problems]')).toContain("line 2: Type 'string' is not assignable to type 'number'");
    await expect.poll(() => page.textContent('[data-testid=draft-state]')).toMatch(/unsaved changes · 2 type errors/);
    await shot('type-error');

    // Another hook opened and this one again: the unsaved text is still there.
    await page.click('[data-hook=need_registration]');
    await expect.poll(() => page.textContent('#hook-title')).toBe('need_registration');
    await page.click('[data-hook=process_client_phone]');
    await expect.poll(() => page.textContent('#hook-title')).toBe('process_client_phone');
    expect(await page.evaluate(() => window.hookline?.source())).toBe(BROKEN);

    // Fixed: no markers; saved as the draft.
    await pasteIntoEditor(FIXED);
    await expect.poll(() => page.evaluate(() => window.hookline?.markers().length), { timeout: 20_000 }).toBe(0);
    // Monaco drops the squiggles on its next render frame, after the markers change: wait for the frame.
    await expect.poll(() => page.locator('#editor .squiggly-error').count()).toBe(0);
    await page.click('[data-testid=save-draft]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toBe('Draft saved');
    expect(store.draft('process_client_phone')?.source).toBe(FIXED);
    await shot('fixed-and-saved');

    // Replay against the captures: every input changes (+31… → 0…), each with a diff and the draft's logs.
    await page.click('[data-testid=subtab-replay]');
    await expect.poll(() => page.locator('[data-testid=capture]').count()).toBe(captured);
    await page.click('[data-testid=replay-all]');
    await expect.poll(() => page.getAttribute('[data-testid=replay-summary]', 'data-changed'), { timeout: 20_000 }).toBe(String(captured));
    expect(await page.textContent('[data-testid=replay-summary]')).toBe(`${captured} inputs: ${captured} changed, 0 failed, 0 unchanged`);
    expect(await page.locator('[data-testid=replay-row][data-verdict=changed]').count()).toBe(captured);
    expect(await page.textContent('[data-testid=replay-output]')).toContain('"phone": "0150010001"');
    expect(await page.textContent('[data-testid=replay-logs]')).toContain(`phone ${CLIENT} -> 0150010001`);
    await page.waitForSelector('[data-testid=replay-diff] .monaco-diff-editor .line-insert');
    const diffText = await page.textContent('[data-testid=replay-diff] .monaco-diff-editor');
    expect(diffText).toContain(CLIENT.replace('+', ''));
    expect(diffText).toContain('0150010001');
    await shot('replay-diff');
    if (process.env.HOOKLINE_SCREENSHOTS === '1') {
      mkdirSync('docs/img', { recursive: true });
      await page.screenshot({ path: 'docs/img/editor.png' });
    }

    // Replay of one chosen capture only.
    await page.click('#capture-picker summary');
    await page.locator('[data-testid=capture]').first().check();
    await page.click('[data-testid=replay-selected]');
    await expect.poll(() => page.textContent('[data-testid=replay-summary]')).toBe('1 inputs: 1 changed, 0 failed, 0 unchanged');

    // Publish with a message; the history shows it.
    await page.fill('#publish-message', 'national format for +31 numbers');
    await page.click('[data-testid=publish]');
    await page.click('[data-testid=confirm-publish]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toBe('Published v1: live for the next call');
    await expect.poll(() => page.textContent('[data-hook=process_client_phone] [data-testid=published]')).toBe('v1 live');
    await page.click('[data-testid=subtab-history]');
    await expect.poll(() => page.locator('[data-testid=version]').count()).toBe(1);
    expect(await page.textContent('[data-testid=versions]')).toContain('national format for +31 numbers');
    await shot('published');

    // The next call through sim/pbx runs v1.
    await scripts.settled();
    const next = await placeCall();
    const registered = next.decisions.filter((d) => d.register);
    expect(registered.length).toBeGreaterThan(0);
    for (const d of registered) expect(d.phone).toBe('0150010001');

    // History: a second version arrives (published elsewhere), the diff between versions, and rollback to v1.
    const v2 = await store.publish('process_client_phone', { source: FIXED.replace("'0' + input.phone.slice(3)", "'+31 ' + input.phone.slice(3)"), message: 'spaced', author: 'someone', check: async () => null });
    expect(v2.ok).toBe(true);
    await page.click('[data-testid=subtab-edit]');
    await page.click('[data-testid=subtab-history]');
    await expect.poll(() => page.locator('[data-testid=version]').count()).toBe(2);
    await page.waitForSelector('[data-testid=history-diff] .monaco-diff-editor .line-insert');
    // Monaco renders spaces as no-break spaces.
    expect((await page.textContent('[data-testid=history-diff] .monaco-diff-editor'))?.replace(/\u00a0/g, ' ')).toContain("'+31 ' + input.phone");
    await shot('history-diff');
    await page.click('#rollback-1');
    await page.click('[data-testid=confirm-rollback]');
    await expect.poll(() => page.textContent('[data-testid=action-result]')).toBe('Rolled back: v3 is live');
    await expect.poll(() => page.textContent('[data-hook=process_client_phone] [data-testid=published]')).toBe('v3 live');
    expect(store.published('process_client_phone')).toMatchObject({ version: 3, rollbackOf: 1, source: FIXED });

    // Status tab: counters from GET /api/status and the hourly chart.
    await page.click('[data-testid=tab-status]');
    await page.waitForSelector('[data-testid=status-chart] canvas');
    expect(await page.isVisible('#hooks-view')).toBe(false);
    expect(await page.isVisible('[data-testid=status-counters]')).toBe(true);
    expect(await page.textContent('[data-key="ami.connected"] .value')).toBe('yes');
    expect(await page.textContent('[data-key="calls.registered"] .value')).toBe('2');
    expect(await page.textContent('[data-testid=status-hooks] tr[data-hook=process_client_phone]')).toBe('process_client_phone' + '12' + '1' + '3'); // invocations, failures.TIMEOUT, lastVersion
    await shot('status');

    expect(pageErrors).toEqual([]);
    expect(outside).toEqual([]);
  }, 90_000);
});
