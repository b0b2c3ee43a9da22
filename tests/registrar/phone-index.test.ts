/**
 * Issue 20 through the whole engine (sim/pbx → engine → sim/kommo): the registrar and the phone index. A client in
 * the index costs no search; a miss is confirmed by one live search, so a contact a manager added after the index
 * was read is found and not duplicated; a contact deleted in Kommo that the index still holds is dropped when Kommo
 * refuses a write for it, and the client is found again; a restarted engine reuses the index in the data folder.
 * caco-inbound-queue-caller-abandon: +31150010001 calls, nobody answers (a call log and a missed-call task).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/engine-harness.ts';

const ABANDON = 'caco-inbound-queue-caller-abandon.ami';
const PHONE = '+31150010001';

describe('the registrar with the phone index', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const searches = (x: Harness) => x.kommo.requests({ method: 'GET', path: '/api/v4/contacts' }).filter((r) => 'query' in r.query);

  it('a client in the index costs no search; the call and the task go to its contact', async () => {
    h = await startHarness({ kommo: { account: 'empty' } });
    const [known] = h.kommo.seedContacts([{ name: 'Eva Mulder', phones: [PHONE], responsible_user_id: 5_001_002 }]);
    await h.engine.phoneIndex?.refresh();
    await h.play(ABANDON, { fresh: true });
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true, steps: expect.arrayContaining(['contact from the index', 'call log', 'task']) })]);
    expect(searches(h)).toEqual([]);
    const s = h.kommo.state();
    expect(s.calls).toEqual([expect.objectContaining({ entity_type: 'contact', entity_id: known!.id })]);
    expect(s.tasks).toEqual([expect.objectContaining({ entity_id: known!.id, responsible_user_id: 5_001_002, text: `Call back Eva Mulder on a missed call from ${PHONE}` })]);
    // Nothing was read before the task (issue 20 item 3): its answer came back.
    expect(h.kommo.requests({ method: 'GET', path: '/api/v4/tasks' })).toEqual([]);
    expect(h.engine.registrar.stats().phoneIndex).toMatchObject({ ready: true, contacts: 1, hits: 1, missesConfirmed: 0 });
  });

  it('a contact a manager added after the index was read is found by the search that confirms the miss: not duplicated', async () => {
    h = await startHarness({ kommo: { account: 'empty' } });
    const [managers] = h.kommo.seedContacts([{ name: 'Added by a manager', phones: [PHONE] }]);
    await h.play(ABANDON, { fresh: true });
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true })]);
    expect(h.outcomes[0]?.steps).not.toContain('contact created');
    expect(searches(h)).toHaveLength(1);
    expect(h.kommo.state().contacts.map((c) => c.id)).toEqual([managers!.id]);
    expect(h.engine.registrar.stats().phoneIndex).toMatchObject({ contacts: 1, hits: 0, missesConfirmed: 1, missesFound: 1 });
    // The next call of that client is answered from the index.
    await h.play(ABANDON, { fresh: true });
    expect(searches(h)).toHaveLength(1);
    expect(h.engine.registrar.stats().phoneIndex).toMatchObject({ hits: 1 });
  });

  it('a new client: one search, a contact created and put in the index, the next call without a search', async () => {
    h = await startHarness({ kommo: { account: 'empty' } });
    await h.play(ABANDON, { fresh: true });
    await h.play(ABANDON, { fresh: true });
    expect(h.outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect(h.outcomes[0]?.steps).toContain('contact created');
    expect(h.outcomes[1]?.steps).toContain('contact from the index');
    expect(searches(h)).toHaveLength(1);
    expect(h.kommo.state().contacts).toHaveLength(1);
  });

  it('a contact deleted in Kommo that the index still holds: the task Kommo refuses drops it, and the client is found again', async () => {
    h = await startHarness({ kommo: { account: 'empty' } });
    const [gone] = h.kommo.seedContacts([{ name: 'Old card', phones: [PHONE] }]);
    await h.engine.phoneIndex?.refresh();
    // A manager deletes the card and makes a new one with the same number; the index has not read it yet.
    h.kommo.deleteEntity('contacts', gone!.id);
    const [fresh] = h.kommo.seedContacts([{ name: 'New card', phones: [PHONE], responsible_user_id: 5_001_003 }]);
    await h.play(ABANDON, { fresh: true });
    expect(h.outcomes).toEqual([expect.objectContaining({ ok: true, steps: expect.arrayContaining([`contact ${gone!.id} gone from Kommo`]) })]);
    const s = h.kommo.state();
    // Kommo put the call log on the card that has the number; the task, refused for the deleted one, follows it.
    expect(s.calls).toEqual([expect.objectContaining({ entity_id: fresh!.id })]);
    expect(s.tasks).toEqual([expect.objectContaining({ entity_id: fresh!.id, responsible_user_id: 5_001_003 })]);
    expect(h.kommo.requests({ method: 'POST', path: '/api/v4/tasks' }).map((r) => r.status)).toEqual([400, 200]);
    expect(s.contacts.filter((c) => !c.is_deleted).map((c) => c.id)).toEqual([fresh!.id]);
    expect(h.engine.registrar.stats().phoneIndex).toMatchObject({ dropped: 1, contacts: 1 });
  });

  it('a restarted engine reuses the index in the data folder: no full read of the account', async () => {
    h = await startHarness({ kommo: { account: 'empty' } });
    h.kommo.seedContacts([{ name: 'Eva Mulder', phones: [PHONE] }]);
    await h.engine.phoneIndex?.refresh();
    await h.restartEngine();
    expect(h.logLines().some((l) => String(l.msg).includes('phone index read from the data folder'))).toBe(true);
    const fullReads = h.kommo.requests({ method: 'GET', path: '/api/v4/contacts' }).filter((r) => !('query' in r.query) && !('filter[updated_at][from]' in r.query));
    expect(fullReads).toHaveLength(1);
    await h.play(ABANDON, { fresh: true });
    expect(h.outcomes[0]?.steps).toContain('contact from the index');
    expect(searches(h)).toEqual([]);
  });
});
