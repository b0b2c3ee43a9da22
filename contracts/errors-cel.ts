/**
 * The codes of reading Asterisk's CEL (cel/): the database or file, the table and its columns, the rows, the
 * catch-up and `hookline reprocess`. Their own file so they collide with no other module's codes;
 * contracts/errors.ts spreads them into the one catalogue. None is a script failure.
 */
import type { ErrorParams } from './errors.ts';

interface CelEntry {
  what: string;
  message: (p: ErrorParams) => string;
  hint: (p: ErrorParams) => string;
  scriptFailure: false;
}

const detail = (p: ErrorParams) => (p.detail ? `: ${p.detail}` : '');

export const celErrors = {
  CEL_UNREACHABLE: {
    what: 'hookline could not connect to the CEL database, or log in to it (refused, unreachable, wrong password, no such database), or open the CEL file.',
    message: (p) => `cannot reach the CEL source${detail(p)}`,
    hint: () => 'Check cel.url (host, port, database, user) and the password it reads from the environment, that the database accepts connections from hookline\'s address, or cel.path for a CSV file. Live AMI following goes on; the catch-up is tried again at the next reconnect or start.',
    scriptFailure: false,
  },
  CEL_NO_TABLE: {
    what: 'The CEL table named by cel.table is not in the database.',
    message: (p) => `the CEL table ${String(p.table ?? '')} does not exist${detail(p)}`,
    hint: () => 'Set cel.table to the table Asterisk writes (FreePBX: asteriskcdrdb.cel; cel_pgsql: the `table` of cel_pgsql.conf, default cel), or create it as docs/design/cel.md shows.',
    scriptFailure: false,
  },
  CEL_BAD_COLUMN: {
    what: 'A column hookline needs is missing from the CEL table or has a type it cannot read (e.g. eventtime that is not a timestamp, text or number).',
    message: (p) => `the CEL table ${String(p.table ?? '')} cannot be read${detail(p)}`,
    hint: () => 'Give the table the columns of Asterisk\'s cel table with their usual types (docs/design/cel.md lists them); for a CSV file, set cel.columns to the order of your cel_custom.conf mapping.',
    scriptFailure: false,
  },
  CEL_BAD_ROW: {
    what: 'A CEL row cannot be read: an eventtime that is not a time, a missing linkedid, or a CSV line with an unclosed quote. The row is skipped and named.',
    message: (p) => `a CEL row was skipped${detail(p)}`,
    hint: () => 'Check what writes that row (cel_custom.conf mapping, the table\'s column types). A CSV line still being written (no newline yet) is not an error: it is read when complete.',
    scriptFailure: false,
  },
  CEL_BAD_PERIOD: {
    what: 'The period given to `hookline reprocess` (or POST /api/reprocess) is not one: a time that cannot be read, or --from not before --to.',
    message: (p) => `the period cannot be used${detail(p)}`,
    hint: () => 'Give --from and --to as "2026-12-01 09:00" (cel.timezone, else pbx.timezone), ISO 8601 with an offset, or epoch seconds, with --from before --to.',
    scriptFailure: false,
  },
  CEL_NOT_CONFIGURED: {
    what: 'Catch-up or reprocess was asked for but the configuration has no cel section.',
    message: () => 'there is no cel section in the configuration',
    hint: () => 'Add "cel": {"type": "postgres" | "mysql" | "csv", …} to the configuration (docs/config.md, docs/design/cel.md) and check it with `hookline config check`.',
    scriptFailure: false,
  },
  CEL_REPROCESS_BUSY: {
    what: 'A reprocess was asked for while another one runs.',
    message: (p) => `a reprocess is already running${detail(p)}`,
    hint: () => 'Wait for it to finish (its progress is in GET /api/reprocess), or stop it first (DELETE /api/reprocess; the CLI: Ctrl-C), then start again: it resumes where it stopped.',
    scriptFailure: false,
  },
} satisfies Record<string, CelEntry>;
