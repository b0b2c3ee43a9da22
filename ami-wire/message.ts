/** One AMI block. A header repeated in the block keeps every value, in wire order, as an array. Keys as on the wire. */
export type AmiMessage = Record<string, string | string[]>;

import type { ErrorCode } from '../contracts/index.ts';

/** Listed in the error catalogue (contracts/errors-service.ts). */
export type AmiProblemCode = Extract<
  ErrorCode,
  | 'AMI_INVALID_UTF8'
  | 'AMI_LINE_TOO_LONG'
  | 'AMI_BLOCK_TOO_LARGE'
  | 'AMI_LINE_WITHOUT_COLON'
  | 'AMI_BAD_HEADER_NAME'
  | 'AMI_BARE_LF'
  | 'AMI_NO_EVENT_OR_RESPONSE'
  | 'AMI_TRUNCATED'
>;

/** A fault in the byte stream: reported once, never thrown; parsing goes on with the next block. */
export interface AmiProblem {
  code: AmiProblemCode;
  message: string;
}

export interface AmiParseResult {
  messages: AmiMessage[];
  problems: AmiProblem[];
}

/** The first value of a header (a repeated header gives its first value, as Asterisk reads it). */
export function header(msg: AmiMessage, key: string): string | undefined {
  const v = msg[key];
  return typeof v === 'string' ? v : v?.[0];
}

/** Every value of a header, in wire order ([] when absent). */
export function headers(msg: AmiMessage, key: string): string[] {
  const v = msg[key];
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}
