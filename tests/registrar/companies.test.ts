/**
 * A client known to Kommo as a company (its number on a company, on no contact): Kommo attaches the call to
 * "the contact or company" with the number, so hookline registers the call on the company and creates no
 * contact. sim/pbx (caco-inbound-queue-caller-abandon: +31150010001 calls, the queue rings, nobody answers) →
 * engine → sim/kommo, with the company seeded in the empty account.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/engine-harness.ts';

const ABANDON = 'caco-inbound-queue-caller-abandon.ami';

describe('a call from a number only a company has', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function withCompany(config: Record<string, unknown> = {}) {
    h = await startHarness({ kommo: { account: 'empty' }, config });
    const [company] = h.kommo.seedCompanies([{ name: 'Mulder Transport BV', phones: ['+31150010001'], responsible_user_id: 5_001_003 }]);
    if (!company) throw new Error('no company seeded');
    // The account had no company when the engine started, so it searched none; the 5-minute refresh of the
    // account (run here at once) sees the new one, and companies are searched from then on.
    expect(await h.engine.registrar.refreshAccount()).toEqual({ ok: true });
    return { h, company };
  }

  it('contact mode: the call log and the missed-call task go to the company; no contact is created', async () => {
    const { h, company } = await withCompany();
    await h.play(ABANDON, { fresh: true });
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true, steps: expect.arrayContaining(['company found', 'call log', 'task']) })]);
    const s = h.kommo.state();
    expect(s.contacts).toEqual([]);
    expect(s.calls).toEqual([expect.objectContaining({ entity_type: 'company', entity_id: company.id, phone: '+31150010001', direction: 'inbound' })]);
    expect(s.tasks).toEqual([expect.objectContaining({ entity_type: 'companies', entity_id: company.id, responsible_user_id: 5_001_003 })]);
    expect(s.tasks[0]?.text).toBe('Call back Mulder Transport BV on a missed call from +31150010001');
    expect(h.kommo.requests({ method: 'POST', path: '/api/v4/contacts' })).toEqual([]);
  });

  it('createLead: the lead is created linked to the company, and the call and the task follow it', async () => {
    const { h, company } = await withCompany({ registration: { createLead: true } });
    await h.play(ABANDON, { fresh: true });
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true })]);
    const s = h.kommo.state();
    expect(s.contacts).toEqual([]);
    expect(s.leads).toHaveLength(1);
    expect(s.leads[0]).toMatchObject({ company_id: company.id, responsible_user_id: 5_001_003 });
    expect(s.calls[0]).toMatchObject({ entity_type: 'lead', entity_id: s.leads[0]?.id });
    expect(s.tasks[0]).toMatchObject({ entity_type: 'leads', entity_id: s.leads[0]?.id });
  });

  it('unsorted mode: a known company is not an incoming lead; its call is logged on it', async () => {
    const { h, company } = await withCompany({ registration: { mode: 'unsorted' } });
    await h.play(ABANDON, { fresh: true });
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true })]);
    const s = h.kommo.state();
    expect(s.unsorted).toEqual([]);
    expect(s.calls).toEqual([expect.objectContaining({ entity_type: 'company', entity_id: company.id })]);
  });

  it('an account without companies is not searched for them (checked at start and with each refresh)', async () => {
    h = await startHarness({ kommo: { account: 'empty' } });
    await h.play(ABANDON, { fresh: true });
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true })]);
    // One page of one company read at start to know there are none, and the phone index's read of the list
    // (engine/phone-index); no search by phone.
    expect(h.kommo.requests({ method: 'GET', path: '/api/v4/companies' }).map((r) => r.query)).toEqual([{ page: '1', limit: '1' }, { page: '1', limit: '250', 'order[updated_at]': 'asc' }]);
    expect(h.kommo.state().contacts.map((c) => c.name)).toEqual(['Contact +31150010001']);
  });

  it('a contact with the number wins over the company, as Kommo attaches the call to it', async () => {
    const { h } = await withCompany();
    const [contact] = h.kommo.seedContacts([{ name: 'Eva Mulder', phones: ['+31150010001'], responsible_user_id: 5_001_002 }]);
    await h.play(ABANDON, { fresh: true });
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true })]);
    expect(h.kommo.state().calls).toEqual([expect.objectContaining({ entity_type: 'contact', entity_id: contact?.id })]);
    expect(h.kommo.requests({ method: 'GET', path: '/api/v4/companies' }).filter((r) => 'query' in r.query)).toEqual([]);
  });
});
