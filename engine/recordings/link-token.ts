/**
 * Signed, expiring recording links: `<payload>.<signature>`, both base64url; the payload is JSON naming the
 * folder (`rec` the recordings folder, `mp3` the cache of converted files), the path inside it and the expiry
 * (seconds since the epoch); the signature is HMAC-SHA256 over the payload text, and only its canonical base64url
 * text (no padding) is accepted, compared in constant time.
 * The signature is checked before anything in the payload is read, and the expiry before the path.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkRoot = 'rec' | 'mp3';

export interface LinkPayload {
  /** Which folder the path is relative to. */
  r: LinkRoot;
  /** The path inside that folder, with / separators. */
  p: string;
  /** Expiry, seconds since the epoch. */
  e: number;
}

export type TokenCheck =
  | { ok: true; payload: LinkPayload }
  | { ok: false; code: 'RECORDING_LINK_INVALID' | 'RECORDING_LINK_EXPIRED'; detail: string };

const sign = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

export function signToken(key: Buffer, payload: LinkPayload): string {
  const text = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${text}.${sign(key, text).toString('base64url')}`;
}

export function checkToken(key: Buffer, token: string, nowMs: number): TokenCheck {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 4096) return { ok: false, code: 'RECORDING_LINK_INVALID', detail: 'it is not a hookline recording link' };
  const text = token.slice(0, dot);
  // The signature's text is compared, not its decoded bytes: Node's base64url decoder accepts padding, '+/',
  // stray characters and any value of the last character's unused bits, and one link must have one valid URL.
  const given = Buffer.from(token.slice(dot + 1), 'latin1');
  const expected = Buffer.from(sign(key, text).toString('base64url'), 'latin1');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, code: 'RECORDING_LINK_INVALID', detail: 'its signature does not match' };
  }
  let payload: LinkPayload;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as LinkPayload;
  } catch {
    return { ok: false, code: 'RECORDING_LINK_INVALID', detail: 'its content is unreadable' };
  }
  if ((payload.r !== 'rec' && payload.r !== 'mp3') || typeof payload.p !== 'string' || typeof payload.e !== 'number') {
    return { ok: false, code: 'RECORDING_LINK_INVALID', detail: 'its content is not a recording link' };
  }
  if (payload.e * 1000 <= nowMs) {
    return { ok: false, code: 'RECORDING_LINK_EXPIRED', detail: `on ${new Date(payload.e * 1000).toISOString()}` };
  }
  return { ok: true, payload };
}
