import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OUTBOX_FILE, openOutbox } from '../../engine/outbox/index.ts';
import { createMemoryLogger } from '../../log/index.ts';

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

  it('a compaction that fails crashes and stalls nothing: the journal is kept, a write that cannot reach it fails with a clear error, and writes go on once it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-outbox-race-'));
    dirs.push(dir);
    const file = join(dir, OUTBOX_FILE);
    const a = await openOutbox(dir);
    await a.add('L0', { n: 0 });
    await a.add('L1', { n: 1 });
    await a.step('L0', 'call', { status: 'sending', data: { pad: 'x'.repeat(3_000) } });
    await a.close();
    const { log, lines } = createMemoryLogger();
    const o = await openOutbox(dir, { compactBytes: statSync(file).size + 10, log });
    // A folder takes the journal's place: the open handle still appends to the journal (moved aside), but the
    // compaction cannot rename its new file over a folder, and reopening the journal fails (EISDIR).
    renameSync(file, `${file}.aside`);
    mkdirSync(file);
    await o.complete('L0', { ok: true }); // written, and it starts the compaction that fails
    await expect(o.attempt('L1')).rejects.toThrow(new RegExp(`^writing the outbox ${file} failed \\(EISDIR`));
    expect(lines().map((l) => String(l.msg))).toContainEqual(expect.stringMatching(new RegExp(`^compacting the outbox ${file} failed .*EISDIR.*; it was left as it was and grows until the next try in 60 s`)));
    rmdirSync(file);
    renameSync(`${file}.aside`, file);
    await o.step('L1', 'call', { status: 'done' });
    await o.close();
    const again = await openOutbox(dir);
    expect(again.isDone('L0')).toBe(true);
    expect(again.job('L1')?.steps.call?.status).toBe('done');
    await again.close();
  });
});
