import { describe, expect, it } from 'vitest';
import { clientFor, makeClock, sent, startSim } from './helpers.ts';

const SEARCH = 'GET /api/v4/contacts';

describe('engine/kommo: phone -> contact cache', () => {
  it('finds the contact by its number', async () => {
    const sim = await startSim();
    const r = await clientFor(sim).findContactsByPhone('+31150010001');
    expect(r.ok && r.value.map((c) => c.id)).toEqual([1000002]);
  });

  it('answers [] when Kommo has nobody (204)', async () => {
    const sim = await startSim();
    expect(await clientFor(sim).findContactsByPhone('+31150010004')).toEqual({ ok: true, value: [] });
  });

  it('answers a second search for the same number without a request', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    await kommo.findContactsByPhone('+31150010001');
    const again = await kommo.findContactsByPhone('0031150010001');
    expect([again.ok && again.value.map((c) => c.id), sent(sim, SEARCH)]).toEqual([[1000002], 1]);
  });

  it('shares one request among concurrent searches for one number', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    await Promise.all(Array.from({ length: 10 }, () => kommo.findContactsByPhone('+31260010001')));
    expect(sent(sim, SEARCH)).toBe(1);
  });

  it('forgets a number when hookline creates a contact with it', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    await kommo.findContactsByPhone('+31150010004');
    const [added] = await kommo.addContacts([{ name: 'New', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+31150010004', enum_code: 'WORK' }] }] }]);
    const r = await kommo.findContactsByPhone('+31150010004');
    expect([r.ok && r.value.map((c) => c.id), sent(sim, SEARCH)]).toEqual([[added?.ok ? added.value.id : -1], 2]);
  });

  it('adds a contact hookline creates to the answer it holds for that number: the next call needs no search', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    expect(await kommo.findContactsByPhone('+31150010004')).toEqual({ ok: true, value: [] });
    const body = { name: 'Contact +31150010004', responsible_user_id: 5001003, custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+31150010004', enum_code: 'WORK' }] }] };
    const [added] = await kommo.addContacts([body]);
    const id = added?.ok ? added.value.id : -1;
    const r = await kommo.findContactsByPhone('0031150010004');
    expect(r).toEqual({ ok: true, value: [{ id, name: 'Contact +31150010004', responsible_user_id: 5001003, custom_fields_values: body.custom_fields_values, _embedded: { leads: [] } }] });
    expect(sent(sim, SEARCH)).toBe(1);
    // What Kommo holds agrees with the cached answer on what the registrar reads.
    const real = sim.state().contacts.find((c) => c.id === id);
    expect({ id: real?.id, name: real?.name, responsible_user_id: real?.responsible_user_id }).toEqual({ id, name: body.name, responsible_user_id: 5001003 });
  });

  it('forgets the number instead when it held no answer for it, or the create failed', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim, { retry: { retries: 0, baseMs: 1, maxMs: 1 } });
    const body = (phone: string) => ({ name: `Contact ${phone}`, responsible_user_id: 5001003, custom_fields_values: [{ field_code: 'PHONE', values: [{ value: phone, enum_code: 'WORK' }] }] });
    // No search before: nothing cached, so nothing is assumed about who else has the number.
    await kommo.addContacts([body('+31150010005')]);
    await kommo.findContactsByPhone('+31150010005');
    expect(sent(sim, SEARCH)).toBe(1);
    // A create Kommo refuses (an unknown responsible user): the cached "nobody" is dropped, not extended.
    await kommo.findContactsByPhone('+31150010006');
    const [refused] = await kommo.addContacts([{ ...body('+31150010006'), responsible_user_id: 999 }]);
    expect(refused?.ok).toBe(false);
    await kommo.findContactsByPhone('+31150010006');
    expect(sent(sim, SEARCH)).toBe(3);
  });

  it('forgets the entries holding a contact hookline updates', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    await kommo.findContactsByPhone('+31150010001');
    await kommo.updateContacts([{ id: 1000002, responsible_user_id: 5001004 }]);
    const r = await kommo.findContactsByPhone('+31150010001');
    expect([r.ok && r.value[0]?.responsible_user_id, sent(sim, SEARCH)]).toEqual([5001004, 2]);
  });

  it('asks Kommo again once the entry is older than the TTL', async () => {
    const clock = makeClock();
    const sim = await startSim();
    const kommo = clientFor(sim, { now: clock.now, phoneCacheTtlMs: 30_000 });
    await kommo.findContactsByPhone('+31150010001');
    clock.advance(30_000);
    await kommo.findContactsByPhone('+31150010001');
    expect(sent(sim, SEARCH)).toBe(2);
  });

  it('keeps only contacts whose number ends in the same digits (the search itself matches substrings)', async () => {
    const sim = await startSim();
    sim.seedContacts([{ name: 'Longer', phones: ['+31612300123'] }]);
    const r = await clientFor(sim).findContactsByPhone('123');
    expect(r.ok && r.value.map((c) => c.name)).toEqual(['Trunk test line']);
  });
});

describe('engine/kommo: companies by phone', () => {
  it('finds the company that has the number (a contact search does not), cached like contacts', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    expect(await kommo.findContactsByPhone('+31201234567')).toEqual({ ok: true, value: [] });
    const r = await kommo.findCompaniesByPhone('0031201234567');
    expect(r.ok && r.value.map((c) => [c.id, c.name, c.responsible_user_id])).toEqual([[6_000_001, 'Acme Logistics BV', 5_001_004]]);
    await kommo.findCompaniesByPhone('+31201234567');
    expect(sent(sim, 'GET /api/v4/companies')).toBe(1);
    const one = await kommo.getCompany(6_000_001);
    expect(one.ok && one.value?.name).toBe('Acme Logistics BV');
    // forgetPhone drops the company answer too.
    kommo.forgetPhone('+31201234567');
    await kommo.findCompaniesByPhone('+31201234567');
    expect(sent(sim, 'GET /api/v4/companies')).toBe(2);
  });
});
