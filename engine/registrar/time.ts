/** call_full DateTime ("YYYY-MM-DD HH:MM:SS", PBX time zone) → Unix seconds; and durations between two of them. */
import { UNSET_TIME } from '../../contracts/index.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function offsetMs(utcMs: number, tz: string): number {
  if (tz === 'UTC') return 0;
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(utcMs)) p[part.type] = part.value;
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(utcMs / 1000) * 1000;
}

function wallMs(t: string): number | null {
  if (!t || t === UNSET_TIME) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(t);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Unix seconds of a PBX-local DateTime, or null when unset or unreadable. */
export function toUnix(t: string, tz: string): number | null {
  const wall = wallMs(t);
  if (wall === null) return null;
  // Two passes settle the offset across a DST change.
  let utc = wall - offsetMs(wall, tz);
  utc = wall - offsetMs(utc, tz);
  return Math.floor(utc / 1000);
}

/** Whole seconds from `a` to `b` (0 when either is unset or b is before a). */
export function secondsBetween(a: string, b: string): number {
  const x = wallMs(a);
  const y = wallMs(b);
  if (x === null || y === null || y < x) return 0;
  return Math.round((y - x) / 1000);
}
