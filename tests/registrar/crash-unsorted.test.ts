/**
 * The crash test in unsorted mode, with Kommo adding a repeated source_uid as a duplicate (its current reference,
 * https://developers.kommo.com/reference/incoming-leads; sim/kommo's default): an incoming lead whose answer was
 * lost in the crash must be found again, not sent twice (issue 21, point 1).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DUPLICATE_TAG, startKommo, type KommoSim } from '../../sim/kommo/index.ts';
import { startPbx, type Pbx } from '../../sim/pbx/index.ts';
import { FIXTURES } from '../helpers/engine-harness.ts';
import { startCrashChild, until } from './crash-harness.ts';

let kommo: KommoSim;
let pbx: Pbx;
const dir = mkdtempSync(join(tmpdir(), 'hl-crash-unsorted-'));
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await pbx?.close();
  await kommo?.close();
  rmSync(dir, { recursive: true, force: true });
});

function startChild() {
  const c = startCrashChild({ dir, pbxPort: pbx.port, kommoUrl: kommo.url, rateWindowMs: 1000, config: { registration: { mode: 'unsorted' } } });
  children.push(c.child);
  return c;
}

it('unsorted mode, Kommo adding repeated incoming leads: the engine SIGKILLed mid-burst and restarted, every call registered once, no duplicate incoming lead', async () => {
  kommo = await startKommo({ account: 'empty', limits: { rateWindowMs: 1000 }, behaviour: { unsortedDuplicateSourceUid: 'add' } });
  pbx = await startPbx();
  const first = startChild();
  await until('the first engine', () => first.seen.ready);
  // Inbound calls from a new number become incoming leads (one each: the contact of one is hidden from the next);
  // outbound ones get a contact and a call log.
  const captures = ['caco-inbound-queue-caller-abandon.ami', 'caco-originate-ctd-outbound-busy.ami', 'caco-inbound-queue-answered.ami', 'caco-originate-ctd-outbound-answered.ami'];
  const ROUNDS = 6;
  for (let i = 0; i < ROUNDS; i++) for (const c of captures) await pbx.replay(readFileSync(join(FIXTURES, c)), { pace: 'asap', rewrite: true });
  first.child.stdin?.write('end\n');
  const total = ROUNDS * captures.length;
  await until('every call handed to the registrar', () => first.seen.submitted.size === total, 90_000);
  await until('a few calls registered', () => first.seen.registered.size >= 3);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  expect(first.seen.registered.size, 'killed mid-burst').toBeLessThan(total);

  const second = startChild();
  await until('the second engine', () => second.seen.ready);
  const done = () => new Set([...first.seen.registered, ...second.seen.registered, ...first.seen.failed, ...second.seen.failed]).size;
  await until('every call registered after the restart', () => done() >= total, 90_000);
  await new Promise((r) => setTimeout(r, 500));

  const s = kommo.state();
  const sourceUids = s.unsorted.map((u) => u.source_uid);
  expect(new Set(sourceUids).size, 'no incoming lead twice').toBe(sourceUids.length);
  expect(s.leads.filter((l) => l.tags.some((t) => t.name === DUPLICATE_TAG))).toEqual([]);
  const uniqs = s.calls.map((c) => c.uniq as string);
  expect(new Set(uniqs).size, 'no call log twice').toBe(uniqs.length);
  expect(uniqs.every((u) => !sourceUids.includes(u)), 'an incoming lead carries its call: no log for it').toBe(true);
  expect([...sourceUids, ...uniqs].sort()).toEqual([...first.seen.submitted].sort());
  expect(sourceUids).toHaveLength(ROUNDS * 2);
  expect(s.calls.every((c) => c.direction === 'outbound')).toBe(true);
  expect(second.seen.failed.size + first.seen.failed.size).toBe(0);
}, 240_000);
