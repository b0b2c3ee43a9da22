/**
 * The click-to-call token check. Both sides are hashed first so the comparison is constant-time whatever the
 * lengths (timingSafeEqual needs equal lengths, and comparing lengths first would leak the token's length).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** The token from `Authorization: Bearer <token>`, or null when the header is absent or of another scheme. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? (m[1] as string) : null;
}

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
