/**
 * Nothing lost while hookline is down: sim/pbx plays calls (AMI `Event: CEL`) and writes their CEL rows to a
 * real PostgreSQL as cel_pgsql would; hookline (`hookline start`, a child process) is killed with SIGKILL in the
 * middle, calls go on ending while it is down, and it is started again a few seconds later. Every call is then
 * registered exactly once (sim/kommo's request log): those it followed live, the one cut in half by the kill, and
 * those that ended in the gap (read from CEL by the catch-up); none twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startKommo, type KommoSim } from '../../sim/kommo/index.ts';
import { startPbx, type Pbx } from '../../sim/pbx/index.ts';
import { createCelTable, insertRows, startPostgres, type TestDb } from '../../sim/cel/index.ts';
import { asAmi, inboundCall, linkedidOf, type Row } from '../../sim/cel/index.ts';

let db: TestDb;
let pbx: Pbx;
let kommo: KommoSim;
let child: ChildProcess | null = null;
const dir = mkdtempSync(join(tmpdir(), 'hl-cel-kill-'));

beforeAll(async () => {
  [db, pbx, kommo] = await Promise.all([startPostgres(), startPbx({ users: { crm: { secret: 's3cret' } } }), startKommo({ account: 'demo', auth: { longLivedToken: 'tok' }, limits: { rateWindowMs: 100 } })]);
  await createCelTable(db);
}, 120_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await pbx?.close();
  await kommo?.close();
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startHookline(config: string): Promise<{ out: () => string }> {
  const before = pbx.loginCount;
  child = spawn(process.execPath, ['--no-node-snapshot', join(process.cwd(), 'cli/main.ts'), 'start', '--config', config], {
    env: { ...process.env, HL_CEL_PASSWORD: db.password }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += String(b)));
  child.stderr?.on('data', (b: Buffer) => (out += String(b)));
  const t0 = Date.now();
  while (pbx.loginCount === before || !/^Editor: /m.test(out)) {
    if (Date.now() - t0 > 30_000 || child.exitCode !== null) throw new Error(`hookline did not start: ${out}`);
    await sleep(50);
  }
  return { out: () => out };
}

/** Plays a call as the PBX does: its rows into the cel table, and over AMI to whoever is logged in. */
async function play(rows: Row[]): Promise<void> {
  await insertRows(db, rows);
  await pbx.replay(asAmi(rows), { pace: 'asap' });
}

const registered = () => kommo.requests({ method: 'POST', path: '/api/v4/calls' }).filter((r) => r.status === 200).flatMap((r) => (r.body as { uniq?: string }[]).map((c) => c.uniq ?? ''));

it('hookline killed with SIGKILL and started again: every call that ended meanwhile is registered exactly once', async () => {
  const config = join(dir, 'hookline.config.json');
  writeFileSync(config, JSON.stringify({
    dataDir: join(dir, 'data'),
    editor: { port: 0 },
    ami: { host: '127.0.0.1', port: pbx.port, username: 'crm', secret: 's3cret' },
    kommo: { baseUrl: kommo.url, token: 'tok' },
    cel: { type: 'postgres', url: db.url, password: { env: 'HL_CEL_PASSWORD' }, catchUp: { delayMs: 300, overlapMs: 5000 } },
  }));
  const base = Math.floor(Date.now() / 1000);
  // each call ends (LINKEDID_END) about when it is played
  const call = (n: number) => inboundCall(n, Date.now() - 40_000, base);
  const all: string[] = [];

  let hl = await startHookline(config);
  for (let n = 1; n <= 4; n++) {
    const rows = call(n);
    all.push(linkedidOf(rows));
    await play(rows);
  }
  // the first half of a call reaches hookline; the kill comes right after
  const cut = call(5);
  all.push(linkedidOf(cut));
  await insertRows(db, cut.slice(0, 6));
  await pbx.replay(asAmi(cut.slice(0, 6)), { pace: 'asap' });
  const t1 = Date.now();
  while (registered().length < 4 && Date.now() - t1 < 30_000) await sleep(50);
  expect(registered().length).toBe(4);
  child?.kill('SIGKILL');
  await new Promise((r) => child?.once('exit', r));
  const killedOut = hl.out();

  // hookline is down: the cut call ends, and more calls start and end
  await insertRows(db, cut.slice(6));
  for (let n = 6; n <= 12; n++) {
    const rows = call(n);
    all.push(linkedidOf(rows));
    await play(rows);
    await sleep(150);
  }
  await sleep(1500);

  hl = await startHookline(config);
  // and calls go on after the restart, followed live
  for (let n = 13; n <= 15; n++) {
    const rows = call(n);
    all.push(linkedidOf(rows));
    await play(rows);
  }
  const t0 = Date.now();
  while (new Set(registered()).size < all.length && Date.now() - t0 < 30_000) await sleep(100);
  await sleep(1000);
  const got = registered();
  const twice = got.filter((u, i) => got.indexOf(u) !== i);
  expect({ missing: all.filter((id) => !got.includes(id)), twice }).toEqual({ missing: [], twice: [] });
  expect(got.length).toBe(all.length);
  expect(hl.out()).toMatch(/caught up from CEL/);
  // the catch-up read the gap, and the status says so
  const saved = JSON.parse(readFileSync(join(dir, 'data', 'cel-catch-up.json'), 'utf8')) as { last: { reason: string; state: string; registered: number; already: number; found: number } };
  expect(saved.last).toMatchObject({ reason: 'start', state: 'done' });
  // the 8 calls of the gap (the one cut in half and 7 more); the calls just before the kill or just after the
  // restart, when in the period, were already there
  expect(saved.last.registered).toBeGreaterThanOrEqual(8);
  expect(saved.last.registered + saved.last.already).toBe(saved.last.found);
  expect(killedOut).not.toMatch(/caught up/);
}, 120_000);
