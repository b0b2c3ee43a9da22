/**
 * Times of CEL rows. `eventtime` is written in the PBX's local time without an offset (cel_pgsql's `timestamp`,
 * MySQL's `datetime`), with an offset (`timestamptz`), or as epoch seconds (cel.conf `dateformat` unset): each is
 * read as an instant with `cel.timezone` for the first kind.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(ms: number, tz: string): Record<string, string> {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(ms)) p[part.type] = part.value;
  return p;
}

/** An instant as local text in `tz`, with milliseconds: "2024-03-01 10:00:00.100". */
export function localText(ms: number, tz: string): string {
  const p = parts(ms, tz);
  const frac = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}.${frac}`;
}

function offsetMs(ms: number, tz: string): number {
  const p = parts(ms, tz);
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

const EPOCH = /^\d{9,11}(\.\d+)?$/;
const TEXT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** The instant (ms) of an eventtime value, or NaN when it is not one of the forms above. */
export function instantOf(raw: string, tz: string): number {
  const s = raw.trim();
  if (EPOCH.test(s)) return Math.round(Number(s) * 1000);
  const m = TEXT.exec(s);
  if (!m) return Number.NaN;
  const frac = m[7] ? Math.round(Number(`0${m[7]}`) * 1000) : 0;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + frac;
  if (m[8]) {
    if (m[8] === 'Z') return wall;
    const sign = m[8][0] === '-' ? -1 : 1;
    const digits = m[8].slice(1).replace(':', '');
    const off = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60_000;
    return wall - sign * off;
  }
  // local wall time in tz: guess with the offset at that wall time read as UTC, then correct once (DST edges)
  let t = wall - offsetMs(wall, tz);
  t = wall - offsetMs(t, tz);
  return t;
}

/** "2024-03-01T07:00:00.000Z" for messages and status. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A period bound given by a person: ISO 8601 with or without an offset (without: `tz`), or epoch seconds. */
export function parseWhen(text: string, tz: string): number {
  return instantOf(text.replace('T', ' ').replace(/ (\d{2}:\d{2})$/, ' $1:00').replace(/^(\d{4}-\d{2}-\d{2})$/, '$1 00:00:00'), tz);
}
