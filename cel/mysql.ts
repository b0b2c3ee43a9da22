/** The CEL table in MySQL/MariaDB (FreePBX's asteriskcdrdb.cel via cel_odbc), through `mysql2`. */
import { createConnection } from 'mysql2/promise';
import type { ColumnKind } from './columns.ts';
import { safeUrl, withPassword } from './postgres.ts';
import type { SqlConnection, SqlDialect } from './sql.ts';

function splitTable(table: string): [string | null, string] {
  const i = table.indexOf('.');
  return i < 0 ? [null, table] : [table.slice(0, i), table.slice(i + 1)];
}

export function mysqlDialect(url: string, password: string | undefined, timeoutMs = 5_000): SqlDialect {
  return {
    kind: 'mysql',
    where: safeUrl(url),
    async connect(): Promise<SqlConnection> {
      // dateStrings: a DATETIME is read as written (PBX local time), never shifted by this process's zone
      const c = await createConnection({ uri: withPassword(url, password), connectTimeout: timeoutMs, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
      c.on('error', () => undefined);
      return {
        async query(sql, params) {
          const [rows] = await c.query(sql, params);
          return rows as Record<string, unknown>[];
        },
        close: () => c.end(),
      };
    },
    quote: (table) => splitTable(table).filter((p): p is string => p !== null).map((p) => `\`${p}\``).join('.'),
    columnsSql(table) {
      const [schema, name] = splitTable(table);
      return {
        sql: 'SELECT COLUMN_NAME AS column_name, DATA_TYPE AS data_type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
        params: [schema, name],
      };
    },
    param: () => '?',
    asText: (column: string, _kind: ColumnKind) => column,
    classify(e) {
      const err = e as { code?: string; message?: string };
      const msg = err.message ?? String(e);
      if (err.code === 'ER_NO_SUCH_TABLE') return { code: 'CEL_NO_TABLE', detail: msg };
      if (err.code === 'ER_BAD_FIELD_ERROR') return { code: 'CEL_BAD_COLUMN', detail: msg };
      return { code: 'CEL_UNREACHABLE', detail: `${msg}${err.code ? ` (${err.code})` : ''}` };
    },
  };
}
