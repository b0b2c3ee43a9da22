/**
 * Starts a fresh emulator on port 0 before each test and closes it after. The clock belongs to the
 * emulator: tests move it forward instead of sleeping, and the per-second limit is raised unless a test
 * is about the limit itself.
 */
import { afterEach, beforeEach } from 'vitest';
import { DEFAULT_LONG_LIVED_TOKEN, startKommo, type KommoSim, type StartKommoOptions } from '../../sim/kommo/index.ts';

export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
export const TOKEN = DEFAULT_LONG_LIVED_TOKEN;

export interface Answer {
  status: number;
  type: string | null;
  text: string;
  body: any;
}

export interface KommoHarness {
  readonly sim: KommoSim;
  clock: { now: number; advance(ms: number): void };
  api(method: string, path: string, body?: unknown, opts?: { token?: string | null; raw?: string; contentType?: string }): Promise<Answer>;
}

export async function call(url: string, method: string, body?: unknown, opts: { token?: string | null; raw?: string; contentType?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const r = await fetch(url, { method, headers, body: payload });
  const text = await r.text();
  let parsed: unknown = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
  return { status: r.status, type: r.headers.get('content-type'), text, body: parsed };
}

export function useKommo(options: StartKommoOptions = {}): KommoHarness {
  let sim: KommoSim | undefined;
  const clock = { now: T0, advance(ms: number) { clock.now += ms; } };
  beforeEach(async () => {
    clock.now = T0;
    sim = await startKommo({ now: () => clock.now, ...options, limits: { requestsPerSecond: 10_000, ...options.limits } });
  });
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  return {
    get sim() {
      if (!sim) throw new Error('the emulator is started in beforeEach');
      return sim;
    },
    clock,
    api(method, path, body, opts) {
      if (!sim) throw new Error('the emulator is started in beforeEach');
      return call(sim.url + path, method, body, opts);
    },
  };
}

/** A contact write with one `PHONE` value. */
export function contactWithPhone(name: string, phone: string, enumCode = 'WORK'): Record<string, unknown> {
  return { name, custom_fields_values: [{ field_code: 'PHONE', values: [{ value: phone, enum_code: enumCode }] }] };
}
