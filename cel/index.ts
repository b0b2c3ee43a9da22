/**
 * @module cel — Asterisk's CEL read back (a MySQL/MariaDB or PostgreSQL table, or a CSV file): the calls that
 * ended in a period rebuilt through the tracker and registered where the outbox does not know them (catch-up
 * after a gap, `hookline reprocess`). docs/design/cel.md.
 */
export type { CelCheck, CelError, CelErrorCode, CelResult, CelRows, CelSource, EndedCall } from './source.ts';
export { openCelSource, celZone, type CelConfig } from './open.ts';
export { csvSource, parseCsvLine } from './csv.ts';
export { COLUMN_KEYS, CSV_DEFAULT_COLUMNS, REQUIRED_COLUMNS, OPTIONAL_COLUMNS } from './columns.ts';
export { toEvent, byTime, type CelRow, type ReadRow, type RowZones } from './rows.ts';
export { rebuildCalls, type RebuildOptions } from './rebuild.ts';
export { runPeriod, type PeriodOptions, type PeriodProgress, type PeriodReport, type PeriodTarget, type SubmitOutcome, type WouldWrite } from './period.ts';
export { instantOf, localText, parseWhen, iso } from './time.ts';
export { startCatchUp, CATCH_UP_FILE, type CatchUp, type CatchUpOptions, type CatchUpSettings, type CatchUpStatus } from './catch-up.ts';
export { engineTarget, whyNotWritten } from './engine-target.ts';
export { startEngineCatchUp, startEngineReprocess } from './wire.ts';
export { createReprocessor, REPROCESS_FILE, type Reprocessor, type ReprocessorOptions, type ReprocessRequest, type ReprocessState } from './reprocess.ts';
export { reprocessRoutes } from './routes.ts';
