/**
 * Reprocess a period against the running service (sim/pbx, sim/kommo, the CEL table in a real PostgreSQL):
 * `hookline reprocess --dry-run` lists what would be written and writes nothing; the real run registers only
 * the calls Kommo lacks (a period overlapping calls followed live); a run stopped half-way resumes where it
 * stopped; the catch-up after an AMI reconnect reads the calls that ended while AMI was cut; an unreachable
 * database is a clear error and live following goes on; /api/status shows the last catch-up.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type Service } from '../../app/index.ts';
import { ensurePage } from '../../editor/index.ts';
import { openEditorPage } from '../helpers/editor-page.ts';
import { CATCH_UP_FILE, createReprocessor, engineTarget, openCelSource, startCatchUp, type CelSource } from '../../cel/index.ts';
import { checkConfig } from '../../config/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import { startPbx, type Pbx } from '../../sim/pbx/index.ts';
import { createCelTable, freePort, insertRows, startPostgres, type TestDb } from '../../sim/cel/index.ts';
import { asAmi, inboundCall, linkedidOf, type Row } from '../../sim/cel/index.ts';

let db: TestDb;
let pbx: Pbx;
let service: Service;
const dir = mkdtempSync(join(tmpdir(), 'hl-cel-reprocess-'));
/** The page's document, in functions run in the browser. */
declare const document: { querySelector(s: string): { textContent: string | null } | null };
const PASSWORD = 'admin-pw-123';
const memory = createMemoryLogger();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// a period yesterday: 10 calls, 4 of which hookline followed live
const DAY = Date.UTC(2026, 11, 7, 9, 0, 0);
const period1 = Array.from({ length: 10 }, (_, i) => inboundCall(i + 1, DAY + i * 60_000, 1796600000));
// another: 9 calls, for stopping and resuming
const DAY2 = Date.UTC(2026, 11, 7, 14, 0, 0);
const period2 = Array.from({ length: 9 }, (_, i) => inboundCall(i + 1, DAY2 + i * 60_000, 1796610000));

// a third: 3 calls, reprocessed from the editor page
const DAY3 = Date.UTC(2026, 11, 7, 18, 0, 0);
const period3 = Array.from({ length: 3 }, (_, i) => inboundCall(i + 1, DAY3 + i * 60_000, 1796640000));

const registered = () => service.kommoSim!.requests({ method: 'POST', path: '/api/v4/calls' }).filter((r) => r.status === 200).flatMap((r) => (r.body as { uniq?: string }[]).map((c) => c.uniq ?? ''));
const once = (ids: string[]) => ids.map((id) => registered().filter((u) => u === id).length);

