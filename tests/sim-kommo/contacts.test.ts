import { describe, expect, it } from 'vitest';
import { PHONE_FIELD_ID } from '../../sim/kommo/index.ts';
import { contactWithPhone, useKommo } from './helpers.ts';

describe('sim/kommo contacts', () => {
  const k = useKommo();

  it('finds a seeded contact by its full phone number, in a HAL envelope', async () => {
    const r = await k.api('GET', '/api/v4/contacts?query=%2B31260010001');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/hal\+json/);
    expect(r.body._page).toBe(1);
    expect(r.body._links.self.href).toBe(`${k.sim.url}/api/v4/contacts?query=%2B31260010001&page=1&limit=50`);
    // The search "uses the last 7 digits" (https://developers.kommo.com/docs/caller-id): Eva Mulder's +31150010001
    // ends in the same 0010001, so she is found too (the caller is the one whose last 10 digits match).
    expect(r.body._embedded.contacts.map((c: { name: string }) => c.name)).toEqual(['Jan Visser', 'Eva Mulder']);
  });

  it('finds a contact by the digits of its number without the plus', async () => {
    const r = await k.api('GET', '/api/v4/contacts?query=31150010001');
    // The last 7 digits (caller-id page): Jan Visser's +31260010001 matches as well.
    expect(r.body._embedded.contacts.map((c: { id: number }) => c.id)).toEqual([1_000_001, 1_000_002]);
  });

  it('finds a contact by part of its name, case-insensitively', async () => {
    const r = await k.api('GET', '/api/v4/contacts?query=mulder');
    expect(r.body._embedded.contacts.map((c: { name: string }) => c.name)).toEqual(['Eva Mulder']);
  });

  it('answers 204 with no body when the search matches nothing', async () => {
    const r = await k.api('GET', '/api/v4/contacts?query=%2B49301234567');
    expect([r.status, r.text, r.type]).toEqual([204, '', null]);
  });

  it('adds contacts with a PHONE value and echoes each request_id', async () => {
    const r = await k.api('POST', '/api/v4/contacts', [{ ...contactWithPhone('New caller', '+31201112233'), request_id: 'linked-1' }, contactWithPhone('Second', '+31201112244')]);
    expect(r.status).toBe(200);
    expect(r.body._embedded.contacts).toEqual([
      { id: 1_000_004, is_deleted: false, is_unsorted: false, request_id: 'linked-1', _links: { self: { href: `${k.sim.url}/api/v4/contacts/1000004` } } },
      { id: 1_000_005, is_deleted: false, is_unsorted: false, request_id: '1', _links: { self: { href: `${k.sim.url}/api/v4/contacts/1000005` } } },
    ]);
  });

  it('returns the phone on read with enum_id and enum, never enum_code', async () => {
    await k.api('POST', '/api/v4/contacts', [contactWithPhone('Mobile caller', '+31612223344', 'MOB')]);
    const r = await k.api('GET', '/api/v4/contacts?query=%2B31612223344');
    expect(r.body._embedded.contacts[0].custom_fields_values).toEqual([
      { field_id: PHONE_FIELD_ID, field_name: 'Phone', field_code: 'PHONE', field_type: 'multitext', values: [{ value: '+31612223344', enum_id: 140_003, enum: 'MOB' }] },
    ]);
  });

  it('returns custom_fields_values as null for a contact without fields', async () => {
    await k.api('POST', '/api/v4/contacts', [{ name: 'No phone' }]);
    const r = await k.api('GET', '/api/v4/contacts/1000004');
    expect(r.body).toMatchObject({ id: 1_000_004, name: 'No phone', custom_fields_values: null, _embedded: { tags: [], companies: [] } });
  });

  it('updates a contact by PATCH on the list, replacing the phone values sent', async () => {
    const r = await k.api('PATCH', '/api/v4/contacts', [{ id: 1_000_001, name: 'Jan Visser jr', responsible_user_id: 5_001_003, ...{ custom_fields_values: [{ field_id: PHONE_FIELD_ID, values: [{ value: '+31260010009' }] }] } }]);
    expect(r.status).toBe(200);
    expect(r.body._embedded.contacts[0]).toMatchObject({ id: 1_000_001, name: 'Jan Visser jr', request_id: '0' });
    const c = k.sim.state().contacts.find((x) => x.id === 1_000_001);
    expect(c).toMatchObject({ name: 'Jan Visser jr', responsible_user_id: 5_001_003 });
    expect(c?.custom_fields_values?.[0]?.values).toEqual([{ value: '+31260010009', enum_id: 140_001, enum: 'WORK' }]);
  });

  it('updates one contact by PATCH /contacts/{id}', async () => {
    const r = await k.api('PATCH', '/api/v4/contacts/1000002', { responsible_user_id: 5_001_004 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 1_000_002, name: 'Eva Mulder' });
    expect(k.sim.state().contacts.find((x) => x.id === 1_000_002)?.responsible_user_id).toBe(5_001_004);
  });

  it('answers 204 for a contact id that does not exist', async () => {
    const r = await k.api('GET', '/api/v4/contacts/999');
    expect([r.status, r.text]).toEqual([204, '']);
  });

  it('pages with a next link and answers 204 past the last page', async () => {
    const first = await k.api('GET', '/api/v4/contacts?limit=2');
    expect(first.body._embedded.contacts).toHaveLength(2);
    expect(first.body._links.next.href).toBe(`${k.sim.url}/api/v4/contacts?page=2&limit=2`);
    const second = await k.api('GET', '/api/v4/contacts?limit=2&page=2');
    expect(second.body._embedded.contacts).toHaveLength(1);
    expect(second.body._links.next).toBeUndefined();
    const past = await k.api('GET', '/api/v4/contacts?limit=2&page=3');
    expect(past.status).toBe(204);
  });

  it('includes the contact\'s leads with with=leads', async () => {
    const r = await k.api('GET', '/api/v4/contacts/1000001?with=leads');
    expect(r.body._embedded.leads).toEqual([{ id: 2_000_001, _links: { self: { href: `${k.sim.url}/api/v4/leads/2000001` } } }]);
  });
});

