import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OUTBOX_FILE, openOutbox } from '../../engine/outbox/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('outbox compaction racing appends', () => {
  it('a record appended while the journal is being compacted is written once (an attempt is not counted twice)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-outbox-race-'));
    dirs.push(dir);
    // L0 carries a big step; finishing it takes the journal past compactBytes, and the compacted file is small.
    const a = await openOutbox(dir);
    await a.add('L0', { n: 0 });
    await a.add('L1', { n: 1 });
    await a.step('L0', 'call', { status: 'sending', data: { pad: 'x'.repeat(3_000) } });
    await a.step('L1', 'call', { status: 'sending', data: { phone: '+1' } });
    await a.close();
    const o = await openOutbox(dir, { compactBytes: statSync(join(dir, OUTBOX_FILE)).size + 10 });
    // Compaction starts as soon as this is acknowledged, and the attempt below is appended while it runs (as the
    // registrar counts one right after a call's failure is recorded).
    await o.complete('L0', { ok: true });
    await o.attempt('L1');
    expect(o.job('L1')?.attempts).toBe(1);
    await o.close();
    const tries = readFileSync(join(dir, OUTBOX_FILE), 'utf8').split('\n').filter((l) => l.includes('"t":"try"'));
    expect(tries).toHaveLength(1);
    const again = await openOutbox(dir);
    expect(again.job('L1')?.attempts).toBe(1);
    expect(again.job('L1')?.steps.call?.status).toBe('sending');
    await again.close();
  });

  it('many attempts and steps appended across several compactions all survive a reopen, each counted once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-outbox-race-'));
    dirs.push(dir);
    const o = await openOutbox(dir, { compactBytes: 10_000 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => o.add(`L${i}`, { i })));
    for (let round = 0; round < 10; round++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => o.step(`L${i}`, 'call', { status: 'sending', data: { round, pad: 'y'.repeat(20) } })));
      await Promise.all(Array.from({ length: 20 }, (_, i) => o.attempt(`L${i}`)));
    }
    await Promise.all(Array.from({ length: 10 }, (_, i) => o.complete(`L${i}`, { ok: true })));
    await o.close();
    const again = await openOutbox(dir);
    expect(again.depth()).toBe(10);
    for (let i = 10; i < 20; i++) {
      const j = again.job(`L${i}`);
      expect(j?.attempts, `attempts of L${i}`).toBe(10);
      expect(j?.steps.call?.data).toMatchObject({ round: 9 });
    }
    for (let i = 0; i < 10; i++) expect(again.isDone(`L${i}`)).toBe(true);
    await again.close();
  });
});
