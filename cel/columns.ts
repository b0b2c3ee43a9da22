/**
 * The cel table's columns (cel_pgsql, cel_odbc, FreePBX asteriskcdrdb.cel) and the AMI `Event: CEL` keys the
 * tracker reads (cel_manager.c's names). A row becomes the same event Asterisk would send over AMI.
 */

/** column → AMI CEL key, in cel_manager.c's order. */
export const COLUMN_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['eventtype', 'EventName'],
  ['accountcode', 'AccountCode'],
  ['cid_num', 'CallerIDnum'],
  ['cid_name', 'CallerIDname'],
  ['cid_ani', 'CallerIDani'],
  ['cid_rdnis', 'CallerIDrdnis'],
  ['cid_dnid', 'CallerIDdnid'],
  ['exten', 'Exten'],
  ['context', 'Context'],
  ['channame', 'Channel'],
  ['appname', 'Application'],
  ['appdata', 'AppData'],
  ['eventtime', 'EventTime'],
  ['amaflags', 'AMAFlags'],
  ['uniqueid', 'UniqueID'],
  ['linkedid', 'LinkedID'],
  ['userfield', 'Userfield'],
  ['peer', 'Peer'],
  ['peeraccount', 'PeerAccount'],
  ['extra', 'Extra'],
];

/** What the tracker needs: without one of these the calls cannot be rebuilt. */
export const REQUIRED_COLUMNS = ['eventtype', 'eventtime', 'uniqueid', 'linkedid', 'channame', 'cid_num', 'cid_name', 'exten', 'context', 'appname', 'appdata', 'extra'] as const;

/** Read when present. `userdeftype` names a USER_DEFINED event; `id` orders rows of the same eventtime. */
export const OPTIONAL_COLUMNS = ['id', 'userdeftype', 'cid_ani', 'cid_rdnis', 'cid_dnid', 'accountcode', 'amaflags', 'peer', 'peeraccount', 'userfield'] as const;

/**
 * The columns of the sample cel_custom.conf's Master.csv mapping, in order (Asterisk configs/samples/cel_custom.conf.sample):
 * eventtype, eventtime, CALLERID(name), CALLERID(num), CALLERID(ANI), CALLERID(RDNIS), CALLERID(DNID), exten,
 * context, channame, appname, appdata, amaflags, accountcode, uniqueid, linkedid, BRIDGEPEER, userfield,
 * userdeftype, eventextra.
 */
export const CSV_DEFAULT_COLUMNS = [
  'eventtype', 'eventtime', 'cid_name', 'cid_num', 'cid_ani', 'cid_rdnis', 'cid_dnid', 'exten', 'context', 'channame',
  'appname', 'appdata', 'amaflags', 'accountcode', 'uniqueid', 'linkedid', 'peer', 'userfield', 'userdeftype', 'extra',
] as const;

export type ColumnKind = 'text' | 'time' | 'integer' | 'other';

/** A column's database type as hookline reads it (information_schema data_type, lower case). */
export function kindOf(dataType: string): ColumnKind {
  const t = dataType.toLowerCase();
  if (/char|text|string|enum/.test(t)) return 'text';
  if (/^(timestamp|datetime)/.test(t)) return 'time';
  if (/int|serial|numeric|decimal/.test(t)) return 'integer';
  return 'other';
}

/** The kind a column must have; `eventtime` may also be epoch seconds as text or a number (cel.conf dateformat unset). */
export function expectedKinds(column: string): ColumnKind[] {
  if (column === 'eventtime') return ['time', 'text', 'integer'];
  if (column === 'id' || column === 'amaflags') return ['integer', 'text'];
  return ['text'];
}

export const KNOWN_COLUMNS: ReadonlySet<string> = new Set([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);
