/**
 * A click-to-call request as the widget sends it: {"number", "user_id"} (JSON or a form). Everything is
 * checked here, before anything reaches the hook or AMI: a control character anywhere in the request (CR/LF
 * would end an AMI header and start another, or a whole action) refuses it.
 */

// C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export interface ClickRequest {
  /** The number to dial, as the dialplan gets it: the clicked number without spaces, dashes, dots or brackets. */
  number: string;
  userId: number;
  /** The request as received, for the hook's request_data. */
  requestData: Record<string, unknown>;
}

export type Checked = { ok: true; value: ClickRequest } | { ok: false; detail: string };

/** The path of the first string (or key) holding a control character, or null. */
export function controlCharAt(value: unknown, path = 'the request', depth = 0): string | null {
  if (depth > 8) return null;
  if (typeof value === 'string') return CONTROL.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = controlCharAt(value[i], `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (CONTROL.test(k)) return `a key of ${path}`;
      const p = controlCharAt(v, path === 'the request' ? k : `${path}.${k}`, depth + 1);
      if (p) return p;
    }
  }
  return null;
}

/**
 * What a number may look like once spaces, dashes, dots and brackets are taken out, unless clickToCall.dialable
 * says otherwise: digits with an optional leading +. No `*` or `#`: with them a token holder could dial the
 * PBX's feature codes (`*21*<number>#` forwards the user's phone, `*97` opens voicemail) as the user.
 * Kept in step with the default of clickToCall.dialable in config/schema.ts.
 */
export const DEFAULT_DIALABLE = '^\\+?[0-9]{1,32}$';

export function checkRequest(body: unknown, dialable: RegExp = new RegExp(DEFAULT_DIALABLE)): Checked {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, detail: 'the body is not an object; send {"number": "…", "user_id": …}' };
  const b = body as Record<string, unknown>;
  const bad = controlCharAt(b);
  if (bad) return { ok: false, detail: `${bad} contains a control character (CR, LF or another); nothing was sent to Asterisk` };
  if (typeof b.number !== 'string' && typeof b.number !== 'number') return { ok: false, detail: 'number is missing (a string such as "+31201234567")' };
  const number = String(b.number).replace(/[\s().-]/g, '');
  if (!dialable.test(number)) {
    return { ok: false, detail: `number ${JSON.stringify(String(b.number))} is not a phone number hookline may dial: after removing spaces, dashes, dots and brackets it must match clickToCall.dialable (${dialable.source})` };
  }
  const rawUser = b.user_id;
  const userId = typeof rawUser === 'number' ? rawUser : typeof rawUser === 'string' && /^\d{1,15}$/.test(rawUser.trim()) ? Number(rawUser.trim()) : NaN;
  if (!Number.isSafeInteger(userId) || userId < 1) return { ok: false, detail: `user_id ${JSON.stringify(rawUser ?? null)} is not a Kommo user id (a positive whole number)` };
  return { ok: true, value: { number, userId, requestData: { ...b } } };
}
