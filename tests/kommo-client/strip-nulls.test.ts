import { describe, expect, it } from 'vitest';
import { stripNulls } from '../../engine/kommo/index.ts';
import { clientFor, startSim } from './helpers.ts';

describe('engine/kommo: nulls are never sent', () => {
  it('drops null keys and null array items, naming their paths in the input', () => {
    expect(stripNulls({ a: null, b: [1, null, { c: null, d: 2 }] })).toEqual({ value: { b: [1, { d: 2 }] }, paths: ['a', 'b.1', 'b.2.c'] });
  });

  it('keeps values: null in custom_fields_values on updates, where it clears a field', () => {
    const body = { id: 1, name: null, custom_fields_values: [{ field_id: 264003, values: null }] };
    expect(stripNulls(body, { keepFieldClearing: true }).value).toEqual({ id: 1, custom_fields_values: [{ field_id: 264003, values: null }] });
  });

  it('clears a contact field through updateContacts', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    const [r] = await kommo.updateContacts([{ id: 1000002, name: null, custom_fields_values: [{ field_code: 'PHONE', values: null }] }]);
    const contact = sim.state().contacts.find((c) => c.id === 1000002);
    expect([r?.ok, contact?.name, (contact?.custom_fields_values ?? []).some((f) => f.field_code === 'PHONE')]).toEqual([true, 'Eva Mulder', false]);
  });
});
