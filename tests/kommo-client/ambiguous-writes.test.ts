import { describe, expect, it } from 'vitest';
import type { CallBody } from '../../engine/kommo/index.ts';
import { clientFor, errorOf, sent, startSim } from './helpers.ts';

const CALLS = 'POST /api/v4/calls';
const call: CallBody = { direction: 'inbound', duration: 42, source: 'hookline', phone: '+31260010001' };

describe('engine/kommo: writes Kommo may already have done', () => {
  it('does not resend a call log that got no answer, and says it may exist', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'timeout', path: '/api/v4/calls' });
    const [r] = await clientFor(sim, { timeoutMs: 150 }).addCalls([call]);
    expect([errorOf(r)?.code, errorOf(r)?.maybeWritten, sent(sim, CALLS)]).toEqual(['KOMMO_TIMEOUT', true, 1]);
  });

  it('does not resend a contact after a 502 from the gateway', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'error', status: 502, path: '/api/v4/contacts' });
    const [r] = await clientFor(sim).addContacts([{ name: 'Piet' }]);
    expect([errorOf(r)?.code, errorOf(r)?.maybeWritten]).toEqual(['KOMMO_UNAVAILABLE', true]);
  });

  it('resends a call log after a 503, which Kommo did not process', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'error', status: 503, path: '/api/v4/calls' });
    const [r] = await clientFor(sim).addCalls([call]);
    expect([r?.ok, sent(sim, CALLS), sim.state().calls.length]).toEqual([true, 2, 1]);
  });

  it('resends it anyway when retry.ambiguousWrites is on', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'timeout', path: '/api/v4/calls' });
    const [r] = await clientFor(sim, { timeoutMs: 150, retry: { retries: 2, baseMs: 5, maxMs: 10, ambiguousWrites: true } }).addCalls([call]);
    expect([r?.ok, sent(sim, CALLS)]).toEqual([true, 2]);
  });

  it('resends an update after a timeout: applying it twice changes nothing', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'timeout', path: '/api/v4/contacts' });
    const [r] = await clientFor(sim, { timeoutMs: 150 }).updateContacts([{ id: 1000002, responsible_user_id: 5001003 }]);
    expect([r?.ok, sent(sim, 'PATCH /api/v4/contacts')]).toEqual([true, 2]);
  });
});
