/**
 * Issue 20: the registration bench must tell the truth. It runs Kommo's clock TIME_SCALE times faster, with
 * every time constant of the path scaled together (bench/suites/registration.ts, `timings`); here the same
 * burst runs at Kommo's real pace (7 requests a second, 30 s caches, 50 ms batch windows) and scaled, and the
 * scaled requests per call must match the real one.
 *
 * The burst: 60 calls from 20 new clients, 30% missed (~65 requests, ~8-10 s at the real pace). The figure of
 * so small a burst swings from run to run with how its writes fall into batches, at either pace (measured:
 * 0.85-1.12 requests per call real, 0.93-1.18 at 4×, 1.08-1.55 at 10×): the scaled side is run three times and
 * its median must lie within TOLERANCE of the real figure. This is a test of the bench's honesty, not of speed.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../../engine/kommo/backoff.ts';
import { DEFAULT_LIMITS } from '../../sim/kommo/index.ts';
import { burstCalls, registrationBurst, TIME_SCALE, timings, type BurstResult } from '../../bench/suites/registration.ts';

const CALLS = 60;
const CLIENTS = 20;
/** Requests per call: the run-to-run swing of this burst's figure at the real pace (0.27 measured), and a margin. */
const TOLERANCE = 0.3;

function clean(r: BurstResult): void {
  expect({ status429: r.status429, lost: r.lost, failed: r.failed, duplicates: r.duplicates, registered: r.registered })
    .toEqual({ status429: 0, lost: 0, failed: 0, duplicates: 0, registered: CALLS });
}

describe('the registration bench at its time scale against the real pace (issue 20)', () => {
  it('timings(1) are the real values the engine and sim/kommo default to', () => {
    const real = timings(1);
    expect(real.kommo.retry).toEqual({ baseMs: DEFAULT_RETRY.baseMs, maxMs: DEFAULT_RETRY.maxMs });
    expect(real.sim).toEqual({
      rateWindowMs: DEFAULT_LIMITS.rateWindowMs, blockCountWindowMs: DEFAULT_LIMITS.blockCountWindowMs,
      blockDurationMs: DEFAULT_LIMITS.blockDurationMs, repeatedRequestsWindowMs: DEFAULT_LIMITS.repeatedRequestsWindowMs,
    });
    expect(real.kommo.rateWindowMs).toBe(real.sim.rateWindowMs);
    // Every constant is divided by the same scale.
    const scaled = timings(TIME_SCALE);
    const leaves = (o: object): number[] => Object.values(o).flatMap((v) => (typeof v === 'number' ? [v] : leaves(v as object)));
    expect(leaves(scaled)).toEqual(leaves(real).map((v) => v / TIME_SCALE));
  });

  it(`a burst of ${CALLS} calls: requests per call scaled ×${TIME_SCALE} within ${TOLERANCE} of the real pace`, async () => {
    const work = burstCalls(CALLS, CLIENTS);
    const real = await registrationBurst(work, { timeScale: 1 });
    clean(real);
    const scaled: BurstResult[] = [];
    for (let i = 0; i < 3; i += 1) scaled.push(await registrationBurst(work, { timeScale: TIME_SCALE }));
    for (const r of scaled) clean(r);
    const figures = scaled.map((r) => r.requestsPerCall).sort((a, b) => a - b);
    const median = figures[1]!;
    const said = `real ${real.requestsPerCall.toFixed(2)} (${(real.ms / 1000).toFixed(1)} s), scaled ×${TIME_SCALE} ${figures.map((f) => f.toFixed(2)).join(', ')}`;
    console.log(`registration pace: ${said}`);
    expect(Math.abs(median - real.requestsPerCall), said).toBeLessThanOrEqual(TOLERANCE);
  }, 90_000);
});
