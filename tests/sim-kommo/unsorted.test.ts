import { describe, expect, it } from 'vitest';
import { DUPLICATE_TAG, MAIN_PIPELINE_ID } from '../../sim/kommo/index.ts';
import { contactWithPhone, useKommo } from './helpers.ts';

function sip(sourceUid: string, phone: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    source_uid: sourceUid, source_name: 'hookline', pipeline_id: MAIN_PIPELINE_ID,
    metadata: { uniq: sourceUid, from: 'hookline', phone, called_at: 1_715_000_100, duration: 0, is_call_event_needed: true, call_responsible: 5_001_002 },
    _embedded: { leads: [{ name: `Missed call ${phone}` }], contacts: [contactWithPhone(phone, phone)] },
    ...extra,
  };
}

describe('sim/kommo incoming SIP leads', () => {
  const k = useKommo();

  async function addOne(uid = '1715000100.2', phone = '+31150010004'): Promise<string> {
    const r = await k.api('POST', '/api/v4/leads/unsorted/sip', [sip(uid, phone, { request_id: 'r1' })]);
    return r.body._embedded.unsorted[0].uid;
  }

  it('adds one with a lead in the Unsorted status and a hidden contact', async () => {
    const r = await k.api('POST', '/api/v4/leads/unsorted/sip', [sip('1715000100.2', '+31150010004', { request_id: 'r1' })]);
    expect(r.status).toBe(200);
    const u = r.body._embedded.unsorted[0];
    expect(u).toMatchObject({ request_id: 'r1', category: 'sip', pipeline_id: MAIN_PIPELINE_ID, _embedded: { leads: [{ id: 2_000_002 }], contacts: [{ id: 1_000_004 }] } });
    expect(u.uid).toMatch(/^[0-9a-f]{40}$/);
    const s = k.sim.state();
    expect(s.leads.find((l) => l.id === 2_000_002)).toMatchObject({ status_id: 70_010, name: 'Missed call +31150010004', contact_ids: [1_000_004] });
    expect(s.contacts.find((c) => c.id === 1_000_004)?.is_unsorted).toBe(true);
    expect(s.unsorted[0]).toMatchObject({ source_uid: '1715000100.2', status: 'pending', metadata: { uniq: '1715000100.2', phone: '+31150010004' } });
  });

  it('hides the new contact from search until accepted', async () => {
    await addOne();
    const r = await k.api('GET', '/api/v4/contacts?query=%2B31150010004');
    expect(r.status).toBe(204);
  });

  it('lists and gets pending incoming leads', async () => {
    const uid = await addOne();
    const list = await k.api('GET', '/api/v4/leads/unsorted?filter[category][]=sip');
    expect(list.body._embedded.unsorted.map((u: { uid: string }) => u.uid)).toEqual([uid]);
    const one = await k.api('GET', `/api/v4/leads/unsorted/${uid}`);
    expect(one.body).toMatchObject({ uid, source_uid: '1715000100.2', source_name: 'hookline', category: 'sip', account_id: 31_000_001 });
  });

  it('accepts one: the lead moves to the status given, the contact becomes visible', async () => {
    const uid = await addOne();
    const r = await k.api('POST', `/api/v4/leads/unsorted/${uid}/accept`, { user_id: 5_001_003, status_id: 70_012 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ uid, pipeline_id: MAIN_PIPELINE_ID, category: 'sip', _embedded: { leads: [{ id: 2_000_002 }], contacts: [{ id: 1_000_004 }] } });
    const s = k.sim.state();
    expect(s.leads.find((l) => l.id === 2_000_002)).toMatchObject({ status_id: 70_012, responsible_user_id: 5_001_003 });
    expect(s.unsorted[0]?.status).toBe('accepted');
    const found = await k.api('GET', '/api/v4/contacts?query=%2B31150010004');
    expect(found.body._embedded.contacts[0].id).toBe(1_000_004);
  });

  it('accepts with no body into the first stage', async () => {
    const uid = await addOne();
    await k.api('POST', `/api/v4/leads/unsorted/${uid}/accept`);
    expect(k.sim.state().leads.find((l) => l.id === 2_000_002)?.status_id).toBe(70_011);
  });

  it('declines one: its lead and contact are gone from lists', async () => {
    const uid = await addOne();
    const r = await k.api('DELETE', `/api/v4/leads/unsorted/${uid}/decline`, { user_id: 5_001_001 });
    expect(r.status).toBe(200);
    const s = k.sim.state();
    expect(s.unsorted[0]?.status).toBe('declined');
    expect(s.leads.find((l) => l.id === 2_000_002)?.is_deleted).toBe(true);
    expect((await k.api('GET', '/api/v4/leads/unsorted')).status).toBe(204);
  });

  it('refuses to accept an incoming lead twice', async () => {
    const uid = await addOne();
    await k.api('POST', `/api/v4/leads/unsorted/${uid}/accept`);
    const again = await k.api('POST', `/api/v4/leads/unsorted/${uid}/accept`);
    expect([again.status, again.body.detail]).toEqual([400, 'Incoming lead is already accepted']);
  });

  it('adds a second incoming lead with the same source_uid and tags both as duplicates (the current reference)', async () => {
    // https://developers.kommo.com/reference/incoming-leads: "If you attempt to add data that already exists, a tag
    // indicating a duplicate will be added to both of them" (the older page said "an error": the 'refuse' mode below).
    await addOne();
    const r = await k.api('POST', '/api/v4/leads/unsorted/sip', [sip('1715000100.2', '+31150010004')]);
    expect(r.status).toBe(200);
    const s = k.sim.state();
    expect(s.unsorted).toHaveLength(2);
    for (const u of s.unsorted) expect(s.leads.find((l) => l.id === u.lead_id)?.tags.map((t) => t.name)).toEqual([DUPLICATE_TAG]);
  });

  it('refuses a field it does not take: a top-level `tags` on the embedded lead is FieldNotExpected (tags go in _embedded.tags)', async () => {
    const item = sip('1715000100.9', '+31150010004');
    const r = await k.api('POST', '/api/v4/leads/unsorted/sip', [{ ...item, _embedded: { ...(item._embedded as object), leads: [{ name: 'x', tags: [{ name: 'hookline' }] }] } }]);
    expect(r.status).toBe(400);
    expect(r.body['validation-errors'][0].errors).toEqual([{ code: 'FieldNotExpected', path: '_embedded.leads.0.tags', detail: 'This field was not expected.' }]);
    const ok = await k.api('POST', '/api/v4/leads/unsorted/sip', [{ ...item, _embedded: { ...(item._embedded as object), leads: [{ name: 'x', _embedded: { tags: [{ name: 'hookline' }] } }] } }]);
    expect(ok.status).toBe(200);
    const s = k.sim.state();
    expect(s.leads.find((l) => l.id === s.unsorted[0]?.lead_id)?.tags.map((t) => t.name)).toEqual(['hookline']);
  });

  it('answers 204 for the contact of an incoming lead read by id until the lead is accepted ("unavailable in the Lists section")', async () => {
    const uid = await addOne();
    const id = k.sim.state().unsorted[0]?.contact_ids[0];
    expect((await k.api('GET', `/api/v4/contacts/${id}`)).status).toBe(204);
    await k.api('POST', `/api/v4/leads/unsorted/${uid}/accept`);
    expect((await k.api('GET', `/api/v4/contacts/${id}`)).status).toBe(200);
  });

  it('requires source_uid and source_name, and rejects a null metadata value', async () => {
    const r = await k.api('POST', '/api/v4/leads/unsorted/sip', [{ metadata: { link: null } }]);
    expect(r.body['validation-errors'][0].errors).toEqual([
      { code: 'NotBlank', path: 'source_uid', detail: 'This value should not be blank.' },
      { code: 'NotBlank', path: 'source_name', detail: 'This value should not be blank.' },
      { code: 'NotNullable', path: 'metadata.link', detail: 'This value should not be null.' },
    ]);
  });

  it('accepts metadata.phone as a number, as the documented example sends it', async () => {
    const r = await k.api('POST', '/api/v4/leads/unsorted/sip', [{ source_uid: 'n', source_name: 'pbx', metadata: { phone: 79998888888 } }]);
    expect(r.status).toBe(200);
  });
});

describe('sim/kommo incoming SIP leads, the older page\'s way (behaviour.unsortedDuplicateSourceUid = refuse)', () => {
  const k = useKommo({ behaviour: { unsortedDuplicateSourceUid: 'refuse' } });

  it('refuses a second incoming lead with the same source_uid', async () => {
    // https://kommo.com/developers/content/api_v4/incoming-leads: "There can't be 2 identical entities … you will receive an error".
    await k.api('POST', '/api/v4/leads/unsorted/sip', [sip('1715000100.2', '+31150010004')]);
    const r = await k.api('POST', '/api/v4/leads/unsorted/sip', [sip('1715000100.2', '+31150010004')]);
    expect(r.body['validation-errors'][0].errors).toEqual([{ code: 'NotUnique', path: 'source_uid', detail: 'This value is already used.' }]);
    expect(k.sim.state().unsorted).toHaveLength(1);
  });
});
