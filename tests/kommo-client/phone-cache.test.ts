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
