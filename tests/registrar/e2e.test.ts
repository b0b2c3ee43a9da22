import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_TO_KOMMO } from '../../contracts/index.ts';
import { startHarness, type Harness } from '../helpers/engine-harness.ts';

// sim/pbx (AMI over TCP) → engine → sim/kommo (HTTP), every caco fixture, default scripts.
// What each fixture must become in Kommo: from `hookline calls` (the tracker's verdict) and the capture's metadata.
const EXPECT: Record<string, { linkedid: string; direction: 'inbound' | 'outbound'; phone: string; result: number }[]> = {
  'caco-inbound-blonde-transfer.ami': [{ linkedid: 'f29ea68048f6-1530024929.2709', direction: 'inbound', phone: '+31260010001', result: 200 }],
  'caco-inbound-queue-answered.ami': [{ linkedid: '195176c06ab8-1529939196.518', direction: 'inbound', phone: '+31150010001', result: 200 }],
  'caco-inbound-queue-blind-transfer.ami': [{ linkedid: 'f29ea68048f6-1530023464.2539', direction: 'inbound', phone: '+31260010001', result: 200 }],
  'caco-inbound-queue-caller-abandon.ami': [{ linkedid: '40a7a1f2a669-1585318545.326', direction: 'inbound', phone: '+31150010001', result: 487 }],
  'caco-internal-attended-transfer.ami': [],
  'caco-internal-blind-transfer.ami': [],
  'caco-internal-busy-reject.ami': [],
  'caco-internal-ringgroup-answered.ami': [],
  'caco-originate-ctd-outbound-answered.ami': [{ linkedid: 'c4061ca6474c-1531990515.302', direction: 'outbound', phone: '+31260010001', result: 200 }],
  'caco-originate-ctd-outbound-busy.ami': [{ linkedid: 'c4061ca6474c-1531990698.589', direction: 'outbound', phone: '+31260010001', result: 486 }],
  'caco-outbound-trunk-loopback-answered.ami': [
    { linkedid: '195176c06ab8-1529936734.287', direction: 'outbound', phone: '+31150010001', result: 200 },
    { linkedid: '195176c06ab8-1529936734.297', direction: 'inbound', phone: '+31260010001', result: 200 },
  ],
};

describe('every fixture registered in Kommo (contact mode, demo account: the clients exist)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  for (const [file, calls] of Object.entries(EXPECT)) {
    it(file, async () => {
      h.resetKommo('demo');
      h.outcomes.length = 0;
      await h.play(file, { stampEverySec: 1 });
      const state = h.kommo.state();
      expect(state.calls.map((c) => c.uniq).sort()).toEqual(calls.map((c) => c.linkedid).sort());
      expect(h.outcomes.filter((o) => !o.ok)).toEqual([]);
      for (const want of calls) {
        const got = state.calls.find((c) => c.uniq === want.linkedid);
        expect(got, want.linkedid).toBeDefined();
        expect(got).toMatchObject({ direction: want.direction, phone: want.phone, call_status: RESULT_TO_KOMMO[want.result]?.call_status, source: 'hookline' });
        expect(got?.duration).toBeGreaterThanOrEqual(0);
        if (want.result === 200) expect(got?.duration, 'an answered call has a duration').toBeGreaterThan(0);
        else expect(got?.duration).toBe(0);
        // The clients exist in the demo account: no contact is created.
        expect(state.contacts.filter((c) => c.name.startsWith('Contact '))).toEqual([]);
      }
      // A task on a missed inbound or unanswered outbound call, attached to the client's lead or contact.
      const missed = calls.filter((c) => c.result !== 200);
      expect(state.tasks).toHaveLength(missed.length);
      for (const t of state.tasks) expect(t.text).toMatch(/^Call back .+ on a missed call from \+31/);
      // Internal calls never reach Kommo's write routes.
      if (calls.length === 0) expect(h.kommo.requests().filter((r) => r.method !== 'GET')).toEqual([]);
    });
  }

  it('a call played again (the same linkedid) is not registered twice: the outbox remembers it', async () => {
    h.resetKommo('demo');
    // Registered by the fixture test above; Kommo's state was reset, so anything sent now would show.
    await h.play('caco-inbound-queue-answered.ami');
    expect(h.kommo.state().calls).toHaveLength(0);
    expect(h.engine.outbox.outcome('195176c06ab8-1529939196.518')?.ok).toBe(true);
    // A fresh copy (new linkedids) is a new call.
    await h.play('caco-inbound-queue-answered.ami', { fresh: true });
    expect(h.kommo.state().calls).toHaveLength(1);
  });
});

describe('new clients (empty account)', () => {
  let h: Harness;
  afterAll(async () => {
    await h?.close();
  });

  it('contact mode: a contact with the PHONE field (WORK) is created, then the call log attaches to it', async () => {
    h = await startHarness({ kommo: { account: 'empty' } });
    await h.play('caco-inbound-queue-caller-abandon.ami');
    const s = h.kommo.state();
    expect(s.contacts).toHaveLength(1);
    const c = s.contacts[0];
    expect(c?.name).toBe('Contact +31150010001');
    expect(JSON.stringify(c?.custom_fields_values)).toContain('+31150010001');
    expect(JSON.stringify(c)).toContain('hookline');
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]).toMatchObject({ entity_type: 'contact', entity_id: c?.id, call_status: 6 });
    expect(s.tasks).toHaveLength(1);
    expect(s.tasks[0]).toMatchObject({ entity_type: 'contacts', entity_id: c?.id });
    await h.close();
  });

  it('unsorted mode: an incoming SIP lead keyed by the linkedid (source_uid, metadata.uniq)', async () => {
    h = await startHarness({ kommo: { account: 'empty' }, config: { registration: { mode: 'unsorted' } } });
    await h.play('caco-inbound-queue-answered.ami');
    const s = h.kommo.state();
    expect(s.unsorted).toHaveLength(1);
    expect(s.unsorted[0]).toMatchObject({ source_uid: '195176c06ab8-1529939196.518', source_name: 'hookline' });
    expect(s.unsorted[0]?.metadata).toMatchObject({ uniq: '195176c06ab8-1529939196.518', phone: '+31150010001', is_call_event_needed: true });
    // The incoming lead carries the call: no separate call log for a contact Kommo does not match yet.
    expect(s.calls).toEqual([]);
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true })]);
    await h.close();
  });

  it('createLead: a lead is created for a contact without an open lead, linked to it', async () => {
    h = await startHarness({ kommo: { account: 'empty' }, config: { registration: { createLead: true } } });
    await h.play('caco-originate-ctd-outbound-busy.ami');
    const s = h.kommo.state();
    expect(s.leads).toHaveLength(1);
    expect(s.leads[0]?.name).toBe('+31260010001 - missed outgoing');
    expect(s.calls[0]).toMatchObject({ entity_type: 'lead', entity_id: s.leads[0]?.id });
    expect(s.tasks[0]).toMatchObject({ entity_type: 'leads', entity_id: s.leads[0]?.id });
    await h.close();
  });
});
