/**
 * The fixtures that stay in ../shared/fixtures/ami (no licence, or GPL test data: not copied here), registered
 * end to end as e2e.test.ts does for the caco-* ones: sim/pbx over TCP → engine → sim/kommo. What each must
 * become comes from the tracker's expectations (the capture's metadata): a call with a client gets one call log
 * with its direction, the client's number and the status of its result; an internal call writes nothing.
 * Skipped, and said so, when ../shared is not beside the project (CI always has it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RESULT_TO_KOMMO } from '../../contracts/index.ts';
import { startHarness, type Harness } from '../helpers/engine-harness.ts';
import { FIXTURE_EXPECTATIONS } from '../tracker/fixture-expectations.ts';

const SHARED_DIR = join(import.meta.dirname, '../../../shared/fixtures/ami');
const sharedThere = existsSync(SHARED_DIR);
if (!sharedThere) console.warn(`tests/registrar/shared-fixtures: ${SHARED_DIR} is absent: these tests were SKIPPED (CI always has the folder)`);

/** The trunks as an operator writes them in the config (endpoint names), for the fixtures that have one. */
const TRUNKS: Record<string, string[]> = {
  'callme-inbound-ivr-queue-mixmonitor': ['SIP/toOurAster'],
  'wazo-cel-outbound-answered': ['SIP/dev_34-1'],
};

describe('the shared fixtures registered in Kommo (contact mode, empty account)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const fx of FIXTURE_EXPECTATIONS.filter((f) => f.where === 'shared')) {
    const external = Object.entries(fx.calls).filter(([, c]) => c.direction !== 'internal');
    const what = external.length ? `${external.length} call log(s)` : 'nothing written (internal calls only)';
    it.skipIf(!sharedThere)(`${fx.name}: ${what}${sharedThere ? '' : ' (skipped: ../shared/fixtures/ami is not there)'}`, async () => {
      h = await startHarness({ kommo: { account: 'empty' }, config: { pbx: { trunks: TRUNKS[fx.name] ?? [] } } });
      await h.play(join(SHARED_DIR, `${fx.name}.ami`), { stampEverySec: 1 });
      const s = h.kommo.state();
      expect(h.outcomes.filter((o) => !o.ok)).toEqual([]);
      expect(s.calls.map((c) => c.uniq).sort()).toEqual(external.map(([id]) => id).sort());
      for (const [linkedid, want] of external) {
        const got = s.calls.find((c) => c.uniq === linkedid);
        const client = want.direction === 'inbound' ? want.from : want.to;
        expect(got).toMatchObject({ direction: want.direction, phone: client, call_status: RESULT_TO_KOMMO[want.result]?.call_status, source: 'hookline' });
        if (want.answered) expect(got?.duration, 'an answered call has a duration').toBeGreaterThan(0);
        // The client was new to the account: its contact was made with the number, and the log is on it.
        const contact = s.contacts.find((c) => c.id === got?.entity_id);
        expect(contact?.name).toBe(`Contact ${client}`);
      }
      // A missed call gets a task; these captures' external calls were all answered.
      expect(s.tasks).toHaveLength(external.filter(([, c]) => !c.answered).length);
      if (!external.length) expect(h.kommo.requests().filter((r) => r.method !== 'GET')).toEqual([]);
    });
  }
});
