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
