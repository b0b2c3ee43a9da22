/**
 * phone → contacts found, for a short time, so that a burst of calls from one number costs one search.
 * Keys are the last 10 digits, the part Kommo matches calls by
 * (https://www.kommo.com/developers/content/telephony/call_logging/). An entry goes when it is older than
 * the TTL, when hookline changes a contact with that phone or one the entry holds, or when it learns the entry
 * is out of date; the next search then asks Kommo again. A contact hookline creates joins the entry of its
 * phone (client.ts addContacts). Concurrent searches for one key share one request.
 */
import type { KommoContact } from './kommo-types.ts';

const MATCH_DIGITS = 10;

export function phoneKey(phone: string): string {
  return phone.replace(/\D+/g, '').slice(-MATCH_DIGITS);
}

export interface PhoneCacheOptions {
  ttlMs: number;
  /** Oldest entries go first past this size. Default 10,000. */
  maxEntries?: number;
  now: () => number;
}

export interface PhoneCache {
  get(key: string): KommoContact[] | undefined;
  set(key: string, contacts: KommoContact[]): void;
  /** Drops the entries of these phone numbers. */
  forgetPhones(phones: string[]): void;
  /** Drops the entries that hold any of these contacts. */
  forgetContacts(ids: number[]): void;
  clear(): void;
  size(): number;
}

export function createPhoneCache(options: PhoneCacheOptions): PhoneCache {
  const max = options.maxEntries ?? 10_000;
  const entries = new Map<string, { at: number; contacts: KommoContact[] }>();
  return {
    get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      if (options.now() - e.at >= options.ttlMs) {
        entries.delete(key);
        return undefined;
      }
      return structuredClone(e.contacts);
    },
    set(key, contacts) {
      entries.delete(key);
      entries.set(key, { at: options.now(), contacts: structuredClone(contacts) });
      while (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
    forgetPhones(phones) {
      for (const p of phones) entries.delete(phoneKey(p));
    },
    forgetContacts(ids) {
      const set = new Set(ids);
      for (const [k, e] of entries) if (e.contacts.some((c) => set.has(c.id))) entries.delete(k);
    },
    clear: () => entries.clear(),
    size: () => entries.size,
  };
}
