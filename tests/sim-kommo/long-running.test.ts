import { describe, expect, it } from 'vitest';
import { useKommo } from './helpers.ts';

// `npm start` without a PBX runs the demo: sim/kommo in hookline's own process, registering a call every few
// seconds for as long as hookline runs (about 9,000 call records and 2,000 tasks a day). The write-only records
// must not pile up without bound.
describe('sim/kommo over a long run', () => {
  const k = useKommo({ maxCallsAndTasksKept: 5 });

  it('keeps the most recent calls and tasks (maxCallsAndTasksKept, oldest dropped first)', async () => {
    for (let i = 1; i <= 8; i++) {
      const c = await k.api('POST', '/api/v4/calls', [{ direction: 'inbound', duration: i, source: 'hookline', phone: '+31150010001', uniq: `1715000100.${i}`, call_status: 4 }]);
      expect(c.status).toBe(200);
      const t = await k.api('POST', '/api/v4/tasks', [{ text: `call back ${i}`, complete_till: 1_736_200_000 }]);
      expect(t.status).toBe(200);
    }
    const s = k.sim.state();
    expect(s.calls.map((c) => c.duration)).toEqual([4, 5, 6, 7, 8]);
    expect(s.tasks.map((t) => t.text)).toEqual(['call back 4', 'call back 5', 'call back 6', 'call back 7', 'call back 8']);
    // ids go on from where they were: a dropped record's id is not given out again
    expect(s.calls.at(-1)?.id).toBe(3_000_008);
  });
});

describe('sim/kommo request log over a long run', () => {
  const k = useKommo({ maxRequestsLoggedBytes: 200_000 });

  it('keeps the newest records within maxRequestsLoggedBytes of bodies and responses, oldest dropped first', async () => {
    // In the demo every missed call adds a task to one of a few contacts, and the registrar lists the contact's
    // open tasks before adding one: each logged answer carried every task so far (up to a page of 250), and
    // the log kept 10,000 of them (a soak of the demo service grew ~18 KB per call, held by these records).
    const tasks = Array.from({ length: 200 }, (_, i) => ({ text: `call back ${i}`, complete_till: 1_736_200_000, entity_type: 'contacts', entity_id: 1_000_001 }));
    expect((await k.api('POST', '/api/v4/tasks', tasks)).status).toBe(200);
    for (let i = 0; i < 20; i++) {
      const r = await k.api('GET', '/api/v4/tasks?filter[entity_type]=contacts&filter[entity_id][]=1000001&limit=250');
      expect(r.body._embedded.tasks).toHaveLength(200);
    }
    const kept = k.sim.requests();
    const bytes = kept.reduce((n, r) => n + JSON.stringify(r.body ?? null).length + JSON.stringify(r.response ?? null).length, 0);
    expect(bytes).toBeLessThanOrEqual(200_000);
    expect(kept.at(-1)?.route).toBe('GET /api/v4/tasks');
    expect(kept.length).toBeGreaterThan(0);
    // the counters still count every request
    expect(k.sim.counters().requests).toBe(21);
  });
});
