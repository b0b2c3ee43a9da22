/**
 * Issue 21: the client against the emulator answering as Kommo documents, in each documented mode.
 */
import { describe, expect, it } from 'vitest';
import type { CallBody } from '../../engine/kommo/index.ts';
import { PHONE_FIELD_ID, type KommoBehaviour } from '../../sim/kommo/index.ts';
import { accountWithManyContactFields } from '../helpers/kommo-accounts.ts';
import { clientFor, errorOf, sent, startSim } from './helpers.ts';

const call = (phone: string): CallBody => ({ direction: 'inbound', duration: 42, source: 'hookline', phone, call_status: 4 });

describe('1. an incoming lead whose answer was lost', () => {
  it.each<KommoBehaviour['unsortedDuplicateSourceUid']>(['add', 'refuse'])('is not sent again blindly (Kommo %s): maybeWritten, and findUnsorted finds it by source_uid', async (mode) => {
    const sim = await startSim({ behaviour: { unsortedDuplicateSourceUid: mode } });
    sim.fail({ kind: 'delay', ms: 400, path: '/api/v4/leads/unsorted/sip' });
    const kommo = clientFor(sim, { timeoutMs: 150 });
    const [r] = await kommo.addUnsortedSip([{ source_uid: 'lid-1', source_name: 'hookline', metadata: { phone: '+31150010004' } }]);
    expect([errorOf(r)?.code, errorOf(r)?.maybeWritten, sent(sim, 'POST /api/v4/leads/unsorted/sip')]).toEqual(['KOMMO_TIMEOUT', true, 1]);
    await new Promise((res) => setTimeout(res, 400));
    const found = await kommo.findUnsorted('lid-1');
    expect(found).toEqual({ ok: true, value: expect.objectContaining({ uid: sim.state().unsorted[0]?.uid, leadId: sim.state().unsorted[0]?.lead_id }) });
    expect(await kommo.findUnsorted('lid-2')).toEqual({ ok: true, value: null });
    expect(sim.state().unsorted).toHaveLength(1);
  });
});

describe.each<KommoBehaviour['callsPartlyMatched']>(['partial', 'refuse'])('2. a calls batch with one unknown phone, errors without request_id (Kommo: %s)', (mode) => {
  it('each item gets its own answer: the known ones logged, the unknown one KOMMO_ENTITY_NOT_FOUND', async () => {
    const sim = await startSim({ behaviour: { callsPartlyMatched: mode } });
    const kommo = clientFor(sim);
    const [a, miss, b] = await Promise.all([
      kommo.addCalls([call('+31260010001')], { linkedid: 'a' }),
      kommo.addCalls([call('+31150010004')], { linkedid: 'b' }),
      kommo.addCalls([call('123')], { linkedid: 'c' }),
    ]);
    expect([a[0]?.ok, errorOf(miss[0])?.code, b[0]?.ok]).toEqual([true, 'KOMMO_ENTITY_NOT_FOUND', true]);
    expect(sim.state().calls.map((c) => c.phone).sort()).toEqual(['+31260010001', '123']);
  });
});

describe('7. custom fields past the first page (50 a page)', () => {
  it('finds the PHONE field on page 2 by following _links.next', async () => {
    const sim = await startSim({ account: accountWithManyContactFields(60) });
    const check = await clientFor(sim).checkPhoneField();
    expect(check).toMatchObject({ ok: true, fieldId: PHONE_FIELD_ID });
  });
});

describe('8. a phone search that finds more than the caller (Kommo matches the last 7 digits)', () => {
  it('keeps only the contacts whose phone ends in the caller\'s last 10 digits', async () => {
    const sim = await startSim();
    const r = await clientFor(sim).findContactsByPhone('+31150010001');
    // Kommo answers Jan Visser (+31260010001) and Eva Mulder (+31150010001): both end in 0010001.
    expect((sim.requests({ route: 'GET /api/v4/contacts' })[0]?.response as { _embedded: { contacts: unknown[] } })._embedded.contacts).toHaveLength(2);
    expect(r.ok ? r.value.map((c) => c.name) : r.error.code).toEqual(['Eva Mulder']);
  });
});

describe('10. a batch too large for Kommo (504: "reduce the number of entities in the request")', () => {
  it('halves the batch after a 504 until Kommo takes it', async () => {
    const sim = await startSim({ limits: { gatewayTimeoutAboveItems: 3 } });
    const kommo = clientFor(sim, { batch: { windowMs: 30 } });
    const tasks = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `Call back ${i}`, complete_till: 1_736_200_000 + i, entity_type: 'contacts' as const, entity_id: 1_000_001 }));
    const first = await kommo.addTasks(tasks(8));
    expect(first.every((r) => !r.ok && r.error.status === 504 && r.error.maybeWritten === true)).toBe(true);
    // One batch of a route in flight at a time (batch.maxInFlight 1): the second call's first 4 are refused, and
    // its other 4 already go 2 at a time.
    const second = await kommo.addTasks(tasks(8));
    expect(second.map((r) => r.ok)).toEqual([false, false, false, false, true, true, true, true]);
    const third = await kommo.addTasks(tasks(8));
    expect(third.every((r) => r.ok)).toBe(true);
    expect(sim.requests({ route: 'POST /api/v4/tasks' }).map((x) => (x.body as unknown[]).length)).toEqual([8, 4, 2, 2, 2, 2, 2, 2]);
    expect(sim.state().tasks).toHaveLength(12);
  });
});
