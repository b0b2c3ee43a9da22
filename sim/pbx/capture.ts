/**
 * Captures for replay: a file or text of AMI blocks, split into blocks without changing a byte, each with
 * the time the capture gives it (Timestamp: or EventTime:, else the previous block's), and an optional
 * rewrite that makes one capture a fresh call each time it is replayed (new uniqueids/linkedids/bridge ids,
 * new channel suffixes, times moved to now).
 */
import { existsSync, readFileSync } from 'node:fs';

export type CaptureSource = string | Buffer;

export interface CaptureBlock {
  /** The block's bytes exactly as in the capture, empty line included (the last block may lack it). */
  bytes: Buffer;
  /** Seconds (epoch) the capture gives this block, or undefined if it gives none before it. */
  time: number | undefined;
}

const BLOCK_END = Buffer.from('\r\n\r\n');

/** A string with no line break that names an existing file is a path; anything else is the capture text. */
export function loadCapture(source: CaptureSource): Buffer {
  if (Buffer.isBuffer(source)) return source;
  if (!source.includes('\n') && existsSync(source)) return readFileSync(source);
  return Buffer.from(source, 'utf8');
}

export function splitBlocks(bytes: Buffer): CaptureBlock[] {
  const out: CaptureBlock[] = [];
  let pos = 0;
  let last: number | undefined;
  while (pos < bytes.length) {
    const end = bytes.indexOf(BLOCK_END, pos);
    const stop = end === -1 ? bytes.length : end + BLOCK_END.length;
    const slice = bytes.subarray(pos, stop);
    const t = blockTime(slice.toString('latin1'));
    if (t !== undefined) last = t;
    out.push({ bytes: slice, time: last });
    pos = stop;
  }
  return out;
}

const TIMESTAMP = /(?:^|\r\n)Timestamp: (\d+(?:\.\d+)?)\r\n/;
const EVENT_TIME = /(?:^|\r\n)EventTime: (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?/;

function blockTime(text: string): number | undefined {
  const ts = TIMESTAMP.exec(text);
  if (ts) return Number(ts[1]);
  const et = EVENT_TIME.exec(text);
  if (et) {
    const [, y, mo, d, h, mi, s, frac] = et;
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000 + (frac ? Number(frac) : 0);
  }
  return undefined;
}

/** State kept by the PBX across rewrites so that every rewritten replay gets ids no other replay used. */
export interface RewriteCounters {
  seq: number;
  channel: number;
  bridge: number;
}

const ID_KEY = /(?:^|\r\n)([A-Za-z]*(?:uniqueid|linkedid)): ([^\r\n]+)/gi;
const ASTERISK_ID = /^(.*?)(\d{9,11})\.(\d+)$/;
const CHANNEL_SUFFIX = /\b([A-Za-z][A-Za-z0-9]*\/[^\s\r\n;,/]*?-)([0-9a-f]{8})\b/g;

/**
 * Rewrite a capture's text so that it is a new call: each id (value of a *Uniqueid / *Linkedid header,
 * wherever else it appears too) gets a fresh sequence number and its epoch moved by `shiftSec`; bridge
 * ids (not Asterisk ids) get a fresh tail; channel name suffixes (`PJSIP/101-0000001d`) get fresh hex;
 * Timestamp and EventTime values move by `shiftSec`. Equal ids stay equal; distinct ids stay distinct.
 */
export function rewriteCapture(text: string, counters: RewriteCounters, nowSec: number): string {
  const ids = new Set<string>();
  for (const m of text.matchAll(ID_KEY)) {
    const v = m[2]!;
    if (v !== '<unknown>' && v.trim() !== '') ids.add(v);
  }
  let base: number | undefined;
  for (const block of text.split('\r\n\r\n')) {
    base = blockTime(block);
    if (base !== undefined) break;
  }
  if (base === undefined) {
    for (const id of ids) {
      const m = ASTERISK_ID.exec(id);
      if (m) {
        base = Number(m[2]);
        break;
      }
    }
  }
  const shiftSec = base === undefined ? 0 : Math.floor(nowSec - base);
  const map = new Map<string, string>();
  for (const id of ids) {
    const m = ASTERISK_ID.exec(id);
    if (m) map.set(id, `${m[1]}${Number(m[2]) + shiftSec}.${counters.seq++}`);
    else map.set(id, id.length > 12 ? `${id.slice(0, -12)}${(counters.bridge++).toString(16).padStart(12, '0')}` : `${id}-${counters.bridge++}`);
  }
  let out = text;
  if (map.size > 0) {
    // longest first, so that an id that is a prefix of another is not replaced inside it
    const keys = [...map.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    out = out.replace(new RegExp(`(?<![\\w.])(?:${keys.join('|')})(?![\\w.])`, 'g'), (s) => map.get(s) ?? s);
  }
  const channels = new Map<string, string>();
  out = out.replace(CHANNEL_SUFFIX, (_s, prefix: string, hex: string) => {
    const key = prefix + hex;
    let fresh = channels.get(key);
    if (fresh === undefined) {
      fresh = (counters.channel++ & 0xffffffff).toString(16).padStart(8, '0');
      channels.set(key, fresh);
    }
    return prefix + fresh;
  });
  if (shiftSec !== 0) {
    out = out.replace(/(\r\nTimestamp: )(\d+)(\.\d+)?/g, (_s, k: string, sec: string, frac: string | undefined) => `${k}${Number(sec) + shiftSec}${frac ?? ''}`);
    out = out.replace(/(\r\nEventTime: )(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/g, (_s, k: string, t: string) => `${k}${shiftDate(t, shiftSec)}`);
  }
  return out;
}

function shiftDate(t: string, shiftSec: number): string {
  const ms = Date.parse(`${t.replace(' ', 'T')}Z`) + shiftSec * 1000;
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