beforeAll(async () => {
  [db, pbx] = await Promise.all([startPostgres(), startPbx()]);
  await createCelTable(db);
  await insertRows(db, [...period1, ...period2, ...period3].flat());
  const checked = checkConfig({
    dataDir: join(dir, 'data'),
    editor: { port: 0, admin: { password: PASSWORD } },
    cel: { type: 'postgres', url: db.url, password: { env: 'HL_CEL_PW' }, catchUp: { delayMs: 100, overlapMs: 10_000 } },
  }, null, { HL_CEL_PW: db.password });
  if (!checked.ok) throw new Error(checked.error.message);
  service = await startService({
    config: checked.value.config, demo: false, log: memory.log, kommoRateWindowMs: 50,
    pbxOverride: { host: pbx.host, port: pbx.port, username: 'hookline', secret: 'hookline' },
    engine: { registrar: { retryBaseMs: 50, retryMaxMs: 500, ambiguousSettleMs: 300 } },
  });
  const ready = await service.engine.ami.ready(5_000);
  if (!ready.ok) throw new Error(ready.error.message);
  // four calls of the first period followed live
  for (const rows of period1.slice(0, 4)) await pbx.replay(asAmi(rows), { pace: 'asap' });
  const t0 = Date.now();
  while (registered().length < 4 && Date.now() - t0 < 20_000) await sleep(50);
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await pbx?.close();
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'reprocess', '--url', service.editor!.url, ...args], {
      env: { ...process.env, HOOKLINE_ADMIN_PASSWORD: PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += String(b)));
    child.stderr.on('data', (b: Buffer) => (stderr += String(b)));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const FROM = '2026-12-07T08:59:00Z';
const TO = '2026-12-07T09:20:00Z';

describe('hookline reprocess', () => {
  it('--dry-run lists the six calls that would be written, says the four already there, and writes nothing', async () => {
    expect(once(period1.slice(0, 4).map(linkedidOf))).toEqual([1, 1, 1, 1]);
    const before = service.kommoSim!.requests().length;
    const r = await cli('--from', FROM, '--to', TO, '--dry-run');
    expect(r.stderr).toContain('dry run: nothing is written');
    expect(r.code).toBe(0);
    const listed = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { linkedid: string; direction: string; from: string; notRegistered: string | null });
    expect(listed.map((w) => w.linkedid)).toEqual(period1.slice(4).map(linkedidOf));
    expect(listed[0]).toMatchObject({ direction: 'inbound', from: '79161000005', notRegistered: null });
    expect(r.stdout + r.stderr).toMatch(/dry run done: 10 calls ended in the period; would register 6, already there 4, not to register 0/);
    expect(service.kommoSim!.requests().length).toBe(before);
  }, 60_000);

  it('a period overlapping calls already registered: only the missing ones are written, each once', async () => {
    const r = await cli('--from', FROM, '--to', TO);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^done: 10 calls ended in the period; registered 6, already there 4, not to register 0\.$/m);
    expect(r.stderr).toMatch(/calls read 10 of 10/);
    await service.engine.idle();
    expect(once(period1.map(linkedidOf))).toEqual(Array(10).fill(1));
    // each call written from CEL has its story, with the CEL events it was rebuilt from (issue 16 with 18)
    const stories = service.stories?.store;
    expect(stories).toBeTruthy();
    await expect.poll(() => period1.map(linkedidOf).filter((id) => (stories?.events(id)?.length ?? 0) > 0 && stories?.get(id)?.summary.outcome === 'registered').length, { timeout: 10_000 }).toBe(10);
    // again: nothing to write
    const again = await cli('--from', FROM, '--to', TO);
    expect(again.stdout).toMatch(/registered 0, already there 10/);
  }, 60_000);

  it('bad input: a period that is not one, and hookline not answering, say what to fix', async () => {
    const bad = await cli('--from', 'yesterday', '--to', TO);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CEL_BAD_PERIOD: the period cannot be used: from "yesterday" is not a time/);
    const down = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'reprocess', '--url', 'http://127.0.0.1:9', '--from', FROM, '--to', TO], { env: { ...process.env, HOOKLINE_ADMIN_PASSWORD: 'x' } });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += String(b)));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/hookline does not answer at http:\/\/127\.0\.0\.1:9 .*is it running\?/);
  }, 60_000);

  it('Ctrl-C stops `hookline reprocess` after the batch in progress; the same command resumes it', async () => {
    // 1,500 calls on another day, listed only (--dry-run): long enough to be stopped half-way
    const DAY4 = Date.UTC(2026, 11, 5, 8, 0, 0);
    await insertRows(db, Array.from({ length: 1_500 }, (_, i) => inboundCall(i + 1, DAY4 + i * 1_000, 1796400000)).flat());
    const args = ['--from', '2026-12-05T07:59:00Z', '--to', '2026-12-05T09:00:00Z', '--dry-run'];
    const stopped = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'reprocess', '--url', service.editor!.url, ...args], { env: { ...process.env, HOOKLINE_ADMIN_PASSWORD: PASSWORD } });
      let stderr = '';
      let sent = false;
      child.stdout.resume();
      child.stderr.on('data', (b: Buffer) => {
        stderr += String(b);
        if (!sent && /calls read [1-9]\d* of 1500/.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', (code) => resolve({ code, stderr }));
      setTimeout(() => {
        child.kill('SIGKILL');
        resolve({ code: -1, stderr: `${stderr}\n(killed after 40 s)` });
      }, 40_000);
    });
    expect(stopped.stderr).toContain('stopping after the batch in progress');
    expect(stopped.stderr).toMatch(/stopped with \d+ calls left \(from 2026-12-05T\d\d:\d\d:\d\d\.\d+Z\): run the same command again to resume\./);
    expect(stopped.code).toBe(1);
    const again = await cli(...args);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/: resumed from 2026-12-05T/);
    expect(again.stderr).toMatch(/dry run done: 1500 calls ended in the period; would register 1500/);
    expect(again.stdout.trim().split('\n').length).toBe(1_500);
  }, 90_000);

  it('a run stopped half-way resumes where it stopped when the same period is asked again', async () => {
    let source: CelSource | null = null;
    const rp = createReprocessor({
      source: (source = openCelSource(configOf())!), target: engineTarget(service.engine, configOf(), memory.log), dataDir: join(dir, 'rp'), log: memory.log, batch: 2,
    });
    const from = Date.UTC(2026, 11, 7, 13, 59);
    const to = Date.UTC(2026, 11, 7, 14, 20);
    const started = rp.start({ from, to });
    expect(started.ok).toBe(true);
    while ((rp.state()?.read ?? 0) < 2) await sleep(5);
    const stopped = await rp.stop();
    expect(stopped?.state).toBe('stopped');
    expect(stopped?.left).toBeGreaterThan(0);
    const doneBefore = stopped!.read;
    const resumed = rp.start({ from, to });
    expect(resumed.ok && resumed.value.resumed).toBe(1);
    await rp.idle();
    const end = rp.state()!;
    expect(end).toMatchObject({ state: 'done', found: 9, read: 9, registered: 9, already: 0, left: 0, resumeFrom: null });
    expect(doneBefore).toBeLessThan(9);
    await service.engine.idle();
    expect(once(period2.map(linkedidOf))).toEqual(Array(9).fill(1));
    await rp.close();
    await source.close();
  }, 60_000);
});

