import { describe, expect, it } from 'vitest';
import { DEMO_EMAIL_TASK_TYPE_ID, PHONE_FIELD_ID } from '../../sim/kommo/index.ts';
import { accountWithManyContactFields } from '../helpers/kommo-accounts.ts';
import { useKommo } from './helpers.ts';

// Issue 21, point 7: "returns up to 50 fields per request" (https://kommo.com/developers/content/api_v4/custom-fields).
describe('sim/kommo custom fields: 50 a page', () => {
  const k = useKommo({ account: accountWithManyContactFields(60) });

  it('gives at most 50 fields a page even when asked for 250, and links the next page', async () => {
    const first = await k.api('GET', '/api/v4/contacts/custom_fields?limit=250');
    expect(first.body._embedded.custom_fields).toHaveLength(50);
    expect(first.body._links.next.href).toContain('page=2');
    const second = await k.api('GET', '/api/v4/contacts/custom_fields?page=2&limit=250');
    expect(second.body._embedded.custom_fields.map((f: { id: number }) => f.id)).toContain(PHONE_FIELD_ID);
  });
});

// Issue 21, point 12: "Tasks have 2 standard types with predefined IDs: 1 – Follow-up, 2 – Meeting"
// (https://developers.kommo.com/reference/tasks); accounts add their own (GET /api/v4/account?with=task_types).
describe('sim/kommo task types', () => {
  const k = useKommo();
  const task = (task_type_id: number) => ({ text: 'Call back', complete_till: 1_736_200_000, entity_type: 'contacts', entity_id: 1_000_001, task_type_id });

  it('lists the account\'s task types with the account', async () => {
    const r = await k.api('GET', '/api/v4/account?with=task_types');
    expect(r.body._embedded.task_types.map((t: { id: number }) => t.id)).toEqual([1, 2, DEMO_EMAIL_TASK_TYPE_ID]);
  });

  it('takes a task of the account\'s own type and refuses one the account does not have', async () => {
    expect((await k.api('POST', '/api/v4/tasks', [task(DEMO_EMAIL_TASK_TYPE_ID)])).status).toBe(200);
    const r = await k.api('POST', '/api/v4/tasks', [task(3)]);
    expect(r.body['validation-errors'][0].errors).toEqual([{ code: 'NotSupportedChoice', path: 'task_type_id', detail: 'The value you selected is not a valid choice.' }]);
  });
});
