import { describe, expect, it } from 'vitest';
import type { CallBody } from '../../engine/kommo/index.ts';
import { clientFor, errorOf, sent, startSim } from './helpers.ts';

const CALLS = 'POST /api/v4/calls';
const call = (phone: string, extra: Partial<CallBody> = {}): CallBody => ({ direction: 'inbound', duration: 42, source: 'hookline', phone, call_status: 4, ...extra });

describe('engine/kommo: call logs', () => {
  it('adds a call to the lead of the contact with the number', async () => {
    const sim = await startSim();
    const [r] = await clientFor(sim).addCalls([call('+31260010001')]);
    expect(r).toMatchObject({ ok: true, value: { entity_type: 'lead', entity_id: 2000001, request_id: '0' } });
  });

  it('tells "no entity has this number" apart from a refused body, and does not retry it', async () => {
    const sim = await startSim();
    const [r] = await clientFor(sim).addCalls([call('+31150010004')], { linkedid: '1715000100.2' });
    expect(r?.ok ? null : [r?.error.code, r?.error.message]).toEqual([
      'KOMMO_ENTITY_NOT_FOUND', 'Kommo found no contact or company with the phone +31150010004 for POST /api/v4/calls on call 1715000100.2',
    ]);
    expect(sent(sim, CALLS)).toBe(1);
  });

  it("keeps Kommo's validation message on a 400 and does not retry it", async () => {
    const sim = await startSim();
    const [r] = await clientFor(sim).addCalls([call('+31260010001', { call_status: 99 })]);
    expect(r?.ok ? null : [r?.error.code, r?.error.detail?.validationErrors, sent(sim, CALLS)]).toEqual([
      'KOMMO_BAD_REQUEST', [{ request_id: '0', errors: [{ code: 'NotSupportedChoice', path: 'call_status', detail: 'The value you selected is not a valid choice.' }] }], 1,
    ]);
  });

  it('says in the message which field Kommo refused', async () => {
    const sim = await startSim();
    const [r] = await clientFor(sim).addCalls([call('+31260010001', { call_status: 99 })], { linkedid: '1715000100.2' });
    expect(r?.ok ? null : r?.error.message).toBe(
      'Kommo refused POST /api/v4/calls on call 1715000100.2 (400): Request validation failed; item 0: NotSupportedChoice at call_status (The value you selected is not a valid choice.)',
    );
  });

  it('leaves out null values, which Kommo refuses', async () => {
    const sim = await startSim();
    const [r] = await clientFor(sim).addCalls([call('+31260010001', { call_result: null, link: null } as unknown as Partial<CallBody>)]);
    const body = sim.requests({ route: CALLS })[0]?.body as Record<string, unknown>[];
    expect([r?.ok, 'call_result' in (body[0] ?? {}), 'link' in (body[0] ?? {})]).toEqual([true, false, false]);
  });

  it('gives each item of a mixed batch its own result: added, not found, refused', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    const [added, missing, refused] = await Promise.all([
      kommo.addCalls([call('+31260010001')], { linkedid: 'a' }),
      kommo.addCalls([call('+31150010004')], { linkedid: 'b' }),
      kommo.addCalls([call('+31150010001', { duration: -1.5 })], { linkedid: 'c' }),
    ]);
    expect([added[0]?.ok, errorOf(missing[0])?.code, errorOf(refused[0])?.code])
      .toEqual([true, 'KOMMO_ENTITY_NOT_FOUND', 'KOMMO_BAD_REQUEST']);
  });

  it('sends the rest of a batch again without the item Kommo refused', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    await Promise.all([
      kommo.addCalls([call('+31260010001')]),
      kommo.addCalls([call('+31150010001', { direction: 'sideways' as 'inbound' })]),
      kommo.addCalls([call('+31150010001')]),
    ]);
    expect([sim.requests({ route: CALLS }).map((x) => (x.body as unknown[]).length), sim.state().calls.length]).toEqual([[3, 2], 2]);
  });
});
