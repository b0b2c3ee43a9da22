/** The CEL source the configuration names. */
import type { Config } from '../config/index.ts';
import { csvSource } from './csv.ts';
import { mysqlDialect } from './mysql.ts';
import { postgresDialect } from './postgres.ts';
import type { CelSource } from './source.ts';
import { sqlSource } from './sql.ts';

export type CelConfig = NonNullable<Config['cel']>;

/** The zone of eventtime values without an offset. */
export function celZone(config: Config): string {
  return config.cel?.timezone ?? config.pbx.timezone;
}

export function openCelSource(config: Config, o: { timeoutMs?: number } = {}): CelSource | null {
  const c = config.cel;
  if (!c) return null;
  const tz = celZone(config);
  if (c.type === 'csv') return csvSource(c.path ?? '', tz, c.columns);
  const url = c.url ?? '';
  const dialect = c.type === 'postgres' ? postgresDialect(url, c.password, o.timeoutMs) : mysqlDialect(url, c.password, o.timeoutMs);
  return sqlSource(dialect, c.table, tz);
}
