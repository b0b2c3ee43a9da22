/**
 * Issue 19 in the editor, in a real browser: a script that fetches, writes to Kommo and uses the store
 * type-checks in Monaco against the hook's typings (fetch, kommo, store are declared), and a replay of a capture
 * that recorded those calls shows, in the result's detail, what the draft would send, while nothing is sent
 * (the loopback receiver named in the capture sees no request). Screenshots go to test-output/editor-web-would-send/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapabilities, type CapabilityCall } from '../../capabilities/index.ts';
import { hooks } from '../../contracts/index.ts';
import { ensurePage, startEditor, type Editor } from '../../editor/index.ts';
import { createAuth } from '../../http/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { openStore, type Store } from '../../scripts-store/index.ts';
import { startReceiver, type Receiver } from '../capabilities/helpers.ts';
import { openEditorPage, type EditorPage } from '../helpers/editor-page.ts';

let dir: string;
let store: Store;
let runner: Runner;
let editor: Editor;
let ui: EditorPage;
let page: Page;
let receiver: Receiver;

const DRAFT = (base: string) => `// post_registration: a webhook, a note, a counter
export default async function (input: HookInput): Promise<HookResult> {
  const call = input.call_full;
  const res = await fetch('${base}/calls?key=secret', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: call.channel.from.number }) });
  console.log('webhook', res.status);
  const r = await kommo.request('POST', '/api/v4/leads/77/notes', [{ note_type: 'common', params: { text: 'called' } }]);
  const n = (await store.get<number>('calls').catch(() => 0)) ?? 0;
  await store.set('calls', n + 1, { ttlSeconds: 3600 });
  return { state: 'success' };
}
`;

beforeAll(async () => {
  await ensurePage();
  receiver = await startReceiver();
  dir = mkdtempSync(join(tmpdir(), 'hl-editor-would-send-'));
  const s = await openStore(dir, { flushMs: 50 });
  if (!s.ok) throw new Error(s.error.message);
  store = s.value;
  // What the live invocation recorded: the webhook's answer only (the note and the counter are new in the draft).
  const calls: CapabilityCall[] = [
    { kind: 'fetch', method: 'POST', target: `${receiver.base}/calls?key=secret`, body: JSON.stringify({ from: '+79161234567' }), write: true, answer: { ok: true, value: { status: 200, statusText: 'OK', url: `${receiver.base}/calls?key=secret`, headers: {}, body: '{}', redirected: false } }, ms: 3 },
  ];
  store.capture({ hook: 'post_registration', linkedid: '19.1', input: hooks.post_registration.exampleInput, now: Date.now(), seed: 1, calls });
  await store.flush();
  runner = createRunner();
  const capabilities = createCapabilities({ hooks: { post_registration: { fetch: { allow: [`${receiver.base}/*`] }, kommo: { write: ['POST /api/v4/leads/*/notes'] }, store: {} } } });
  editor = await startEditor({ store, runner, capabilities, auth: createAuth(dir, { password: 'pw' }), port: 0 });
  ui = await openEditorPage(editor.url, { password: 'pw', shots: 'test-output/editor-web-would-send' });
  page = ui.page;
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await editor?.close();
  await store?.close();
  await runner?.close();
  await receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('scripts that act, in the editor', () => {
  it('type-check against the typings and, replayed, show what they would send and send nothing', async () => {
    await page.click('[data-hook=post_registration]');
    await expect.poll(() => page.evaluate(() => window.hookline?.hook() ?? null)).toBe('post_registration');
    await page.evaluate((s) => window.hookline?.setSource(s), DRAFT(receiver.base));
    // Settled markers: none (fetch, kommo and store are typed for the script).
    let last = '';
    for (let i = 0; i < 40; i++) {
      await page.waitForTimeout(300);
      const now = JSON.stringify(await page.evaluate(() => window.hookline?.markers() ?? []));
      if (now === last && i > 3) break;
      last = now;
    }
    expect(JSON.parse(last)).toEqual([]);
    await page.click('[data-testid=subtab-replay]');
    await page.click('[data-testid=replay-all]');
    // the capture's row (rows are grouped under a heading row per call)
    await page.waitForSelector('[data-testid=replay-results] tr[data-testid=replay-row]');
    await page.click('[data-testid=replay-results] tr[data-testid=replay-row]');
    await expect.poll(() => page.textContent('[data-testid=replay-would-send]')).not.toBe('');
    await ui.shot('would-send');
    const text = (await page.textContent('[data-testid=replay-would-send]')) ?? '';
    expect(text.split('\n')).toEqual([
      `fetch POST ${receiver.base}/calls?key=…  {"from":"+79161234567"}`,
      'kommo POST /api/v4/leads/77/notes  [{"note_type":"common","params":{"text":"called"}}]  (not in the capture: a dry answer was given)',
      'store.set "calls"  1  (not in the capture: a dry answer was given)',
    ]);
    expect(await page.textContent('[data-testid=replay-logs]')).toContain('webhook 200');
    expect(receiver.received).toEqual([]);
  }, 120_000);
});
