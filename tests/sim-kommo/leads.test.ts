import { describe, expect, it } from 'vitest';
import { MAIN_PIPELINE_ID, PHONE_FIELD_ID, STATUS_LOST, STATUS_WON, SUPPORT_PIPELINE_ID } from '../../sim/kommo/index.ts';
import { T0, useKommo } from './helpers.ts';

describe('sim/kommo custom fields and pipelines', () => {
  const k = useKommo();

  it('lists the contacts\' PHONE field with its enums WORK, MOB, …', async () => {
    const r = await k.api('GET', '/api/v4/contacts/custom_fields');
    expect(r.status).toBe(200);
    const phone = r.body._embedded.custom_fields.find((f: { code: string }) => f.code === 'PHONE');
    expect(phone).toMatchObject({ id: PHONE_FIELD_ID, type: 'multitext', entity_type: 'contacts' });
    expect(phone.enums.map((e: { value: string }) => e.value)).toEqual(['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER']);
  });

  it('answers 204 for the leads\' custom fields of an account that has none', async () => {
    const r = await k.api('GET', '/api/v4/leads/custom_fields');
    expect(r.status).toBe(204);
  });

  it('lists pipelines with their statuses, including Unsorted (type 1), 142 and 143', async () => {
    const r = await k.api('GET', '/api/v4/leads/pipelines');
    expect(r.body._total_items).toBe(2);
    const main = r.body._embedded.pipelines[0];
    expect(main).toMatchObject({ id: MAIN_PIPELINE_ID, is_main: true, account_id: 31_000_001 });
    expect(main._embedded.statuses.map((s: { id: number; type: number }) => [s.id, s.type])).toEqual([[70_010, 1], [70_011, 0], [70_012, 0], [70_013, 0], [STATUS_WON, 0], [STATUS_LOST, 0]]);
  });

  it('gets one pipeline by id', async () => {
    const r = await k.api('GET', `/api/v4/leads/pipelines/${SUPPORT_PIPELINE_ID}`);
    expect(r.body).toMatchObject({ id: SUPPORT_PIPELINE_ID, name: 'Support' });
  });
});

describe('sim/kommo account without a PHONE field', () => {
  const k = useKommo({ account: 'no-phone-field' });

  it('lists no field with code PHONE', async () => {
    const r = await k.api('GET', '/api/v4/contacts/custom_fields');
    expect(r.body._embedded.custom_fields.map((f: { code: string }) => f.code)).toEqual(['EMAIL']);
  });

  it('refuses a contact write that names PHONE', async () => {
    const r = await k.api('POST', '/api/v4/contacts', [{ name: 'x', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '1' }] }] }]);
    expect(r.body['validation-errors'][0].errors[0]).toMatchObject({ code: 'NotSupportedChoice', path: 'custom_fields_values.0.field_code' });
  });
});

describe('sim/kommo leads', () => {
  const k = useKommo();

  it('adds a lead in the first stage of the main pipeline when no status is given', async () => {
    const r = await k.api('POST', '/api/v4/leads', [{ name: 'Call 1715000100.2', _embedded: { contacts: [{ id: 1_000_002 }] }, request_id: 'x' }]);
    expect(r.body._embedded.leads).toEqual([{ id: 2_000_002, request_id: 'x', _links: { self: { href: `${k.sim.url}/api/v4/leads/2000002` } } }]);
    expect(k.sim.state().leads.find((l) => l.id === 2_000_002)).toMatchObject({ pipeline_id: MAIN_PIPELINE_ID, status_id: 70_011, contact_ids: [1_000_002], created_at: T0 / 1000 });
  });

  it('adds a lead to the first stage of the pipeline it names', async () => {
    await k.api('POST', '/api/v4/leads', [{ name: 'support', pipeline_id: SUPPORT_PIPELINE_ID }]);
    expect(k.sim.state().leads.at(-1)).toMatchObject({ pipeline_id: SUPPORT_PIPELINE_ID, status_id: 70_021 });
  });

  it('rejects a status that is not in the pipeline', async () => {
    const r = await k.api('POST', '/api/v4/leads', [{ name: 'x', pipeline_id: SUPPORT_PIPELINE_ID, status_id: 70_011 }]);
    expect(r.body['validation-errors'][0].errors).toEqual([{ code: 'NotSupportedChoice', path: 'status_id', detail: 'The value you selected is not a valid choice.' }]);
  });

  it('rejects a link to a contact that does not exist', async () => {
    const r = await k.api('POST', '/api/v4/leads', [{ name: 'x', _embedded: { contacts: [{ id: 5 }] } }]);
    expect(r.body['validation-errors'][0].errors[0]).toMatchObject({ code: 'NotSupportedChoice', path: '_embedded.contacts.0.id' });
  });

  it('gets a lead with its contacts', async () => {
    const r = await k.api('GET', '/api/v4/leads/2000001?with=contacts');
    expect(r.body).toMatchObject({ id: 2_000_001, price: 1200, responsible_user_id: 5_001_002 });
    expect(r.body._embedded.contacts).toEqual([{ id: 1_000_001, is_main: true, _links: { self: { href: `${k.sim.url}/api/v4/contacts/1000001` } } }]);
  });

  it('updates the responsible user of a lead by PATCH on the list', async () => {
    const r = await k.api('PATCH', '/api/v4/leads', [{ id: 2_000_001, responsible_user_id: 5_001_004 }]);
    expect(r.body._embedded.leads[0]).toMatchObject({ id: 2_000_001, request_id: '0' });
    expect(k.sim.state().leads[0]?.responsible_user_id).toBe(5_001_004);
  });

  it('closes a lead moved to 142 and stamps closed_at', async () => {
    k.clock.advance(5_000);
    await k.api('PATCH', '/api/v4/leads/2000001', { status_id: STATUS_WON });
    expect(k.sim.state().leads[0]).toMatchObject({ status_id: STATUS_WON, pipeline_id: MAIN_PIPELINE_ID, closed_at: T0 / 1000 + 5 });
  });

  it('rejects a responsible user who is not in the account', async () => {
    const r = await k.api('PATCH', '/api/v4/leads/2000001', { responsible_user_id: 1 });
    expect(r.body['validation-errors'][0].errors[0]).toMatchObject({ code: 'NotSupportedChoice', path: 'responsible_user_id' });
  });
});
