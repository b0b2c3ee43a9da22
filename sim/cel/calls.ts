/**
 * Calls made up for the catch-up, reprocess and bench runs: an inbound call from a trunk (context from-trunk)
 * answered by an extension, as the CEL rows Asterisk writes (cel_pgsql, eventtime in UTC without an offset), and
 * the same rows as AMI `Event: CEL` blocks for sim/pbx to send.
 */
import { COLUMN_KEYS } from '../../cel/index.ts';

export type Row = Record<string, string>;

const text = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '000');

/** Call `n` starting at `t0` (ms), 40 s long; its linkedid is `${base}.${n}`. `caller` is the client's number. */
export function inboundCall(n: number, t0: number, base = Math.floor(t0 / 1000)): Row[] {
  const L = `${base}.${n * 2}`;
  const C = `${base}.${n * 2 + 1}`;
  const caller = `7916${String(1_000_000 + n).slice(-7)}`;
  const ext = String(200 + (n % 3));
  const trunk = `PJSIP/provider-${String(n).padStart(8, '0')}`;
  const phone = `PJSIP/${ext}-${String(n).padStart(8, '0')}`;
  const r = (dt: number, eventtype: string, channame: string, uniqueid: string, more: Row = {}): Row => ({
    eventtype, eventtime: text(t0 + dt), channame, uniqueid, linkedid: L, cid_num: caller, cid_name: '', exten: '', context: 'from-trunk',
    appname: '', appdata: '', extra: '', ...more,
  });
  return [
    r(0, 'CHAN_START', trunk, L, { exten: ext }),
    r(100, 'CHAN_START', phone, C, { cid_num: ext, context: 'internal', exten: 's' }),
    r(5000, 'ANSWER', phone, C, { cid_num: ext, context: 'internal' }),
    r(5010, 'ANSWER', trunk, L),
    r(5020, 'BRIDGE_ENTER', phone, C, { cid_num: ext, context: 'internal' }),
    r(5030, 'BRIDGE_ENTER', trunk, L),
    r(40000, 'HANGUP', phone, C, { cid_num: ext, context: 'internal', extra: `{"hangupcause":16,"hangupsource":"${phone}","dialstatus":""}` }),
    r(40001, 'CHAN_END', phone, C, { cid_num: ext, context: 'internal' }),
    r(40002, 'HANGUP', trunk, L, { extra: '{"hangupcause":16,"hangupsource":"","dialstatus":"ANSWER"}' }),
    r(40003, 'CHAN_END', trunk, L),
    r(40004, 'LINKEDID_END', trunk, L),
  ];
}

export const linkedidOf = (rows: Row[]) => rows[0]!.linkedid as string;

/** The rows as AMI `Event: CEL` blocks (CRLF), as sim/pbx replays them. */
export function asAmi(rows: Row[]): string {
  const keys = new Map(COLUMN_KEYS);
  return rows.map((row) => ['Event: CEL', ...Object.entries(row).map(([c, v]) => `${keys.get(c) ?? c}: ${v}`), '', ''].join('\r\n')).join('');
}
