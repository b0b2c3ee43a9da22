/**
 * Event time -> call_full DateTime ("YYYY-MM-DD HH:MM:SS"). AMI `Timestamp` is epoch seconds; CEL `EventTime`
 * is either epoch seconds (cel.conf dateformat unset) or a text date, with or without a UTC offset (the Wazo
 * tables: "2022-07-04 09:19:01.815884-04"). A text date without an offset is already PBX time: kept as is.
 */
import { UNSET_TIME } from '../../contracts/index.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatMs(ms: number, tz: string): string {
  if (!Number.isFinite(ms)) return UNSET_TIME;
  if (tz === 'UTC') return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(ms)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

const EPOCH = /^\d{9,11}(\.\d+)?$/;
const TEXT = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** The DateTime of an event time field, or '' when the field is absent or unreadable. */
export function eventTime(raw: string | undefined, tz: string): string {
  if (!raw) return '';
  const s = raw.trim();
  if (EPOCH.test(s)) return formatMs(Number(s) * 1000, tz);
  const m = TEXT.exec(s);
  if (!m) return '';
  if (!m[4]) return `${m[1]} ${m[2]}`;
  let off = m[4];
  if (off !== 'Z') off = off.length === 3 ? `${off}:00` : off.includes(':') ? off : `${off.slice(0, 3)}:${off.slice(3)}`;
  return formatMs(Date.parse(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}${off}`), tz);
}
