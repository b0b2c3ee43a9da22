/**
 * The CEL table in a SQL database (PostgreSQL through `pg`, MySQL/MariaDB through `mysql2`): the queries are
 * the same but for quoting, placeholders and the catalogue query, which each driver's file gives (postgres.ts,
 * mysql.ts). One connection, opened when first needed and dropped after an error so the next call opens a fresh one.
 */
import { expectedKinds, KNOWN_COLUMNS, kindOf, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, type ColumnKind } from './columns.ts';
import { byTime, rowProblem, type ReadRow } from './rows.ts';
import { celError, type CelCheck, type CelResult, type CelSource, type EndedCall } from './source.ts';
import { localText } from './time.ts';
import { instantOf } from './time.ts';

export interface SqlConnection {
  query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface SqlDialect {
  kind: 'postgres' | 'mysql';
  /** host:port/database, without the password, for messages. */
  where: string;
  connect(): Promise<SqlConnection>;
  /** `"public"."cel"` / `` `asteriskcdrdb`.`cel` `` */
  quote(table: string): string;
  /** SQL giving rows {column_name, data_type, tz} of the table (tz: true for a time column with a zone). */
  columnsSql(table: string): { sql: string; params: unknown[] };
  /** `$3` / `?` */
  param(n: number): string;
  /** An expression of the column as text (timestamps as written, with fractions). */
  asText(column: string, kind: ColumnKind): string;
  /** Why a connect/query error happened, said plainly (no such table, refused, login). */
  classify(e: unknown): { code: 'CEL_UNREACHABLE' | 'CEL_NO_TABLE' | 'CEL_BAD_COLUMN'; detail: string };
}

interface Layout {
  columns: Map<string, ColumnKind>;
  /** eventtime has a time zone (timestamptz): compare with instants. */
  timeWithZone: boolean;
}

/** How many linkedids go in one IN (…) / ANY($1). */
const CHUNK = 500;

export function sqlSource(d: SqlDialect, table: string, tz: string): CelSource {
  let conn: SqlConnection | null = null;
  let layout: Layout | null = null;
  const where = `${d.kind} table ${table} at ${d.where}`;

  async function connection(): Promise<SqlConnection> {
    conn ??= await d.connect();
    return conn;
  }

  async function run<T>(what: string, f: (c: SqlConnection) => Promise<T>): Promise<CelResult<T>> {
    try {
      return { ok: true, value: await f(await connection()) };
    } catch (e) {
      const old = conn;
      conn = null;
      layout = null;
      await old?.close().catch(() => undefined);
      const c = classify(e);
      return celError(c.code, `${what} ${where} failed: ${c.detail}`);
    }
  }

  function classify(e: unknown) {
    if (e instanceof LayoutError) return { code: e.code, detail: e.message };
    return d.classify(e);
  }

  async function readLayout(c: SqlConnection): Promise<Layout> {
    if (layout) return layout;
    const q = d.columnsSql(table);
    const rows = await c.query(q.sql, q.params);
    if (rows.length === 0) throw new LayoutError('CEL_NO_TABLE', `there is no table ${table} in this database (or hookline's database user may not see it)`);
    const columns = new Map<string, ColumnKind>();
    let timeWithZone = false;
    const wrong: string[] = [];
    for (const r of rows) {
      const name = String(r.column_name ?? r.COLUMN_NAME ?? '').toLowerCase();
      const type = String(r.data_type ?? r.DATA_TYPE ?? '');
      if (!KNOWN_COLUMNS.has(name)) continue;
      const kind = kindOf(type);
      if (!expectedKinds(name).includes(kind)) wrong.push(`column ${name} is ${type}; hookline reads it as ${expectedKinds(name).join(' or ')}`);
      columns.set(name, kind);
      if (name === 'eventtime' && /with time zone|timestamptz/i.test(type)) timeWithZone = true;
    }
    const missing = REQUIRED_COLUMNS.filter((c) => !columns.has(c));
    if (missing.length) wrong.unshift(`column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing`);
    if (wrong.length) throw new LayoutError('CEL_BAD_COLUMN', `${wrong.join('; ')} (table ${table})`);
    layout = { columns, timeWithZone };
    return layout;
  }

  function selectList(l: Layout): string {
    return [...l.columns].map(([c, k]) => `${d.asText(c, k)} AS ${c}`).join(', ');
  }

  function readRows(raw: Record<string, unknown>[], problems: string[]): ReadRow[] {
    const out: ReadRow[] = [];
    let n = 0;
    for (const r of raw) {
      n += 1;
      const row: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(r)) row[k.toLowerCase()] = v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
      const seq = row.id !== null && row.id !== undefined && /^\d+$/.test(row.id) ? Number(row.id) : n;
      const why = rowProblem(row, tz);
      if (why) {
        problems.push(`row ${row.id ?? `#${n}`} of ${table} (linkedid ${row.linkedid ?? '?'}): ${why}`);
        continue;
      }
      out.push({ row, at: instantOf(row.eventtime as string, tz), seq });
    }
    return out;
  }

  /** A period bound as the column compares it. */
  function bound(ms: number, l: Layout): unknown {
    const kind = l.columns.get('eventtime');
    if (kind === 'time') return l.timeWithZone ? new Date(ms).toISOString() : localText(ms, tz);
    if (kind === 'integer') return Math.floor(ms / 1000);
    return null; // text: compared after reading
  }

  return {
    where,
    async check() {
      const r = await run('reading the columns of', (c) => readLayout(c));
      if (!r.ok) return r;
      const value: CelCheck = { where, columns: [...r.value.columns.keys()], missingOptional: OPTIONAL_COLUMNS.filter((c) => !r.value.columns.has(c)) };
      return { ok: true, value };
    },
    async endedIn(from, to) {
      return run('reading the calls that ended from', async (c) => {
        const l = await readLayout(c);
        const order = l.columns.has('id') ? 'eventtime, id' : 'eventtime';
        const lo = bound(from, l);
        const hi = bound(to, l);
        // Bounds widened by a second each side: a datetime without fractions is rounded; the exact filter is below.
        const widen = (v: unknown, by: number) => (typeof v === 'number' ? v + by : v);
        const range = lo === null ? '' : ` AND eventtime >= ${d.param(1)} AND eventtime <= ${d.param(2)}`;
        const params = lo === null ? [] : l.columns.get('eventtime') === 'time' ? [bound(from - 1000, l), bound(to + 1000, l)] : [widen(lo, -1), widen(hi, 1)];
        const sql = `SELECT ${selectList(l)} FROM ${d.quote(table)} WHERE eventtype = 'LINKEDID_END'${range} ORDER BY ${order}`;
        const problems: string[] = [];
        const rows = readRows(await c.query(sql, params), problems);
        const calls: EndedCall[] = [];
        const seen = new Set<string>();
        for (const r of rows.sort(byTime)) {
          const id = r.row.linkedid as string;
          if (r.at < from || r.at >= to || seen.has(id)) continue;
          seen.add(id);
          calls.push({ linkedid: id, at: r.at });
        }
        return { calls, problems };
      });
    },
    async rowsOf(linkedids) {
      return run('reading the rows of calls from', async (c) => {
        const l = await readLayout(c);
        const problems: string[] = [];
        const rows: ReadRow[] = [];
        for (let i = 0; i < linkedids.length; i += CHUNK) {
          const part = linkedids.slice(i, i + CHUNK);
          const list = d.kind === 'postgres' ? `= ANY(${d.param(1)})` : `IN (${part.map((_, k) => d.param(k + 1)).join(', ')})`;
          const sql = `SELECT ${selectList(l)} FROM ${d.quote(table)} WHERE linkedid ${list}`;
          rows.push(...readRows(await c.query(sql, d.kind === 'postgres' ? [part] : part), problems));
        }
        return { rows: rows.sort(byTime), problems };
      });
    },
    async close() {
      const old = conn;
      conn = null;
      await old?.close().catch(() => undefined);
    },
  };
}

class LayoutError extends Error {
  readonly code: 'CEL_NO_TABLE' | 'CEL_BAD_COLUMN';
  constructor(code: 'CEL_NO_TABLE' | 'CEL_BAD_COLUMN', message: string) {
    super(message);
    this.code = code;
  }
}
