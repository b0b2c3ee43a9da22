import { describe, expect, it } from 'vitest';
import { PHONE_FIELD_ID } from '../../sim/kommo/index.ts';
import { clientFor, startSim } from './helpers.ts';

describe('engine/kommo: checkPhoneField', () => {
  it('finds the PHONE field and its WORK enum on the demo account', async () => {
    const sim = await startSim();
    expect(await clientFor(sim).checkPhoneField()).toEqual({ ok: true, fieldId: PHONE_FIELD_ID, enumId: 140_001 });
  });

  it('says plainly that calls are not registered on an account without it', async () => {
    const sim = await startSim({ account: 'no-phone-field' });
    const r = await clientFor(sim).checkPhoneField();
    expect(r.ok ? null : [r.reason, r.error.code, r.error.message]).toEqual([
      'no-phone-field', 'KOMMO_NO_PHONE_FIELD', "Kommo's contacts have no PHONE field with the enum WORK (none of the 1 contact fields has the code PHONE); calls are not registered",
    ]);
  });

  it('reports a failed request as such, not as a missing field', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'error', status: 503, times: 'always' });
    const r = await clientFor(sim, { retry: { retries: 0, baseMs: 1, maxMs: 1 } }).checkPhoneField();
    expect(r.ok ? null : [r.reason, r.error.code]).toEqual(['request-failed', 'KOMMO_UNAVAILABLE']);
  });
});
