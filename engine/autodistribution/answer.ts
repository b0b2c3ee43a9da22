/**
 * The answer the dialplan reads: `<number>,<name>` split by CUT() at the comma, or nothing. Kept in step with
 * contracts/hooks/customize-autodistribution.ts (name at most 20 characters, no comma) and with the README's
 * extensions.conf snippet (Dial(PJSIP/${HL_EXT}) and Set(CALLERID(name)=${HL_NAME})).
 */

/** Asterisk truncates a CallerID name at 20 characters. */
export const MAX_NAME_CHARS = 20;

/**
 * What may go into Dial(<tech>/${HL_EXT}): a dial string's `&` would add channels, `,` would add Dial options,
 * `/` a technology; an extension never needs them.
 */
const DIALABLE = /^[0-9A-Za-z*#+._-]{1,40}$/;

const UNSAFE_NAME = /[,\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A CallerID name: commas and control characters removed, at most 20 characters (no half surrogate pair left). */
export function cleanName(name: string): string {
  let s = name.replace(UNSAFE_NAME, '').trim();
  if (s.length > MAX_NAME_CHARS) {
    s = s.slice(0, MAX_NAME_CHARS);
    if (/[\ud800-\udbff]$/.test(s)) s = s.slice(0, -1);
    s = s.trimEnd();
  }
  return s;
}

export function isDialable(number: string): boolean {
  return DIALABLE.test(number);
}

/** An extension as the hook's input may carry it (no comma, no control character). */
export function cleanNumber(number: string): string {
  return number.replace(UNSAFE_NAME, '').trim();
}

export function formatAnswer(number: string, name: string): string {
  return number === '' ? '' : `${number},${cleanName(name)}`;
}
