/**
 * createPhoneIndex: a copy of the phones of the account's contacts and companies, so that a call from a known
 * client costs no phone search (issue 20). Built once by reading every contact and company (250 a page), kept in
 * the data folder (file.ts) so a restart reuses it, and kept fresh three ways:
 *   - every `refreshMs`, what changed since the last read: the deletions and merges (the events list, where an
 *     entity gone from the lists still shows) and the contacts and companies changed since (`filter[updated_at]`);
 *   - what hookline itself writes (the registrar puts a contact it creates, or finds by a live search);
 *   - what Kommo refuses: a write for an entity that was deleted or merged drops it (the registrar searches again).
 * A miss is never trusted alone: the registrar confirms it with one live search before it creates a contact, so a
 * contact a manager added seconds ago is not duplicated. docs/design/phone-index.md.
 */
import type { Logger } from '../../log/index.ts';
import type { KommoClient, KommoContact } from '../kommo/index.ts';
import { readIndexFile, writeIndexFile, type IndexFile } from './file.ts';
import { createTable, keysOfPhones, type HolderKind, type IndexedEntity } from './table.ts';

/** The event types that say a contact or company left the lists (events page; an `entity_merged` one is read again). */
export const GONE_EVENTS = ['contact_deleted', 'company_deleted', 'entity_merged'];

export interface PhoneIndexOptions {
  kommo: KommoClient;
  /** The data folder the index file lives in; null keeps it in memory only. */
  dir: string | null;
  /** Which Kommo account (its base URL): a file written for another is not reused. */
  account: string;
  /** How often what changed is read. Default 60 s (config `registration.phoneIndex.refreshSeconds`). */
  refreshMs?: number;
  /** How long the file waits after hookline's own changes before it is written again. Default 5 s. */
  saveDelayMs?: number;
  log: Logger;
  /** ms since the epoch. Default Date.now. */
  now?: () => number;
}

export interface PhoneIndexStatus {
  ready: boolean;
  /** Contacts and companies held (an entity counts once, whatever its number of phones). */
  contacts: number;
  companies: number;
  /** When the full read finished, when what changed was last read (ms since the epoch), and how old the index is. */
  builtAt: number | null;
  refreshedAt: number | null;
  ageMs: number | null;
  /** Calls answered from the index; misses (each confirmed by one live search), and those the search found after all. */
  hits: number;
  missesConfirmed: number;
  missesFound: number;
  /** Entities dropped because Kommo refused a write for them (deleted or merged since). */
  dropped: number;
  lastError: string | null;
}

export interface PhoneIndexHit {
  contacts: IndexedEntity[];
  companies: IndexedEntity[];
}

export interface PhoneIndex {
  /** Reads the file, or builds the index from Kommo; then reads what changed every refreshMs. Resolves once ready or failed (then retried at each tick). */
  start(): Promise<void>;
  ready(): boolean;
  /** The contacts and companies with this number (lowest id first), or null while the index is not ready. */
  lookup(phone: string, ctx?: { linkedid?: string }): PhoneIndexHit | null;
  /** An entity as Kommo has it now (hookline created it, or a live search found it). */
  put(type: HolderKind, entity: Pick<KommoContact, 'id' | 'name' | 'responsible_user_id'> & { custom_fields_values?: KommoContact['custom_fields_values'] }, phones?: string[]): void;
  /** Kommo refused a write for this entity (deleted or merged): forgotten. */
  drop(type: HolderKind, id: number): void;
  /** A miss was confirmed by a live search; `found`: the search found the client after all. */
  missChecked(found: boolean): void;
  /** Reads what changed now (single-flight). */
  refresh(): Promise<{ ok: true; changed: number } | { ok: false; error: string }>;
  status(): PhoneIndexStatus;
  /** Forgets everything and builds again from Kommo (in the background; calls are searched for meanwhile): another account, or one reset. */
  reset(): Promise<void>;
  /** Stops the timer and writes the file if hookline's own changes are not in it yet (a running refresh is not waited for). */
  close(): Promise<void>;
}

/** The phone numbers in an entity's PHONE field. */
export function phonesOf(e: { custom_fields_values?: KommoContact['custom_fields_values'] }): string[] {
  return (e.custom_fields_values ?? []).filter((f) => f.field_code === 'PHONE').flatMap((f) => f.values.map((v) => String(v.value ?? '')));
}

