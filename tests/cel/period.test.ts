/**
 * runPeriod over a CSV file (cel_custom): only calls that ended in the period, the ones the outbox knows
 * counted and not rebuilt, a period older than the outbox's record said as a problem, and rows written out of
 * order (lines of calls interleaved, a call's lines not in time order) read back in order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_DEFAULT_COLUMNS, csvSource, runPeriod, type PeriodTarget } from '../../cel/index.ts';
import type { FinishedCall } from '../../engine/calls/index.ts';
import { silentLogger } from '../../log/index.ts';
import { createRunner, type Runner } from '../../sandbox/index.ts';
import { defaultStages } from '../helpers/stages.ts';
import { inboundCall, linkedidOf, type Row } from '../../sim/cel/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'hl-cel-period-'));
let runner: Runner;
beforeAll(() => {
  runner = createRunner();
});
afterAll(async () => {
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 5, 1, 10, 0, 0);
const calls = Array.from({ length: 6 }, (_, i) => inboundCall(i + 1, T0 + i * 30_000, 1780300000));
const line = (r: Row) => CSV_DEFAULT_COLUMNS.map((c) => `"${(r[c] ?? '').replaceAll('"', '""')}"`).join(',');

function target(known: Set<string>, recordSince: number | null, got: FinishedCall[]): PeriodTarget {
  return {
    zones: { cel: 'UTC', pbx: 'UTC' }, tracker: {}, stages: defaultStages(runner), log: silentLogger,
    known: (id) => known.has(id),
    recordSince: () => recordSince,
    submit: async (c) => {
      got.push(c);
      return 'queued';
    },
  };
}

describe('runPeriod over cel_custom lines', () => {
  it('takes the calls that ended in the period, skips the known ones, says when the record does not reach back', async () => {
    const path = join(dir, 'a.csv');
    writeFileSync(path, `${calls.flat().map(line).join('\n')}\n`);
    const got: FinishedCall[] = [];
    const ids = calls.map(linkedidOf);
    // calls end 40 s after they start: 10:00:40, 10:01:10, … 10:03:10; the period takes the 2nd to the 5th
    const r = await runPeriod(csvSource(path, 'UTC'), target(new Set([ids[2]!]), T0 + 3_600_000, got), { from: T0 + 60_000, to: T0 + 170_000, batch: 2 });
    expect(r).toMatchObject({ found: 4, read: 4, registered: 3, already: 1, skipped: 0, left: 0, resumeFrom: null, error: null });
    expect(got.map((c) => c.linkedid)).toEqual([ids[1], ids[3], ids[4]]);
    expect(got[0]).toMatchObject({ direction: 'inbound', from: '79161000002', answered: true });
    expect(r.problems).toEqual([expect.stringMatching(/^the outbox remembers registered calls only since 2026-06-01T11:00:00\.000Z .*may be written again$/)]);
  });

  it('lines written out of order give the same calls as lines in order', async () => {
    const inOrder = join(dir, 'in-order.csv');
    const shuffled = join(dir, 'shuffled.csv');
    writeFileSync(inOrder, `${calls.flat().map(line).join('\n')}\n`);
    // interleaved calls, and each call's lines reversed
    const mixed: string[] = [];
    for (let k = 0; k < 11; k++) for (const c of [...calls].reverse()) mixed.push(line(c[10 - k]!));
    writeFileSync(shuffled, `${mixed.join('\n')}\n`);
    const a: FinishedCall[] = [];
    const b: FinishedCall[] = [];
    await runPeriod(csvSource(inOrder, 'UTC'), target(new Set(), null, a), { from: T0, to: T0 + 3_600_000 });
    await runPeriod(csvSource(shuffled, 'UTC'), target(new Set(), null, b), { from: T0, to: T0 + 3_600_000 });
    expect(a.length).toBe(6);
    expect(b).toEqual(a);
  });
});
