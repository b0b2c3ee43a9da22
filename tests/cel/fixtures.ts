/**
 * The wazo-cel-* fixtures (CEL tables of a real PBX's tests, rendered as AMI `Event: CEL` blocks; ../shared only,
 * GPL) as AMI gives their calls and as cel rows for a table or a CSV file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAmiText, type AmiMessage } from '../../ami-wire/index.ts';
import { instantOf, runPeriod, type CelSource, type PeriodReport } from '../../cel/index.ts';
import type { FinishedCall } from '../../engine/calls/index.ts';
import { silentLogger } from '../../log/index.ts';
import type { Runner } from '../../sandbox/index.ts';
import { SHARED_AMI } from '../helpers/shared.ts';
import { defaultStages } from '../helpers/stages.ts';
import { startFollower, until } from '../helpers/follower.ts';
import { eventsToRows } from '../../sim/cel/index.ts';

export const sharedThere = existsSync(SHARED_AMI);
export const SKIP_NOTE = `${SHARED_AMI} is absent: the wazo-cel fixtures are not shipped (GPL); these tests are SKIPPED`;

export function wazoFixtures(): { name: string; text: string; events: AmiMessage[] }[] {
  if (!sharedThere) return [];
  return readdirSync(SHARED_AMI)
    .filter((f) => f.startsWith('wazo-cel-') && f.endsWith('.ami'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(SHARED_AMI, f), 'utf8');
      return { name: f.replace(/\.ami$/, ''), text, events: parseAmiText(text) };
    });
}

/** Linkedids whose LINKEDID_END is in the events: the calls CEL gives as ended. */
export function endedIds(events: AmiMessage[]): string[] {
  return [...new Set(events.filter((e) => e.EventName === 'LINKEDID_END').map((e) => String(e.LinkedID)))];
}

/** Every fixture played over AMI (sim/pbx over TCP → our client → followCalls), the calls it finished. */
export async function callsOverAmi(texts: string[], want: number): Promise<FinishedCall[]> {
  const f = await startFollower();
  try {
    for (const t of texts) await f.pbx.replay(t, { pace: 'asap' });
    await until(() => f.finished.length >= want, 20_000);
    await f.follower.idle();
    return [...f.finished];
  } finally {
    await f.close();
  }
}

/** The rows with eventtime as the PBX's local text (UTC here), as a table without time zones holds it. */
export function rowsLocal(events: AmiMessage[]): Record<string, string>[] {
  return eventsToRows(events).map((r) => ({ ...r, eventtime: localUtc(r.eventtime ?? '') }));
}

export function localUtc(t: string): string {
  const ms = instantOf(t, 'UTC');
  const d = new Date(ms).toISOString();
  const micro = /\.(\d+)/.exec(t)?.[1]?.padEnd(6, '0').slice(0, 6) ?? '000000';
  return `${d.slice(0, 10)} ${d.slice(11, 19)}.${micro}`;
}

/** The calls CEL gives for a period, rebuilt through the same stages, without registering anything. */
export async function callsFromCel(source: CelSource, runner: Runner, from = Date.UTC(2000, 0, 1), to = Date.UTC(2100, 0, 1)): Promise<{ calls: FinishedCall[]; report: PeriodReport }> {
  const calls: FinishedCall[] = [];
  const report = await runPeriod(source, {
    zones: { cel: 'UTC', pbx: 'UTC' }, tracker: {}, stages: defaultStages(runner), log: silentLogger,
    known: () => false,
    submit: async (c) => {
      calls.push(c);
      return 'queued';
    },
  }, { from, to });
  return { calls, report };
}

export const byId = (a: FinishedCall, b: FinishedCall) => a.linkedid.localeCompare(b.linkedid);

/** The rows with eventtime as epoch seconds (cel.conf without dateformat, as cel_custom writes it). */
export function instantRows(events: AmiMessage[]): Record<string, string>[] {
  return eventsToRows(events).map((r) => {
    const t = r.eventtime ?? '';
    const micro = /\.(\d+)/.exec(t)?.[1]?.padEnd(6, '0').slice(0, 6) ?? '000000';
    return { ...r, eventtime: `${Math.floor(instantOf(t, 'UTC') / 1000)}.${micro}` };
  });
}
