/**
 * Look-ups the autodistribution answer depends on, kept so that a call answers from memory: the client's
 * contact by phone (a hit for contactTtlMs, a miss for missTtlMs; Kommo errors are not kept) and the Kommo
 * users' names (for usersTtlMs; a failed load is tried again after missTtlMs). A look-up still running when the deadline passes goes on and fills the cache, so the client's
 * next call is answered even when Kommo is slow now. Concurrent look-ups of one phone share one request.
 */
import type { Entity } from '../../contracts/index.ts';
import { phoneKey, type KommoClient } from '../kommo/index.ts';

export interface ContactLookup {
  entity: Entity | null;
  /** Why there is no entity (no contact, Kommo error); undefined when one was found. */
  error?: string;
}

export interface LookupCacheOptions {
  kommo: Pick<KommoClient, 'findContactsByPhone' | 'findCompaniesByPhone' | 'users'>;
  contactTtlMs: number;
  missTtlMs: number;
  usersTtlMs: number;
  maxEntries: number;
  now: () => number;
}

interface Kept {
  value: ContactLookup;
  until: number;
}

export function createLookupCache(o: LookupCacheOptions) {
  const contacts = new Map<string, Kept>();
  const inFlight = new Map<string, Promise<ContactLookup>>();
  let names: { byId: Map<number, string>; until: number } | null = null;
  let namesLoading: Promise<Map<number, string>> | null = null;

  function keep(key: string, value: ContactLookup, ttl: number) {
    contacts.delete(key);
    contacts.set(key, { value, until: o.now() + ttl });
    for (const old of contacts.keys()) {
      if (contacts.size <= o.maxEntries) break;
      contacts.delete(old);
    }
  }

  async function search(phone: string, key: string, linkedid: string | undefined): Promise<ContactLookup> {
    const ctx = linkedid ? { linkedid } : undefined;
    const r = await o.kommo.findContactsByPhone(phone, ctx);
    if (!r.ok) return { entity: null, error: `Kommo did not answer the contact search for ${phone}: ${r.error.message}` };
    let c = [...r.value].sort((a, b) => a.id - b.id)[0];
    let type: 'contacts' | 'companies' = 'contacts';
    if (!c) {
      // No contact has the number: a company that has it is the client (as Kommo attaches its calls), asked only then.
      const co = await o.kommo.findCompaniesByPhone(phone, ctx);
      if (!co.ok) return { entity: null, error: `Kommo did not answer the company search for ${phone}: ${co.error.message}` };
      c = [...co.value].sort((a, b) => a.id - b.id)[0];
      type = 'companies';
    }
    const value: ContactLookup = c
      ? { entity: { id: c.id, is_new: false, name: c.name, responsible_user_id: c.responsible_user_id, type } }
      : { entity: null, error: `no contact or company in Kommo has the phone ${phone}` };
    keep(key, value, c ? o.contactTtlMs : o.missTtlMs);
    return value;
  }

  return {
    contact(phone: string, linkedid?: string): Promise<ContactLookup> {
      const key = phoneKey(phone);
      const kept = contacts.get(key);
      if (kept && kept.until > o.now()) return Promise.resolve(kept.value);
      let p = inFlight.get(key);
      if (!p) {
        p = search(phone, key, linkedid).finally(() => inFlight.delete(key));
        inFlight.set(key, p);
      }
      return p;
    },
    /**
     * The Kommo user's name, '' when unknown or Kommo is down. Only the first load is waited for; a load that
     * fails keeps the names held (none at first) for missTtlMs and is tried again after, off the call path: the
     * list gives the display name only, and a ringing caller must not wait for it at every call (a token without
     * admin rights is refused the list for good; a hanging users request would run every call into the deadline).
     */
    async userName(id: number): Promise<string> {
      if (!names || names.until <= o.now()) {
        namesLoading ??= o.kommo.users().then((r) => (r.ok ? r.value : null), () => null).then((users) => {
          if (users) names = { byId: new Map(users.map((u) => [u.id, u.name])), until: o.now() + o.usersTtlMs };
          else names = { byId: names?.byId ?? new Map<number, string>(), until: o.now() + o.missTtlMs };
          return names.byId;
        }).finally(() => {
          namesLoading = null;
        });
        // A stale list is better than waiting: it is used while the new one loads.
        if (!names) return (await namesLoading).get(id) ?? '';
      }
      return names.byId.get(id) ?? '';
    },
  };
}

export type LookupCache = ReturnType<typeof createLookupCache>;