describe('sim/kommo validation of contact writes', () => {
  const k = useKommo();

  it('rejects null with NotNullable at the field\'s path', async () => {
    const r = await k.api('POST', '/api/v4/contacts', [{ name: 'ok' }, { name: null }]);
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(r.body).toEqual({
      'validation-errors': [{ request_id: '1', errors: [{ code: 'NotNullable', path: 'name', detail: 'This value should not be null.' }] }],
      title: 'Bad Request', type: 'https://httpstatus.es/400', status: 400, detail: 'Request validation failed',
    });
  });

  it('rejects a value of the wrong type with InvalidType', async () => {
    const r = await k.api('POST', '/api/v4/contacts', [{ name: 'x', responsible_user_id: '5001002' }]);
    expect(r.body['validation-errors'][0].errors).toEqual([{ code: 'InvalidType', path: 'responsible_user_id', detail: 'This value should be of type int.' }]);
  });

  it('rejects an unknown PHONE enum with NotSupportedChoice at the value\'s path', async () => {
    const r = await k.api('POST', '/api/v4/contacts', [contactWithPhone('x', '+3120', 'CELL')]);
    expect(r.body['validation-errors'][0].errors).toEqual([{ code: 'NotSupportedChoice', path: 'custom_fields_values.0.values.0.enum_code', detail: 'The value you selected is not a valid choice.' }]);
  });

  it('rejects an unknown field id with NotSupportedChoice at custom_fields_values.0.field_id', async () => {
    const r = await k.api('POST', '/api/v4/contacts', [{ name: 'x', custom_fields_values: [{ field_id: 1, values: [{ value: 'a' }] }] }]);
    expect(r.body['validation-errors'][0].errors).toEqual([{ code: 'NotSupportedChoice', path: 'custom_fields_values.0.field_id', detail: 'The value you selected is not a valid choice.' }]);
  });

  it('writes nothing when one item of the batch is invalid', async () => {
    await k.api('POST', '/api/v4/contacts', [{ name: 'fine' }, { name: 5 }]);
    expect(k.sim.state().contacts).toHaveLength(3);
  });

  it('answers 422 "Limit 250 per page" to more than 250 entities', async () => {
    const r = await k.api('POST', '/api/v4/contacts', Array.from({ length: 251 }, (_, i) => ({ name: `c${i}` })));
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ title: 'Unprocessable Entity', type: 'https://httpstatus.es/422', status: 422, detail: 'Limit 250 per page' });
  });

  it('accepts exactly 250 entities', async () => {
    const r = await k.api('POST', '/api/v4/contacts', Array.from({ length: 250 }, (_, i) => ({ name: `c${i}` })));
    expect([r.status, r.body._embedded.contacts.length]).toEqual([200, 250]);
  });

  it('answers 422 to a list limit above 250', async () => {
    const r = await k.api('GET', '/api/v4/contacts?limit=251');
    expect(r.status).toBe(422);
  });

  it('answers a body that is not JSON with Kommo\'s 400 problem', async () => {
    const r = await k.api('POST', '/api/v4/contacts', undefined, { raw: '[{"name": "x",' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ title: 'Bad Request', type: 'https://httpstatus.es/400', status: 400, detail: 'Request data can not be empty' });
    expect(k.sim.requests({ path: '/api/v4/contacts', method: 'POST' })[0]?.body).toBe('[{"name": "x",');
  });

  it('answers an empty array with 400 "Request data can not be empty"', async () => {
    const r = await k.api('POST', '/api/v4/contacts', []);
    expect([r.status, r.body.detail]).toEqual([400, 'Request data can not be empty']);
  });

  it('answers an unknown id in a PATCH list with a validation error at id', async () => {
    const r = await k.api('PATCH', '/api/v4/contacts', [{ id: 42, name: 'x' }]);
    expect(r.body['validation-errors'][0].errors).toEqual([{ code: 'NotFound', path: 'id', detail: 'Entity not found' }]);
  });
});
