import { describe, expect, it } from 'vitest';
import { checkToken, signToken } from '../../engine/recordings/link-token.ts';

// One link, one valid URL: Node's base64url decoder ignores padding, '!', and the unused low bits of the last
// character, and reads '+/' as '-_'. Every variant a decoder would accept must still be refused.
const key = Buffer.alloc(32, 7);
const now = Date.UTC(2026, 0, 1);
const exp = Math.floor(now / 1000) + 3600;

function tokenWithSignature(test: (sig: string) => boolean): string {
  for (let i = 0; i < 1_000; i++) {
    const t = signToken(key, { r: 'rec', p: `2026/01/01/call-${i}.wav`, e: exp });
    if (test(t.split('.')[1] as string)) return t;
  }
  throw new Error('no signature of that shape in 1,000 tries');
}

const withSig = (token: string, f: (sig: string) => string) => {
  const [text, sig] = token.split('.') as [string, string];
  return `${text}.${f(sig)}`;
};

describe('recording links: only the exact base64url signature is accepted', () => {
  const token = tokenWithSignature((s) => /[-_]/.test(s));

  it('accepts the link as signed', () => {
    expect(checkToken(key, token, now).ok).toBe(true);
  });

  it.each([
    ['padding "="', (s: string) => `${s}=`],
    ['padding "=="', (s: string) => `${s}==`],
    ['"-_" written as "+/"', (s: string) => s.replaceAll('-', '+').replaceAll('_', '/')],
    ['a "!" inserted', (s: string) => `${s.slice(0, 10)}!${s.slice(10)}`],
    ['a space appended', (s: string) => `${s} `],
  ])('refuses the signature with %s', (_name, f) => {
    const bad = withSig(token, f);
    expect(bad).not.toBe(token);
    expect(checkToken(key, bad, now)).toEqual({ ok: false, code: 'RECORDING_LINK_INVALID', detail: 'its signature does not match' });
  });

  it('refuses every other last character, including the three that decode to the same bytes', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = token.at(-1) as string;
    const accepted = [...alphabet].filter((ch) => checkToken(key, `${token.slice(0, -1)}${ch}`, now).ok);
    expect(accepted).toEqual([last]);
  });
});
