/**
 * Records framed for an append-only file: one line per record, `<byte length> <crc32 hex> <json>\n`. A reader
 * keeps every line whose length and checksum agree and skips the others, so a record torn by a crash (kill -9
 * in the middle of a write, a full disk) or damaged later costs that record alone, never the ones around it.
 * JSON has no raw newline, so a line is always one record.
 */
import { crc32 } from 'node:zlib';

/** The line for one record (its JSON text already made). */
export function frameRecord(json: string): string {
  const bytes = Buffer.byteLength(json, 'utf8');
  return `${bytes} ${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

export interface FramedRecord {
  /** The record's JSON text. */
  json: string;
  /** Where its line starts in the file, and how many bytes the line takes (newline included). */
  offset: number;
  length: number;
}

export interface ReadFrames {
  records: FramedRecord[];
  /** Lines skipped: a wrong length or checksum, or no frame at all. */
  bad: number;
  /** The last line had no newline: a write cut short. Its bytes start at `goodEnd`. */
  torn: boolean;
  /** The byte just after the last whole line (the length a torn file can be cut back to). */
  goodEnd: number;
}

/** Checks one framed line (without its newline); the JSON text, or null when it does not hold. */
export function unframe(line: string): string | null {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  if (a <= 0 || b < 0 || b - a !== 9) return null;
  const len = Number(line.slice(0, a));
  const json = line.slice(b + 1);
  if (!Number.isInteger(len) || Buffer.byteLength(json, 'utf8') !== len) return null;
  return crc32(json).toString(16).padStart(8, '0') === line.slice(a + 1, b) ? json : null;
}

/** Every whole record of a file's bytes, in order. */
export function readFrames(buf: Buffer): ReadFrames {
  const records: FramedRecord[] = [];
  let bad = 0;
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(10, pos);
    if (nl < 0) return { records, bad, torn: true, goodEnd: pos };
    const json = unframe(buf.toString('utf8', pos, nl));
    if (json === null) bad += 1;
    else records.push({ json, offset: pos, length: nl + 1 - pos });
    pos = nl + 1;
  }
  return { records, bad, torn: false, goodEnd: pos };
}
