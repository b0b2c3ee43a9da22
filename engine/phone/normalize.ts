/**
 * The built-in automatic replacement of the client's number, applied before process_client_phone:
 * the configured rules in order (default 8XXXXXXXXXX → +7XXXXXXXXXX), then, in `e164` format, any number
 * libphonenumber can read as possible for the default country becomes +<country><number>.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export interface PhoneRules {
  defaultCountry: string;
  replacements: { match: string; replace: string }[];
  format: 'e164' | 'asis';
}

export interface PhoneNormalizer {
  (raw: string): string;
}

export function createPhoneNormalizer(rules: PhoneRules): PhoneNormalizer {
  // Compiled once: the config loader already checked that each pattern compiles.
  const compiled = rules.replacements.map((r) => ({ re: new RegExp(r.match), replace: r.replace }));
  const country = rules.defaultCountry as CountryCode;
  return (raw: string) => {
    let phone = raw.trim();
    for (const r of compiled) {
      if (r.re.test(phone)) {
        phone = phone.replace(r.re, r.replace);
        break;
      }
    }
    if (rules.format === 'e164' && /^\+?[\d\s()-]{5,}$/.test(phone)) {
      const parsed = parsePhoneNumberFromString(phone, country);
      if (parsed?.isPossible()) return parsed.number;
    }
    return phone;
  };
}
