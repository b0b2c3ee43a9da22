import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startKommo, type KommoSim } from '../../sim/kommo/index.ts';
import { startPbx, type Pbx } from '../../sim/pbx/index.ts';
import { FIXTURES } from '../helpers/engine-harness.ts';
import { startCrashChild, until } from './crash-harness.ts';

let kommo: KommoSim;
let pbx: Pbx;
const dir = mkdtempSync(join(tmpdir(), 'hl-crash-'));
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await pbx?.close();
  await kommo?.close();
  rmSync(dir, { recursive: true, force: true });
});

function startChild(rateWindowMs: number) {
  const c = startCrashChild({ dir, pbxPort: pbx.port, kommoUrl: kommo.url, rateWindowMs });
  children.push(c.child);
  return c;
}

it('the engine killed (SIGKILL) in the middle of a burst and restarted: every call registered exactly once, nothing lost', async () => {
  // New clients (empty account): each call's contact is created by the first call of its number, so a lost
  // or repeated step would show as a missing or second contact, call log or task.
  kommo = await startKommo({ account: 'empty', limits: { rateWindowMs: 1000 } });
  pbx = await startPbx();
  const first = startChild(1000);
  await until('the first engine', () => first.seen.ready);
  const captures = ['caco-inbound-queue-caller-abandon.ami', 'caco-originate-ctd-outbound-busy.ami', 'caco-inbound-queue-answered.ami', 'caco-originate-ctd-outbound-answered.ami'];
  const ROUNDS = 6;
  for (let i = 0; i < ROUNDS; i++) for (const c of captures) await pbx.replay(readFileSync(join(FIXTURES, c)), { pace: 'asap', rewrite: true });
  first.child.stdin?.write('end\n');
  const total = ROUNDS * captures.length;
  await until('every call handed to the registrar', () => first.seen.submitted.size === total, 90_000);
  // Kill it while registrations are under way (Kommo's own 7 requests per second: the burst takes seconds).
  await until('a few calls registered', () => first.seen.registered.size >= 3);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  const before = first.seen.registered.size;
  expect(before, 'killed mid-burst').toBeLessThan(total);

  const second = startChild(1000);
  await until('the second engine', () => second.seen.ready);
  const pending = Number(/ready pending=(\d+)/.exec(second.seen.text)?.[1]);
  expect(pending, 'the restarted engine found the unfinished calls in the outbox').toBeGreaterThan(0);
  expect(pending).toBeLessThanOrEqual(total - before);
  await until('every call registered after the restart', () => first.seen.registered.size + second.seen.registered.size >= total || kommo.state().calls.length >= total, 90_000);
  await until('the registrar settles', () => kommo.state().calls.length >= total);
  await new Promise((r) => setTimeout(r, 500));

  const state = kommo.state();
  const uniqs = state.calls.map((c) => c.uniq);
  expect(new Set(uniqs).size, 'no call log twice').toBe(uniqs.length);
  expect(uniqs.sort()).toEqual([...first.seen.submitted].sort());
  // Two client numbers in the captures: exactly two contacts.
  expect(state.contacts.map((c) => c.name).sort()).toEqual(['Contact +31150010001', 'Contact +31260010001']);
  // A task per missed call (the abandoned inbound and the busy outbound), each once.
  expect(state.tasks).toHaveLength(ROUNDS * 2);
  expect(second.seen.failed.size + first.seen.failed.size).toBe(0);
}, 240_000);
