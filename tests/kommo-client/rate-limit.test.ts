import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../engine/kommo/index.ts';
import { clientFor, startSim, WINDOW_MS } from './helpers.ts';

describe('engine/kommo: rate limit', () => {
  it('sends 30 requests fired at once with no 429', async () => {
    const sim = await startSim();
    const kommo = clientFor(sim);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => kommo.getContact(1000001 + (i % 3))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect([sim.counters().requests, sim.counters().status429]).toEqual([30, 0]);
  });

  it('sends 30 writes and reads interleaved, with latency added by the server, with no 429', async () => {
    const sim = await startSim();
    sim.fail({ kind: 'delay', ms: 30, times: 10 });
    const kommo = clientFor(sim, { batch: { windowMs: 0 } });
    const jobs = Array.from({ length: 30 }, (_, i) => (i % 2 === 0
      ? kommo.account()
      : kommo.addTasks([{ text: `t${i}`, complete_till: 1_900_000_000 }]).then((r) => r[0] as { ok: boolean })));
    const results = await Promise.all(jobs);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(sim.counters().status429).toBe(0);
  });

  it('never lets more than the limit start within one window (measured on its own clock)', async () => {
    let t = 0;
    const limiter = createRateLimiter({ limit: 3, windowMs: 50, marginMs: 0, now: () => t });
    const starts: number[] = [];
    const run = async () => {
      const slot = await limiter.acquire();
      starts.push(t);
      await new Promise((r) => setTimeout(r, 1));
      slot.release();
    };
    const ticker = setInterval(() => { t += 5; }, 1);
    await Promise.all(Array.from({ length: 12 }, run));
    clearInterval(ticker);
    const crowded = starts.filter((s, i) => starts.filter((x, j) => j !== i && x >= s && x < s + 50).length >= 3);
    expect(crowded).toEqual([]);
  });

  it('slows down after a 429 when the account allows fewer requests than configured, and is not blocked', async () => {
    // The client believes in 7 per window; the account allows 2, and 8 answers of 429 within a minute block it.
    const sim = await startSim({ limits: { requestsPerSecond: 2, blockAfter429Count: 8 } });
    const kommo = clientFor(sim, { retry: { retries: 8, baseMs: WINDOW_MS, maxMs: 4 * WINDOW_MS } });
    const results = await Promise.all(Array.from({ length: 20 }, () => kommo.account()));
    expect([results.every((r) => r.ok), sim.counters().status403]).toEqual([true, 0]);
  });
});
