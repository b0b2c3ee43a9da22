/**
 * Each test gets its own sim/kommo on port 0 and a client pointed at it. The rate window is shrunk to
 * 100 ms on both sides (7 requests per 100 ms) so limit tests run in a fraction of a second; the clock
 * that decides token expiry is shared by the emulator and the client and moved forward by the test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createKommoClient, type KommoClient, type KommoClientOptions, type KommoError, type KommoResult } from '../../engine/kommo/index.ts';
import { DEFAULT_LONG_LIVED_TOKEN, startKommo, type KommoSim, type StartKommoOptions } from '../../sim/kommo/index.ts';

export const WINDOW_MS = 100;

/** Real time plus an offset the test moves forward (the emulator's rate window needs time to pass). */
export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export function makeClock(): Clock {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => { offset += ms; } };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await (cleanups.pop() as () => Promise<void>)();
});

export async function startSim(options: StartKommoOptions = {}): Promise<KommoSim> {
  const sim = await startKommo({ ...options, limits: { rateWindowMs: WINDOW_MS, ...options.limits } });
  cleanups.push(() => sim.close());
  return sim;
}

export function clientFor(sim: KommoSim, options: Partial<KommoClientOptions> = {}): KommoClient {
  return createKommoClient({
    baseUrl: sim.url,
    auth: { kind: 'long-lived', token: DEFAULT_LONG_LIVED_TOKEN },
    rateWindowMs: WINDOW_MS,
    timeoutMs: 2_000,
    retry: { retries: 3, baseMs: 5, maxMs: 20 },
    batch: { windowMs: 20 },
    ...options,
  });
}

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hookline-kommo-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** How many requests the emulator received on a route ('POST /api/v4/calls'). */
export function sent(sim: KommoSim, route: string): number {
  return sim.counters().byRoute[route] ?? 0;
}

/** The error of a result, or null when it succeeded (or is missing). */
export function errorOf<T>(r: KommoResult<T> | undefined): KommoError | null {
  return r && !r.ok ? r.error : null;
}