function configOf() {
  const c = checkConfig({ cel: { type: 'postgres', url: db.url, password: db.password } }, null, {});
  if (!c.ok) throw new Error(c.error.message);
  return c.value.config;
}

describe('catch-up after an AMI reconnect', () => {
  it('calls that ended while AMI was cut are read from CEL and registered once (a call cut in half: whole, from CEL); /api/status shows it', async () => {
    const base = 1796620000;
    const now = Date.now();
    const during: Row[][] = [1, 2, 3].map((n) => inboundCall(n, now - 40_000 + n * 10, base));
    // AMI is cut: the PBX drops the connection; while hookline reconnects, three calls end (rows only)
    const reconnects = service.engine.ami;
    let connectedAgain = false;
    const off = reconnects.on('connected', (i) => {
      if (i.reconnect) connectedAgain = true;
    });
    // and one call is cut in half: its start reaches hookline before the drop, its end only CEL
    const cut = inboundCall(4, now - 40_000 + 40, base);
    await insertRows(db, cut.slice(0, 6));
    await pbx.replay(asAmi(cut.slice(0, 6)), { pace: 'asap' });
    const pong = await service.engine.ami.action({ Action: 'Ping' });
    expect(pong.ok).toBe(true);
    await insertRows(db, [...during.flat(), ...cut.slice(6)]);
    pbx.drop();
    const t0 = Date.now();
    while (!connectedAgain && Date.now() - t0 < 15_000) await sleep(20);
    off();
    expect(connectedAgain).toBe(true);
    while (once(during.map(linkedidOf)).some((n) => n === 0) && Date.now() - t0 < 20_000) await sleep(50);
    await service.catchUp!.idle();
    await service.engine.idle();
    expect(once(during.map(linkedidOf))).toEqual([1, 1, 1]);
    while (once([linkedidOf(cut)])[0] === 0 && Date.now() - t0 < 20_000) await sleep(50);
    // registered once, whole: from CEL (35 s talked), not as AMI half saw it (closed at its last event)
    expect(once([linkedidOf(cut)])).toEqual([1]);
    expect(service.kommoSim!.state().calls.find((c) => c.uniq === linkedidOf(cut))?.duration).toBe(35);
    const login = await fetch(`${service.editor!.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const status = (await (await fetch(`${service.editor!.url}/api/status`, { headers: { cookie } })).json()) as { celCatchUp: Record<string, unknown> };
    expect(status.celCatchUp).toMatchObject({ reason: 'reconnect', state: 'done', found: 4, registered: 4, already: 0, error: null });
  }, 60_000);
});

describe('catch-up with the database unreachable', () => {
  it('fails with CEL_UNREACHABLE, says it tries again, and live AMI calls are registered meanwhile', async () => {
    const port = await freePort();
    const c = checkConfig({ cel: { type: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/asterisk`, password: 'x' } }, null, {});
    if (!c.ok) throw new Error(c.error.message);
    const rpDir = join(dir, 'down');
    mkdirSync(rpDir, { recursive: true });
    writeFileSync(join(rpDir, CATCH_UP_FILE), JSON.stringify({ lastSeen: Date.now() - 60_000, last: null }));
    const source = openCelSource(c.value.config)!;
    const { log, lines } = createMemoryLogger();
    const cu = startCatchUp({
      source, target: engineTarget(service.engine, c.value.config, log), ami: service.engine.ami, connected: () => true, dataDir: rpDir, log,
      settings: { overlapMs: 0, maxGapHours: 1, delayMs: 0, retryMs: 60_000 },
    });
    const t0 = Date.now();
    while (cu.status()?.state !== 'failed' && Date.now() - t0 < 10_000) await sleep(20);
    expect(cu.status()).toMatchObject({ reason: 'start', state: 'failed', error: { code: 'CEL_UNREACHABLE' } });
    expect(cu.status()?.error?.message).toContain(`127.0.0.1:${port}/asterisk`);
    expect(lines().map((l) => String(l.msg))).toContainEqual(expect.stringMatching(/^catch-up from CEL failed .*Live AMI following goes on; tried again in 60 s\.$/));
    const live = inboundCall(1, Date.now() - 40_000, 1796630000);
    await pbx.replay(asAmi(live), { pace: 'asap' });
    while (once([linkedidOf(live)])[0] === 0 && Date.now() - t0 < 20_000) await sleep(50);
    expect(once([linkedidOf(live)])).toEqual([1]);
    await cu.close();
    await source.close();
  }, 60_000);
});