export function createPhoneIndex(o: PhoneIndexOptions): PhoneIndex {
  const log = o.log.child({ module: 'phone-index' });
  const now = o.now ?? Date.now;
  const refreshMs = o.refreshMs ?? 60_000;
  const table = createTable();
  const ctx = { linkedid: undefined };
  let isReady = false;
  let builtAt: number | null = null;
  let refreshedAt: number | null = null;
  let cursor = { contacts: 0, companies: 0, events: 0 };
  const counts = { hits: 0, missesConfirmed: 0, missesFound: 0, dropped: 0 };
  let lastError: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let saveTimer: NodeJS.Timeout | null = null;
  let dirty = false;
  let closed = false;
  let running: Promise<{ ok: true; changed: number } | { ok: false; error: string }> | null = null;
  let saving: Promise<void> = Promise.resolve();
  /** The file being read at start: a refresh asked meanwhile waits for it (else it would build what the file holds). */
  let loading: Promise<void> = Promise.resolve();

  function putEntity(type: HolderKind, e: { id: number; name: string; responsible_user_id: number; custom_fields_values?: KommoContact['custom_fields_values'] }, phones?: string[]): void {
    table.put(type, e.id, e.name, e.responsible_user_id, keysOfPhones(phones ?? phonesOf(e)));
  }

  function fileOf(): IndexFile {
    return {
      version: 1, account: o.account, builtAt: builtAt ?? 0, refreshedAt: refreshedAt ?? builtAt ?? 0, cursor: { ...cursor },
      missesConfirmed: counts.missesConfirmed, contacts: table.rows('contacts'), companies: table.rows('companies'),
    };
  }

  function save(final = false): Promise<void> {
    // After close() only close's own write: a build still running when the engine stopped writes nothing.
    if (!o.dir || !isReady || (closed && !final)) return saving;
    const dir = o.dir;
    dirty = false;
    saving = saving.then(() => writeIndexFile(dir, fileOf())).catch((e: unknown) => {
      dirty = true;
      log.warn({ err: String(e) }, 'the phone index could not be written to the data folder; it is kept in memory and written again later');
    });
    return saving;
  }

  function saveSoon(): void {
    dirty = true;
    if (saveTimer || closed) return;
    saveTimer = setTimeout(() => {
      saveTimer = null;
      void save();
    }, o.saveDelayMs ?? 5_000);
    saveTimer.unref();
  }

  /** Every contact and company, read whole. */
  async function build(): Promise<{ ok: true; changed: number } | { ok: false; error: string }> {
    const started = now();
    const fresh = createTable();
    const next = { contacts: 0, companies: 0, events: 0 };
    for (const type of ['contacts', 'companies'] as const) {
      const r = await o.kommo.phoneHolders(type, null, (page) => {
        for (const e of page) {
          fresh.put(type, e.id, e.name, e.responsible_user_id, keysOfPhones(phonesOf(e)));
          next[type] = Math.max(next[type], e.updated_at ?? 0);
        }
      }, ctx);
      if (!r.ok) return { ok: false, error: r.error.message };
    }
    // Deletions are read from the latest change seen on, in Kommo's clock (hookline's may differ): an account in use
    // changes every minute, so that is about now; one idle for long has few events since, read once.
    next.events = Math.max(next.contacts, next.companies);
    table.clear();
    for (const type of ['contacts', 'companies'] as const) for (const [id, name, resp, ...keys] of fresh.rows(type)) table.put(type, id, name, resp, keys);
    cursor = next;
    builtAt = now();
    refreshedAt = builtAt;
    isReady = true;
    log.info({ contacts: table.size('contacts'), companies: table.size('companies'), ms: Math.round(builtAt - started) }, 'phone index built from Kommo');
    await save();
    return { ok: true, changed: table.size('contacts') + table.size('companies') };
  }

  /** What changed since the cursor: deletions and merges first, then the contacts and companies changed since. */
  async function update(): Promise<{ ok: true; changed: number } | { ok: false; error: string }> {
    let changed = 0;
    const events = await o.kommo.events(GONE_EVENTS, cursor.events, ctx);
    if (!events.ok) return { ok: false, error: events.error.message };
    for (const e of events.value) {
      // An entity_merged may name the entity kept: it is dropped here and read again below (its updated_at moved).
      if (table.drop(e.entity_type === 'company' ? 'companies' : 'contacts', e.entity_id)) changed += 1;
      cursor.events = Math.max(cursor.events, e.created_at);
    }
    for (const type of ['contacts', 'companies'] as const) {
      let latest = cursor[type];
      const r = await o.kommo.phoneHolders(type, cursor[type], (page) => {
        for (const e of page) {
          putEntity(type, e);
          latest = Math.max(latest, e.updated_at ?? 0);
          changed += 1;
        }
      }, ctx);
      if (!r.ok) return { ok: false, error: r.error.message };
      cursor[type] = latest;
    }
    refreshedAt = now();
    if (changed > 0) await save();
    return { ok: true, changed };
  }

  /** The index file, when there is a usable one. */
  async function load(): Promise<void> {
    if (!o.dir) return;
    const f = await readIndexFile(o.dir, o.account);
    if (f.kind === 'ok') {
      for (const type of ['contacts', 'companies'] as const) for (const [id, name, resp, ...keys] of f.file[type]) table.put(type, id, name, resp, keys);
      cursor = { ...f.file.cursor };
      builtAt = f.file.builtAt;
      refreshedAt = f.file.refreshedAt;
      counts.missesConfirmed = f.file.missesConfirmed;
      isReady = true;
      log.info({ contacts: table.size('contacts'), companies: table.size('companies') }, 'phone index read from the data folder; what changed in Kommo since is read now');
    } else if (f.kind === 'corrupt') {
      log.warn({ code: 'PHONE_INDEX_CORRUPT' }, `the phone index file in the data folder ${f.reason}; it is built again from Kommo (one read of every contact and company)`);
    } else if (f.kind === 'stale') {
      log.info(`the phone index file in the data folder ${f.reason}; it is built again from Kommo`);
    }
  }

  function refresh(): Promise<{ ok: true; changed: number } | { ok: false; error: string }> {
    running ??= (async () => {
      await loading;
      const r = isReady ? await update() : await build();
      lastError = r.ok ? null : r.error;
      if (!r.ok) log.warn({ error: r.error, ready: isReady }, isReady ? 'the phone index could not read what changed in Kommo; it is tried again at the next refresh' : 'the phone index could not be built from Kommo; calls are looked up by a live search until it is');
      return r;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    async start() {
      loading = load();
      await loading;
      timer ??= setInterval(() => void refresh(), refreshMs);
      timer.unref();
      await refresh();
    },
    ready: () => isReady,
    lookup(phone) {
      if (!isReady) return null;
      const key = keysOfPhones([phone])[0];
      if (key === undefined) return { contacts: [], companies: [] };
      const hit = { contacts: table.lookup('contacts', key), companies: table.lookup('companies', key) };
      if (hit.contacts.length > 0 || hit.companies.length > 0) counts.hits += 1;
      return hit;
    },
    put(type, entity, phones) {
      if (!isReady) return;
      putEntity(type, entity, phones);
      saveSoon();
    },
    drop(type, id) {
      if (table.drop(type, id)) {
        counts.dropped += 1;
        saveSoon();
      }
    },
    missChecked(found) {
      counts.missesConfirmed += 1;
      if (found) counts.missesFound += 1;
    },
    refresh,
    status() {
      const t = now();
      return {
        ready: isReady, contacts: table.size('contacts'), companies: table.size('companies'), builtAt, refreshedAt,
        ageMs: refreshedAt === null ? null : t - refreshedAt, ...counts, lastError,
      };
    },
    async reset() {
      isReady = false;
      table.clear();
      builtAt = null;
      refreshedAt = null;
      cursor = { contacts: 0, companies: 0, events: 0 };
      await running?.catch(() => undefined);
      // A refresh that was running may have put entries meanwhile: the build replaces them all.
      await refresh();
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      if (saveTimer) clearTimeout(saveTimer);
      timer = null;
      saveTimer = null;
      // A build or refresh still running is not waited for (a build of a large account takes minutes at Kommo's
      // pace): what it had not finished is read again at the next start.
      if (dirty) await save(true);
      await saving;
    },
  };
}
