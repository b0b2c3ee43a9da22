import { describe, expect, it } from 'vitest';
import { COMPANY_PHONE_FIELD_ID, STATUS_WON } from '../../sim/kommo/index.ts';
import { call, contactWithPhone, useKommo } from './helpers.ts';

function callLog(phone: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { direction: 'inbound', duration: 42, source: 'hookline', phone, uniq: '1715000100.2', call_status: 4, ...extra };
}

const ACME = 6_000_001;

describe('sim/kommo companies', () => {
  const k = useKommo();

  it('finds the demo company by the last 10 digits of its phone and by the full number', async () => {
    const byDigits = await k.api('GET', '/api/v4/companies?query=1201234567&with=leads');
    expect(byDigits.status).toBe(200);
    expect(byDigits.body._embedded.companies).toHaveLength(1);
    expect(byDigits.body._embedded.companies[0]).toMatchObject({
      id: ACME, name: 'Acme Logistics BV', responsible_user_id: 5_001_004,
      custom_fields_values: [{ field_id: COMPANY_PHONE_FIELD_ID, field_name: 'Phone', field_code: 'PHONE', field_type: 'multitext', values: [{ value: '+31201234567', enum_id: 140_021, enum: 'WORK' }] }],
      _links: { self: { href: `${k.sim.url}/api/v4/companies/${ACME}` } },
      _embedded: { tags: [], leads: [] },
    });
    const full = await k.api('GET', `/api/v4/companies?query=${encodeURIComponent('+31201234567')}`);
    expect(full.body._embedded.companies.map((c: { id: number }) => c.id)).toEqual([ACME]);
    expect(full.body._links.self.href).toContain('/api/v4/companies?');
  });

  it('is not found by a contact search, and a search that matches nothing answers 204', async () => {
    expect((await k.api('GET', '/api/v4/contacts?query=1201234567')).status).toBe(204);
    const r = await k.api('GET', '/api/v4/companies?query=9999999999');
    expect([r.status, r.text]).toEqual([204, '']);
  });

  it('gets a company by id, with its leads when asked; 204 for an id that does not exist, as for contacts', async () => {
    k.sim.seedLeads([{ name: 'Acme: fleet deal', company_id: ACME }]);
    const r = await k.api('GET', `/api/v4/companies/${ACME}?with=leads`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: ACME, name: 'Acme Logistics BV', account_id: 31_000_001, is_deleted: false });
    expect(r.body._embedded.leads).toEqual([{ id: 2_000_002, _links: { self: { href: `${k.sim.url}/api/v4/leads/2000002` } } }]);
    const lead = await k.api('GET', '/api/v4/leads/2000002');
    expect(lead.body._embedded.companies).toEqual([{ id: ACME, _links: { self: { href: `${k.sim.url}/api/v4/companies/${ACME}` } } }]);
    const missing = await k.api('GET', '/api/v4/companies/6000999');
    expect([missing.status, missing.text]).toEqual([204, '']);
  });

  it('attaches a call whose phone only a company has to the company, and shows it as a note on it', async () => {
    const r = await k.api('POST', '/api/v4/calls', [callLog('0031201234567', { request_id: 'c' })]);
    expect(r.status).toBe(200);
    expect(r.body._embedded.calls).toEqual([{
      id: 3_000_001, entity_id: ACME, entity_type: 'company', account_id: 31_000_001, request_id: 'c',
      _embedded: { entity: { id: ACME, _links: { self: { href: `${k.sim.url}/api/v4/companies/${ACME}` } } } },
    }]);
    expect(k.sim.state().calls[0]).toMatchObject({ entity_type: 'company', entity_id: ACME, phone: '0031201234567' });
    const notes = await k.api('GET', `/api/v4/companies/${ACME}/notes?filter[note_type]=call_in`);
    expect(notes.status).toBe(200);
    expect(notes.body._embedded.notes).toEqual([expect.objectContaining({ id: 3_000_001, entity_id: ACME, note_type: 'call_in', params: expect.objectContaining({ phone: '0031201234567', duration: 42, uniq: '1715000100.2' }) })]);
    expect(notes.body._links.self.href).toContain(`/api/v4/companies/${ACME}/notes?`);
    expect((await k.api('GET', '/api/v4/companies/6000999/notes')).status).toBe(204);
  });

  it('attaches the call to the company\'s only active lead, and to the company again once it is closed', async () => {
    const [lead] = k.sim.seedLeads([{ name: 'Acme: fleet deal', company_id: ACME }]);
    const first = await k.api('POST', '/api/v4/calls', [callLog('+31201234567')]);
    expect(first.body._embedded.calls[0]).toMatchObject({ entity_id: lead?.id, entity_type: 'lead' });
    await k.api('PATCH', `/api/v4/leads/${lead?.id}`, { status_id: STATUS_WON });
    const second = await k.api('POST', '/api/v4/calls', [callLog('+31201234567')]);
    expect(second.body._embedded.calls[0]).toMatchObject({ entity_id: ACME, entity_type: 'company' });
  });

  it('links a lead created with _embedded.companies to the company (one at most): the company\'s call goes to it', async () => {
    const two = await k.api('POST', '/api/v4/leads', [{ name: 'Two', _embedded: { companies: [{ id: ACME }, { id: ACME }] } }]);
    expect(two.status).toBe(400);
    const unknown = await k.api('POST', '/api/v4/leads', [{ name: 'Nobody', _embedded: { companies: [{ id: 6_999_999 }] } }]);
    expect(unknown.status).toBe(400);
    const r = await k.api('POST', '/api/v4/leads', [{ name: 'Acme renewal', _embedded: { companies: [{ id: ACME }] } }]);
    expect(r.status).toBe(200);
    const id = r.body._embedded.leads[0].id as number;
    const company = await k.api('GET', `/api/v4/companies/${ACME}?with=leads`);
    expect(company.body._embedded.leads.map((l: { id: number }) => l.id)).toEqual([id]);
    const logged = await k.api('POST', '/api/v4/calls', [callLog('+31201234567')]);
    expect(logged.body._embedded.calls[0]).toMatchObject({ entity_type: 'lead', entity_id: id });
  });

  it('prefers a contact with the same phone over the company', async () => {
    const c = await k.api('POST', '/api/v4/contacts', [contactWithPhone('Piet at Acme', '+31201234567')]);
    const contactId = c.body._embedded.contacts[0].id;
    const r = await k.api('POST', '/api/v4/calls', [callLog('+31201234567')]);
    expect(r.body._embedded.calls[0]).toMatchObject({ entity_id: contactId, entity_type: 'contact' });
    expect((await k.api('GET', `/api/v4/companies/${ACME}/notes`)).status).toBe(204);
  });

  it('keeps the "Entity not found" answer when neither a contact nor a company has the phone', async () => {
    const r = await k.api('POST', '/api/v4/calls', [callLog('+49301234567')]);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ _total_items: 0, errors: [{ title: 'Entity not found', status: 263 }] });
  });

  it('takes a task on a company and lists it by entity; an unknown company id is refused', async () => {
    const r = await k.api('POST', '/api/v4/tasks', [{ text: 'Call Acme back', complete_till: 1_736_200_000, entity_type: 'companies', entity_id: ACME }]);
    expect(r.status).toBe(200);
    const list = await k.api('GET', `/api/v4/tasks?filter[entity_type]=companies&filter[entity_id][]=${ACME}`);
    expect(list.body._embedded.tasks).toEqual([expect.objectContaining({ text: 'Call Acme back', entity_type: 'companies', entity_id: ACME })]);
    expect((await k.api('GET', '/api/v4/tasks?filter[entity_type]=contacts&filter[entity_id][]=6000001')).status).toBe(204);
    const bad = await k.api('POST', '/api/v4/tasks', [{ text: 'x', complete_till: 1_736_200_000, entity_type: 'companies', entity_id: 6_000_999 }]);
    expect(bad.status).toBe(400);
    expect(bad.body['validation-errors'][0].errors).toEqual([{ code: 'NotSupportedChoice', path: 'entity_id', detail: 'The value you selected is not a valid choice.' }]);
  });

  it('seeds companies through the control route and the programmatic API', async () => {
    const r = await call(`${k.sim.url}/__sim/companies`, 'POST', [{ name: 'Routed BV', phones: ['+31301112233'] }], { token: null });
    expect(r.status).toBe(201);
    expect(r.body).toEqual([expect.objectContaining({ id: 6_000_002, name: 'Routed BV' })]);
    const [c] = k.sim.seedCompanies([{ name: 'Seeded BV', phones: [{ value: '+31301112244', enum: 'MOB' }] }]);
    expect(c?.id).toBe(6_000_003);
    expect(c?.custom_fields_values?.[0]?.values).toEqual([{ value: '+31301112244', enum_id: 140_023, enum: 'MOB' }]);
    const found = await k.api('GET', '/api/v4/companies?query=30111');
    expect(found.body._embedded.companies.map((x: { name: string }) => x.name)).toEqual(['Routed BV', 'Seeded BV']);
    const refused = await call(`${k.sim.url}/__sim/companies`, 'POST', { name: 'not an array' }, { token: null });
    expect(refused.status).toBe(400);
    expect(k.sim.state().companies.map((x) => x.id)).toEqual([ACME, 6_000_002, 6_000_003]);
  });

  it('lists the companies\' own PHONE field on /api/v4/companies/custom_fields, apart from the contacts\' fields', async () => {
    const r = await k.api('GET', '/api/v4/companies/custom_fields');
    expect(r.status).toBe(200);
    expect(r.body._embedded.custom_fields).toEqual([expect.objectContaining({
      id: COMPANY_PHONE_FIELD_ID, code: 'PHONE', type: 'multitext', entity_type: 'companies',
      _links: { self: { href: `${k.sim.url}/api/v4/companies/custom_fields/${COMPANY_PHONE_FIELD_ID}` } },
    })]);
    const contacts = await k.api('GET', '/api/v4/contacts/custom_fields');
    expect(contacts.body._embedded.custom_fields.map((f: { id: number }) => f.id)).toEqual([264_001, 264_003]);
  });

  it('adds and updates companies with the companies\' PHONE field, validated like contacts', async () => {
    const add = await k.api('POST', '/api/v4/companies', [{ name: 'New BV', request_id: 'n', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+31205550000', enum_code: 'WORK' }] }] }]);
    expect(add.status).toBe(200);
    expect(add.body._embedded.companies).toEqual([{ id: 6_000_002, request_id: 'n', _links: { self: { href: `${k.sim.url}/api/v4/companies/6000002` } } }]);
    const upd = await k.api('PATCH', '/api/v4/companies', [{ id: 6_000_002, name: 'New BV renamed', responsible_user_id: 5_001_003 }]);
    expect(upd.body._embedded.companies[0]).toMatchObject({ id: 6_000_002, name: 'New BV renamed' });
    const stored = k.sim.state().companies.find((c) => c.id === 6_000_002);
    expect(stored).toMatchObject({ name: 'New BV renamed', responsible_user_id: 5_001_003 });
    expect(stored?.custom_fields_values?.[0]).toMatchObject({ field_id: COMPANY_PHONE_FIELD_ID, values: [{ value: '+31205550000', enum_id: 140_021, enum: 'WORK' }] });
    const wrongField = await k.api('POST', '/api/v4/companies', [{ name: 'x', custom_fields_values: [{ field_id: 264_001, values: [{ value: '+31200000000' }] }] }]);
    expect(wrongField.status).toBe(400);
    expect(wrongField.body['validation-errors'][0].errors).toEqual([{ code: 'NotSupportedChoice', path: 'custom_fields_values.0.field_id', detail: 'The value you selected is not a valid choice.' }]);
    const unknown = await k.api('PATCH', '/api/v4/companies', [{ id: 6_000_999, name: 'y' }]);
    expect(unknown.body['validation-errors'][0].errors).toEqual([{ code: 'NotFound', path: 'id', detail: 'Entity not found' }]);
    expect(k.sim.requests({ route: 'PATCH /api/v4/companies' })).toHaveLength(2);
  });

  it('holds no company in the empty and no-phone-field accounts', async () => {
    k.sim.reset('empty');
    expect(k.sim.state().companies).toEqual([]);
    expect((await k.api('GET', '/api/v4/companies')).status).toBe(204);
    k.sim.reset('no-phone-field');
    expect(k.sim.state().companies).toEqual([]);
    expect((await k.api('GET', '/api/v4/companies/custom_fields')).status).toBe(204);
  });
});
