/**
 * The index in memory: for contacts and for companies, entity id → {name, responsible user, phone keys} and phone
 * key → id(s). A phone key is what the registrar matches numbers by, the last 10 digits (`phoneKey`, as Kommo
 * matches calls: https://www.kommo.com/developers/content/telephony/call_logging/). Built to be small: an entity is
 * one string, "<responsible>|<key>,<key>|<name>" (one object where a record with three fields is four), and a key
 * held by one entity maps to its id, not a list (bench/suites/phone-index.ts: 100,000 contacts).
 */
import { phoneKey } from '../kommo/index.ts';

export type HolderKind = 'contacts' | 'companies';

/** What a hit gives the registrar: enough to attach a call, name a task and pick its responsible user. */
export interface IndexedEntity {
  type: HolderKind;
  id: number;
  name: string;
  responsible_user_id: number;
}

/** One entity as the index file keeps it: [id, name, responsible user, ...phone keys]. */
export type Row = [number, string, number, ...string[]];

/** An entity packed into one string: "<responsible>|<key>,<key>|<name>" (the name last: it may hold anything). */
function pack(responsible: number, keys: readonly string[], name: string): string {
  // join builds one flat string; a template literal keeps a rope of the parts (100,000 contacts: 26 MB, not 16).
  return [responsible, keys.join(','), name].join('|');
}

function unpack(packed: string): { responsible: number; keys: string[]; name: string } {
  const a = packed.indexOf('|');
  const b = packed.indexOf('|', a + 1);
  return { responsible: Number(packed.slice(0, a)), keys: packed.slice(a + 1, b).split(','), name: packed.slice(b + 1) };
}

/** The phone keys of some numbers (fewer than 3 digits is nobody's phone: the client's search skips them too). */
export function keysOfPhones(phones: readonly string[]): string[] {
  return [...new Set(phones.map(phoneKey).filter((k) => k.length >= 3))];
}

export interface Table {
  /** Adds or replaces an entity; with no phone keys it is dropped (nothing to find it by). */
  put(type: HolderKind, id: number, name: string, responsible: number, keys: readonly string[]): void;
  /** Forgets an entity; false when it was not there. */
  drop(type: HolderKind, id: number): boolean;
  /** The entities whose phones have this key, lowest id first. */
  lookup(type: HolderKind, key: string): IndexedEntity[];
  size(type: HolderKind): number;
  rows(type: HolderKind): Row[];
  clear(): void;
}

export function createTable(): Table {
  const kinds = {
    contacts: { byId: new Map<number, string>(), byKey: new Map<string, number | number[]>() },
    companies: { byId: new Map<number, string>(), byKey: new Map<string, number | number[]>() },
  };

  function unlink(byKey: Map<string, number | number[]>, key: string, id: number): void {
    const held = byKey.get(key);
    if (held === undefined) return;
    if (typeof held === 'number') {
      if (held === id) byKey.delete(key);
      return;
    }
    const rest = held.filter((x) => x !== id);
    if (rest.length === 1) byKey.set(key, rest[0] as number);
    else if (rest.length === 0) byKey.delete(key);
    else byKey.set(key, rest);
  }

  function drop(type: HolderKind, id: number): boolean {
    const k = kinds[type];
    const e = k.byId.get(id);
    if (e === undefined) return false;
    for (const key of unpack(e).keys) unlink(k.byKey, key, id);
    k.byId.delete(id);
    return true;
  }

  return {
    put(type, id, name, responsible, keys) {
      drop(type, id);
      if (keys.length === 0) return;
      const k = kinds[type];
      k.byId.set(id, pack(responsible, keys, name));
      for (const key of keys) {
        const held = k.byKey.get(key);
        if (held === undefined) k.byKey.set(key, id);
        else if (typeof held === 'number') k.byKey.set(key, held === id ? id : [held, id]);
        else if (!held.includes(id)) held.push(id);
      }
    },
    drop,
    lookup(type, key) {
      const k = kinds[type];
      const held = k.byKey.get(key);
      if (held === undefined) return [];
      const ids = typeof held === 'number' ? [held] : [...held].sort((a, b) => a - b);
      return ids.flatMap((id) => {
        const e = k.byId.get(id);
        if (e === undefined) return [];
        const u = unpack(e);
        return [{ type, id, name: u.name, responsible_user_id: u.responsible }];
      });
    },
    size: (type) => kinds[type].byId.size,
    rows(type) {
      const out: Row[] = [];
      for (const [id, e] of kinds[type].byId) {
        const u = unpack(e);
        out.push([id, u.name, u.responsible, ...u.keys]);
      }
      return out;
    },
    clear() {
      for (const k of Object.values(kinds)) {
        k.byId.clear();
        k.byKey.clear();
      }
    },
  };
}
