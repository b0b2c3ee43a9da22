/** The CEL table in PostgreSQL (cel_pgsql; Wazo), through `pg`. */
import pg from 'pg';
import type { ColumnKind } from './columns.ts';
import type { SqlConnection, SqlDialect } from './sql.ts';

function splitTable(table: string): [string | null, string] {
  const i = table.indexOf('.');
  return i < 0 ? [null, table] : [table.slice(0, i), table.slice(i + 1)];
}

export function postgresDialect(url: string, password: string | undefined, timeoutMs = 5_000): SqlDialect {
  const u = safeUrl(url);
  return {
    kind: 'postgres',
    where: u,
    async connect(): Promise<SqlConnection> {
      // pg takes the password of the URL over a `password` option, even an absent one: it goes in the URL
      const client = new pg.Client({ connectionString: withPassword(url, password), connectionTimeoutMillis: timeoutMs, query_timeout: 120_000 });
      // a connection that breaks between queries emits 'error': the next query fails and opens a fresh one
      client.on('error', () => undefined);
      await client.connect();
      return {
        query: async (sql, params) => (await client.query(sql, params)).rows,
        close: () => client.end(),
      };
    },
    quote: (table) => splitTable(table).filter((p): p is string => p !== null).map((p) => `"${p}"`).join('.'),
    columnsSql(table) {
      const [schema, name] = splitTable(table);
      return {
        sql: `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2 ORDER BY ordinal_position`,
        params: [schema, name],
      };
    },
    param: (n) => `$${n}`,
    asText: (column: string, _kind: ColumnKind) => `${column}::text`,
    classify(e) {
      const err = e as { code?: string; message?: string };
      const msg = err.message ?? String(e);
      if (err.code === '42P01') return { code: 'CEL_NO_TABLE', detail: msg };
      if (err.code === '42703' || err.code === '42883' || err.code === '22007' || err.code === '22008') return { code: 'CEL_BAD_COLUMN', detail: msg };
      return { code: 'CEL_UNREACHABLE', detail: `${msg}${err.code ? ` (${err.code})` : ''}` };
    },
  };
}

/** The URL with `password` in it (when given), the one way pg and mysql2 both take it. */
export function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  try {
    const u = new URL(url);
    u.password = encodeURIComponent(password);
    return u.toString();
  } catch {
    return url;
  }
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 'default port'}${u.pathname}${u.username ? ` as ${decodeURIComponent(u.username)}` : ''}`;
  } catch {
    return 'the configured URL (not a valid URL)';
  }
}
