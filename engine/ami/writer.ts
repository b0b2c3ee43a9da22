/**
 * Actions to wire text. A value with CR or LF would end the header (or the action) early and let the rest
 * inject headers or whole actions (asterisk-ami-client writes it as is): it is refused here, before
 * anything reaches the socket.
 */
import { fail, type AmiResult } from './errors.ts';

export type AmiActionValue = string | number | boolean | readonly string[];
/** An action to send: `Action` and its headers; an array value is sent as the header repeated (e.g. Variable). */
export type AmiAction = Record<string, AmiActionValue | undefined>;

const HEADER_NAME = /^[A-Za-z0-9_\-.]+$/;

export function formatAction(action: AmiAction): AmiResult<string> {
  const name = action['Action'];
  if (typeof name !== 'string' || name === '') return fail('AMI_BAD_ACTION', 'the action has no Action header');
  let out = '';
  for (const key of Object.keys(action)) {
    const v = action[key];
    if (v === undefined) continue;
    if (!HEADER_NAME.test(key)) return fail('AMI_BAD_ACTION', `${name}: header name ${JSON.stringify(key)} is not a valid AMI header name; nothing was sent`);
    const values = Array.isArray(v) ? (v as readonly string[]) : [String(v)];
    for (const one of values) {
      const s = String(one);
      if (s.indexOf('\r') !== -1 || s.indexOf('\n') !== -1) {
        return fail('AMI_BAD_ACTION', `${name}: the value of ${key} contains CR or LF, which would inject AMI headers; nothing was sent`);
      }
      out += `${key}: ${s}\r\n`;
    }
  }
  return { ok: true, value: `${out}\r\n` };
}
