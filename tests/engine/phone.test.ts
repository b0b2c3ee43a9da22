import { describe, expect, it } from 'vitest';
import { createPhoneNormalizer } from '../../engine/phone/index.ts';

const ru = createPhoneNormalizer({ defaultCountry: 'RU', replacements: [{ match: '^8(\\d{10})$', replace: '+7$1' }], format: 'e164' });

describe('built-in phone replacement', () => {
  it.each([
    ['89161234567', '+79161234567'],
    ['+7 (916) 123-45-67', '+79161234567'],
    ['9161234567', '+79161234567'],
    ['+31260010001', '+31260010001'],
  ])('turns %s into %s', (raw, expected) => {
    expect(ru(raw)).toBe(expected);
  });

  it.each(['123', 'anonymous', '', '260010001'])('leaves %j as it is when it is no possible number of the country', (raw) => {
    expect(ru(raw)).toBe(raw);
  });

  it('applies only the first matching rule, in the configured order', () => {
    const n = createPhoneNormalizer({
      defaultCountry: 'NL',
      replacements: [
        { match: '^0031', replace: '+31' },
        { match: '^\\+31', replace: 'never' },
      ],
      format: 'asis',
    });
    expect(n('0031260010001')).toBe('+31260010001');
  });

  it('keeps the replaced text as it is in asis format', () => {
    const n = createPhoneNormalizer({ defaultCountry: 'RU', replacements: [{ match: '^8(\\d{10})$', replace: '7$1' }], format: 'asis' });
    expect(n('89161234567')).toBe('79161234567');
  });
});
