import { describe, expect, it } from 'vitest';
import { MAIN_PIPELINE_ID } from '../../sim/kommo/index.ts';
import { clientFor, startSim } from './helpers.ts';

describe('engine/kommo: typed methods against sim/kommo', () => {
  it('reads the account with a long-lived token', async () => {
    const sim = await startSim();
    const r = await clientFor(sim).account();
    expect(r.ok && r.value.id).toBe(sim.state().account.id);
  });

  it('answers null for a contact that does not exist (204)', async () => {
    const sim = await startSim();
    expect(await clientFor(sim).getContact(999)).toEqual({ ok: true, value: null });
  });

  it('reads a contact with its leads', async () => {
    const sim = await startSim();
    const r = await clientFor(sim).getContact(1000001);
    expect(r.ok && r.value?._embedded?.leads?.map((l) => l.id)).toEqual([2000001]);
  });

  it('reads a lead with its contacts', async () => {
    const sim = await startSim();
    const r = await clientFor(sim).getLead(2000001);
    expect(r.ok && r.value?._embedded?.contacts?.map((c) => c.id)).toEqual([1000001]);
  });

  it('lists pipelines with their statuses', async () => {
    const sim = await startSim();
    const r = await clientFor(sim).pipelines();
    const main = r.ok ? r.value.find((p) => p.is_main) : undefined;
    expect(main?.id).toBe(MAIN_PIPELINE_ID);
    expect(main?._embedded.statuses.map((s) => s.id)).toContain(142);
  });

  it('lists every user', async () => {
    const sim = await startSim();
    const r = await clientFor(sim).users();
    expect(r.ok && r.value.map((u) => u.id)).toEqual(sim.state().users.map((u) => u.id));
  });

  it('adds a lead and moves it to another status', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    const [added] = await kommo.addLeads([{ name: 'Call from +31150010004', _embedded: { contacts: [{ id: 1000002 }] } }]);
    const id = added?.ok ? added.value.id : -1;
    const [updated] = await kommo.updateLeads([{ id, status_id: 70012 }]);
    expect(updated?.ok && updated.value.id).toBe(id);
    expect(sim.state().leads.find((l) => l.id === id)?.status_id).toBe(70012);
  });

  it('updates the responsible user of a contact', async () => {
    const sim = await startSim();
    const [r] = await clientFor(sim).updateContacts([{ id: 1000002, responsible_user_id: 5001003 }]);
    expect(r).toMatchObject({ ok: true, value: { id: 1000002, request_id: '0' } });
    expect(sim.state().contacts.find((c) => c.id === 1000002)?.responsible_user_id).toBe(5001003);
  });

  it('adds a task on a contact', async () => {
    const sim = await startSim();
    const [r] = await clientFor(sim).addTasks([{ text: 'Call back', complete_till: 1_900_000_000, entity_type: 'contacts', entity_id: 1000002 }]);
    const id = r?.ok ? r.value.id : -1;
    expect(sim.state().tasks.find((t) => t.id === id)?.entity_id).toBe(1000002);
  });

  it('adds an incoming SIP lead and returns its uid and lead id', async () => {
    const sim = await startSim();
    const [r] = await clientFor(sim).addUnsortedSip([{
      source_uid: '1715000100.2', source_name: 'hookline',
      metadata: { uniq: '1715000100.2', from: 'hookline', phone: '+31150010004', called_at: 1_715_000_100, duration: 0 },
      _embedded: { contacts: [{ name: '+31150010004', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+31150010004', enum_code: 'WORK' }] }] }] },
    }]);
    const unsorted = sim.state().unsorted[0];
    expect(r).toEqual({ ok: true, value: { uid: unsorted?.uid, request_id: '0', leadId: unsorted?.lead_id, contactId: unsorted?.contact_ids[0] } });
  });

  it("gives back the caller's own request_id", async () => {
    const sim = await startSim();
    const [r] = await clientFor(sim).addContacts([{ name: 'Piet', request_id: 'mine-1' }]);
    expect(r?.ok && r.value.request_id).toBe('mine-1');
  });
});
