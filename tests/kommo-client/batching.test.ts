import { describe, expect, it } from 'vitest';
import { createBatcher } from '../../engine/kommo/index.ts';
import { clientFor, errorOf, sent, startSim } from './helpers.ts';

const CALLS = 'POST /api/v4/calls';

describe('engine/kommo: batching', () => {
  it('sends 20 concurrent addCalls as one request', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    await Promise.all(Array.from({ length: 20 }, (_, i) => kommo.addCalls([{ direction: 'inbound', duration: i, source: 'hookline', phone: '+31260010001' }])));
    expect(sent(sim, CALLS)).toBe(1);
  });

  it('hands each caller the result of its own call', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => kommo.addCalls([{ direction: 'inbound', duration: i, source: 'hookline', phone: i % 2 ? '+31260010001' : '+31150010001' }])));
    const stored = new Map(sim.state().calls.map((c) => [c.id, c.duration]));
    const got = results.map((r, i) => (r[0]?.ok ? [stored.get(r[0].value.id), r[0].value.entity_type] : null));
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => [i, i % 2 ? 'lead' : 'contact']));
  });

  it('splits more than 250 items into requests of at most 250', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    const results = await kommo.addTasks(Array.from({ length: 300 }, (_, i) => ({ text: `t${i}`, complete_till: 1_900_000_000 })));
    expect([results.every((r) => r.ok), sim.requests({ route: 'POST /api/v4/tasks' }).map((x) => (x.body as unknown[]).length)]).toEqual([true, [250, 50]]);
  });

  it('keeps the items of one caller in its order', async () => {
    const sim = await startSim();
    const results = await clientFor(sim).addContacts([{ name: 'A' }, { name: 'B' }, { name: 'C' }]);
    const names = new Map(sim.state().contacts.map((c) => [c.id, c.name]));
    expect(results.map((r) => (r.ok ? [names.get(r.value.id), r.value.request_id] : null))).toEqual([['A', '0'], ['B', '1'], ['C', '2']]);
  });

  it('gives every caller of a batch the failure of the whole request, with its own linkedid', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'error', status: 503, times: 'always', path: '/api/v4/calls' });
    const kommo = clientFor(sim, { retry: { retries: 0, baseMs: 1, maxMs: 1 } });
    const [a, b] = await Promise.all([
      kommo.addCalls([{ direction: 'inbound', duration: 1, source: 'h', phone: '+31260010001' }], { linkedid: 'call-a' }),
      kommo.addCalls([{ direction: 'inbound', duration: 1, source: 'h', phone: '+31260010001' }], { linkedid: 'call-b' }),
    ]);
    expect([errorOf(a[0])?.where?.linkedid, errorOf(b[0])?.where?.linkedid, sent(sim, CALLS)]).toEqual(['call-a', 'call-b', 1]);
  });

  it('sends a full batch without waiting for the window', async () => {
    const seen: number[] = [];
    const b = createBatcher<number, number>({ maxItems: 3, windowMs: 60_000, send: async (entries) => { seen.push(entries.length); return entries.map((e) => ({ ok: true, value: e.item * 2 })); } });
    const r = await b.add([1, 2, 3]);
    expect([seen, r.map((x) => (x.ok ? x.value : null))]).toEqual([[3], [2, 4, 6]]);
  });

  it('with maxInFlight 1, what comes while a batch is out waits and goes as one batch when it is back (issue 20)', async () => {
    const seen: number[][] = [];
    let release: () => void = () => undefined;
    const b = createBatcher<number, number>({
      windowMs: 1, maxInFlight: 1,
      send: async (entries) => {
        seen.push(entries.map((e) => e.item));
        // The first batch waits (for a rate slot, for Kommo) until released.
        if (seen.length === 1) await new Promise<void>((r) => { release = r; });
        return entries.map((e) => ({ ok: true, value: e.item }));
      },
    });
    const first = b.add([1]);
    await new Promise((r) => setTimeout(r, 20));
    const later = [b.add([2]), b.add([3, 4])];
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([[1]]);
    release();
    const out = await Promise.all([first, ...later]);
    expect(seen).toEqual([[1], [2, 3, 4]]);
    expect(out.map((rs) => rs.map((x) => (x.ok ? x.value : null)))).toEqual([[1], [2], [3, 4]]);
    expect(b.counts()).toMatchObject({ batches: 2, items: 4 });
  });
});
