/**
 * Phone matching. Calls are attached by "the last 10 digits of the number"
 * (https://www.kommo.com/developers/content/telephony/call_logging/). How `?query=` matches is not
 * documented; the emulator does a substring match, as integrations in the field assume (differences.ts).
 */
import { PHONE_MATCH_DIGITS } from './limits.ts';

export function digitsOf(s: string): string {
  return s.replace(/\D+/g, '');
}

/** The last 10 digits, or all of them for a shorter number (an extension-like `123`). */
export function phoneKey(s: string): string {
  return digitsOf(s).slice(-PHONE_MATCH_DIGITS);
}

/** A query that looks like a phone number: digits with the usual punctuation, and at least 3 digits. */
function looksLikePhone(q: string): boolean {
  return /^[+\d\s().-]+$/.test(q) && digitsOf(q).length >= 3;
}

/** Does `query` find a contact with these names and phone values? Case-insensitive substring; phones also by digits. */
export function queryMatches(query: string, names: string[], phones: string[], otherValues: string[]): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return false;
  if ([...names, ...phones, ...otherValues].some((s) => s.toLowerCase().includes(q))) return true;
  if (!looksLikePhone(q)) return false;
  const qd = digitsOf(q);
  return phones.some((p) => digitsOf(p).includes(qd));
}
