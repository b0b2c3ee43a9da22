/**
 * Actions to wire text. A value with CR or LF would end the header (or the action) early and let the rest
 * inject headers or whole actions (asterisk-ami-client writes it as is): it is refused here, before
 * anything reaches the socket.
 */
import type { ErrorCode } from '../contracts/index.ts';

export type AmiActionValue = string | number | boolean | readonly string[];
/** An action to send: `Action` and its headers; an array value is sent as the header repeated (e.g. Variable). */
export type AmiAction = Record<string, AmiActionValue | undefined>;

/**
 * Why an action cannot be written. The same value as engine/ami's AmiError for this code (the client hands it
 * on as it is), in the catalogue (contracts/errors-service.ts).
 */
export interface AmiActionProblem {
  code: Extract<ErrorCode, 'AMI_BAD_ACTION'>;
  message: string;
}

export type AmiFormatResult = { ok: true; value: string } | { ok: false; error: AmiActionProblem };

const HEADER_NAME = /^[A-Za-z0-9_\-.]+$/;

const refuse = (message: string): AmiFormatResult => ({ ok: false, error: { code: 'AMI_BAD_ACTION', message } });

export function formatAction(action: AmiAction): AmiFormatResult {
  const name = action['Action'];
  if (typeof name !== 'string' || name === '') return refuse('the action has no Action header');
  let out = '';
  for (const key of Object.keys(action)) {
    const v = action[key];
    if (v === undefined) continue;
    if (!HEADER_NAME.test(key)) return refuse(`${name}: header name ${JSON.stringify(key)} is not a valid AMI header name; nothing was sent`);
    const values = Array.isArray(v) ? (v as readonly string[]) : [String(v)];
    for (const one of values) {
      const s = String(one);
      if (s.indexOf('\r') !== -1 || s.indexOf('\n') !== -1) {
        return refuse(`${name}: the value of ${key} contains CR or LF, which would inject AMI headers; nothing was sent`);
      }
      out += `${key}: ${s}\r\n`;
    }
  }
  return { ok: true, value: `${out}\r\n` };
}
