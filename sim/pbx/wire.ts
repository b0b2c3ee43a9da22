/** Writing AMI blocks as Asterisk does: `Key: Value` lines ended by CRLF, the block by an empty line. */
import type { AmiMessage } from '../../ami-wire/index.ts';

export type WireFields = AmiMessage | ReadonlyArray<readonly [string, string]>;

export function formatBlock(fields: WireFields): string {
  let out = '';
  const pairs: Iterable<readonly [string, string | string[]]> = Array.isArray(fields)
    ? (fields as ReadonlyArray<readonly [string, string]>)
    : Object.entries(fields as AmiMessage);
  for (const [k, v] of pairs) {
    if (Array.isArray(v)) for (const one of v) out += `${k}: ${one}\r\n`;
    else out += `${k}: ${v}\r\n`;
  }
  return `${out}\r\n`;
}

/** A header's first value, the key matched case-insensitively (as Asterisk's astman_get_header does). */
export function getHeader(msg: AmiMessage, key: string): string {
  const direct = msg[key];
  if (direct !== undefined) return typeof direct === 'string' ? direct : (direct[0] ?? '');
  const lower = key.toLowerCase();
  for (const k of Object.keys(msg)) {
    if (k.toLowerCase() === lower) {
      const v = msg[k]!;
      return typeof v === 'string' ? v : (v[0] ?? '');
    }
  }
  return '';
}

/** Every value of a header, key matched case-insensitively. */
export function getHeaders(msg: AmiMessage, key: string): string[] {
  const lower = key.toLowerCase();
  const out: string[] = [];
  for (const k of Object.keys(msg)) {
    if (k.toLowerCase() !== lower) continue;
    const v = msg[k]!;
    if (typeof v === 'string') out.push(v);
    else out.push(...v);
  }
  return out;
}

/** A response block: `Response`, then `ActionID` (only if the action had one, right after Response), then the rest. */
export function response(status: 'Success' | 'Error' | 'Goodbye', actionId: string, rest: ReadonlyArray<readonly [string, string]>): string {
  const fields: Array<readonly [string, string]> = [['Response', status]];
  if (actionId !== '') fields.push(['ActionID', actionId]);
  fields.push(...rest);
  return formatBlock(fields);
}
