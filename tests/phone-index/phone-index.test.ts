/**
 * Issue 20: the local index of the account's phones (engine/phone-index) against sim/kommo over HTTP: built from a
 * paged account of 10,000 contacts; refreshed after "a manager" adds, edits, deletes and merges contacts; a restart
 * reuses the file in the data folder; a corrupt file is rebuilt with a warning.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKommoClient, type KommoClient } from '../../engine/kommo/index.ts';
import { createPhoneIndex, INDEX_FILE, type PhoneIndex } from '../../engine/phone-index/index.ts';
import { createMemoryLogger } from '../../log/index.ts';
import { startKommo, type KommoSim } from '../../sim/kommo/index.ts';

const N = 10_000;
const phoneOf = (i: number) => `+3120${String(2_000_000 + i)}`;

describe('the phone index of an account of 10,000 contacts (sim/kommo over HTTP)', () => {
  let sim: KommoSim;
  let kommo: KommoClient;
  let dir: string;
  const opened: PhoneIndex[] = [];
  const memory = createMemoryLogger();

  function open(): PhoneIndex {
    const ix = createPhoneIndex({ kommo, dir, account: sim.url, refreshMs: 3_600_000, saveDelayMs: 10, log: memory.log });
    opened.push(ix);
    return ix;
  }
  const fullReads = () => sim.requests({ method: 'GET', path: '/api/v4/contacts' }).filter((r) => !('filter[updated_at][from]' in r.query));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hl-phone-index-'));
    // Kommo's 7 requests a second, its window shrunk to 20 ms (the pace is not what is tested here). The account's
    // contacts were made over the last 100 seconds of its clock (100 a second), then the clock runs on as usual.
    let offset = -100_000;
    sim = await startKommo({ account: 'empty', limits: { rateWindowMs: 20 }, now: () => Date.now() + offset, maxRequestsLoggedBytes: 1 << 30 });
    for (let s = 0; s < 100; s += 1) {
      sim.seedContacts(Array.from({ length: N / 100 }, (_, j) => ({ name: `Client ${s * 100 + j}`, phones: [phoneOf(s * 100 + j)], responsible_user_id: 5_001_001 })));
      offset += 1_000;
    }
    sim.seedCompanies([{ name: 'Acme', phones: ['+31205550000'] }]);
    kommo = createKommoClient({ baseUrl: sim.url, auth: { kind: 'long-lived', token: 'sim-long-lived-token' }, rateWindowMs: 20 });
  });
  afterAll(async () => {
    for (const ix of opened) await ix.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is built from every page (250 a page, 40 pages), finds each number by its last 10 digits, and is written to the data folder', async () => {
    const ix = open();
    expect(ix.lookup(phoneOf(1))).toBeNull();
    await ix.start();
    expect(ix.status()).toMatchObject({ ready: true, contacts: N, companies: 1, lastError: null });
    const pages = fullReads();
    expect(pages).toHaveLength(N / 250);
    expect(pages.every((r) => r.query.limit === '250')).toBe(true);
    expect(ix.lookup(phoneOf(4321))).toEqual({ contacts: [{ type: 'contacts', id: 1_000_001 + 4321, name: 'Client 4321', responsible_user_id: 5_001_001 }], companies: [] });
    expect(ix.lookup('0031202004321')?.contacts.map((c) => c.id)).toEqual([1_000_001 + 4321]);
    expect(ix.lookup('+31205550000')?.companies.map((c) => c.name)).toEqual(['Acme']);
    expect(ix.lookup('+31209999999')).toEqual({ contacts: [], companies: [] });
    const file = JSON.parse(readFileSync(join(dir, INDEX_FILE), 'utf8'));
    expect([file.version, file.account, file.contacts.length, file.companies.length]).toEqual([1, sim.url, N, 1]);
    await ix.close();
  });

  it('a restart reuses the file: no full read, only what changed since (from the latest change it had seen, inclusive)', async () => {
    const before = fullReads().length;
    const changed = () => sim.requests({ method: 'GET', path: '/api/v4/contacts' }).filter((r) => 'filter[updated_at][from]' in r.query);
    const ix = open();
    await ix.start();
    expect(ix.status()).toMatchObject({ ready: true, contacts: N, companies: 1 });
    expect(fullReads()).toHaveLength(before);
    // One page: the 100 contacts of the last second it had seen are read again (Kommo's times are whole seconds).
    expect(changed()).toHaveLength(1);
    expect(memory.lines().some((l) => String(l.msg).includes('phone index read from the data folder'))).toBe(true);
    expect(ix.lookup(phoneOf(9_999))?.contacts.map((c) => c.name)).toEqual(['Client 9999']);
  });

  it('a refresh follows a contact added, edited, deleted and merged by a manager', async () => {
    const ix = opened.at(-1) as PhoneIndex;
    const [added] = sim.seedContacts([{ name: 'New client', phones: ['+31207770001'] }]);
    expect(sim.editEntity('contacts', 1_000_001 + 10, { name: 'Client 10 (moved)', phones: ['+31207770010'] })).toBe(true);
    expect(sim.deleteEntity('contacts', 1_000_001 + 20)).toBe(true);
    expect(sim.mergeEntities('contacts', 1_000_001 + 30, [1_000_001 + 31])).toBe(true);
    const r = await ix.refresh();
    expect(r.ok).toBe(true);
    expect(ix.lookup('+31207770001')?.contacts.map((c) => c.id)).toEqual([added!.id]);
    expect(ix.lookup(phoneOf(10))?.contacts).toEqual([]);
    expect(ix.lookup('+31207770010')?.contacts.map((c) => c.name)).toEqual(['Client 10 (moved)']);
    expect(ix.lookup(phoneOf(20))?.contacts).toEqual([]);
    expect(ix.lookup(phoneOf(30))?.contacts.map((c) => c.id)).toEqual([1_000_001 + 30]);
    expect(ix.lookup(phoneOf(31))?.contacts.map((c) => c.id)).toEqual([1_000_001 + 30]);
    expect(ix.status()).toMatchObject({ contacts: N + 1 - 1 - 1 });
    // The refresh read only what changed: the events, and the contacts and companies changed since.
    const last = sim.requests({ method: 'GET', path: '/api/v4/contacts' }).at(-1);
    expect(last?.query['filter[updated_at][from]']).toBeDefined();
    expect(sim.requests({ method: 'GET', path: '/api/v4/events' }).at(-1)?.query['filter[type]']).toBe('contact_deleted,company_deleted,entity_merged');
  });

  it('a corrupt file is rebuilt from Kommo, with a warning', async () => {
    for (const ix of opened.splice(0)) await ix.close();
    writeFileSync(join(dir, INDEX_FILE), '{"version":1,"account":"half a fi');
    const before = fullReads().length;
    const ix = open();
    await ix.start();
    const warning = memory.lines().find((l) => l.code === 'PHONE_INDEX_CORRUPT');
    expect(warning).toMatchObject({ level: 40 });
    expect(String(warning?.msg)).toContain('is not JSON');
    expect(String(warning?.msg)).toContain('built again from Kommo');
    expect(ix.status()).toMatchObject({ ready: true, contacts: N - 1, companies: 1 });
    expect(fullReads().length - before).toBe(Math.ceil((N - 1) / 250));
    expect(JSON.parse(readFileSync(join(dir, INDEX_FILE), 'utf8')).contacts).toHaveLength(N - 1);
  });
}, 120_000);