describe('the editor page (admin): Reprocess a period under the Status tab', () => {
  it('a dry run lists the calls, then a real run registers them once, with progress shown', async () => {
    await ensurePage();
    const ui = await openEditorPage(service.editor!.url, { password: PASSWORD, shots: 'test-output/cel-reprocess' });
    try {
      const page = ui.page;
      await page.click('[data-testid=tab-status]');
      await page.fill('[data-testid=reprocess-from]', '2026-12-07 17:59');
      await page.fill('[data-testid=reprocess-to]', '2026-12-07T18:10:00Z');
      await page.check('[data-testid=reprocess-dry]');
      await page.click('[data-testid=reprocess-start]');
      const progress = (re: string) => page.waitForFunction((r) => new RegExp(r).test(document.querySelector('[data-testid=reprocess-progress]')?.textContent ?? ''), re);
      // this run's end (the tab opens on the last run's state, which may say Done already)
      await progress('^Done: .*\\(dry run\\): calls read 3 of 3');
      await ui.shot('dry-run');
      expect(await page.locator('[data-testid=reprocess-list] li[data-linkedid]').evaluateAll((els) => els.map((e) => e.getAttribute('data-linkedid')))).toEqual(period3.map(linkedidOf));
      expect(await page.textContent('[data-testid=reprocess-progress]')).toMatch(/calls read 3 of 3, would register 3, already in Kommo 0/);
      expect(once(period3.map(linkedidOf))).toEqual([0, 0, 0]);
      await page.uncheck('[data-testid=reprocess-dry]');
      await page.click('[data-testid=reprocess-start]');
      await progress('^Done.*registered 3');
      await ui.shot('registered');
      await service.engine.idle();
      expect(once(period3.map(linkedidOf))).toEqual([1, 1, 1]);
      // Stop: the 1,500 calls of the Ctrl-C test, listed again, stopped half-way
      await page.fill('[data-testid=reprocess-from]', '2026-12-05T07:59:00Z');
      await page.fill('[data-testid=reprocess-to]', '2026-12-05T09:00:00Z');
      await page.check('[data-testid=reprocess-dry]');
      await page.click('[data-testid=reprocess-start]');
      // Stop as soon as the run shows as running (1,500 calls, read 200 a batch: several batches to go).
      await progress('^Running');
      await page.click('[data-testid=reprocess-stop]');
      // Stopped after the batch in progress; a run that had read its last batch by then ends Done instead (the
      // CLI test above holds stop-and-resume exactly; here the page's part: the button, the call, the state shown).
      await progress('^(Stopped \\(Start resumes it\\)|Done)');
      const shown = (await page.textContent('[data-testid=reprocess-progress]')) ?? '';
      if (shown.startsWith('Stopped')) expect(shown).not.toMatch(/left 0\.$/);
      await ui.shot('stopped');
      expect(ui.pageErrors).toEqual([]);
    } finally {
      await ui.close();
    }
  }, 90_000);
});
