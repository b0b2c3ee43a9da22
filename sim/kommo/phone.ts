/**
 * Phone matching. Calls are attached by "the last 10 digits of the number"
 * (https://www.kommo.com/developers/content/telephony/call_logging/). `GET /api/v4/contacts?query=<phone>` "uses the
 * last 7 digits" (https://developers.kommo.com/docs/caller-id): a number finds every entity whose phone ends in
 * the same 7 digits, so a client must keep only those that are its caller (hookline: the last 10 digits).
 */
import { PHONE_MATCH_DIGITS, PHONE_SEARCH_DIGITS } from './limits.ts';

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
  // A whole number: the last 7 digits decide. A shorter run of digits (3 to 6) is a substring, the emulator's choice.
  if (qd.length >= PHONE_SEARCH_DIGITS) return phones.some((p) => digitsOf(p).endsWith(qd.slice(-PHONE_SEARCH_DIGITS)));
  return phones.some((p) => digitsOf(p).includes(qd));
}
