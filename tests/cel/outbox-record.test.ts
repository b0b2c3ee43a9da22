/**
 * The outbox's record of registered linkedids, as the catch-up needs it: with `rememberDoneMs` a finished call
 * is remembered at least that long however many calls follow (by count alone, a busy day would push out a call
 * the catch-up reads again), across a restart; pending calls count as known; and a record larger than the
 * compaction threshold does not make every write compact.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openOutbox, OUTBOX_FILE } from '../../engine/outbox/index.ts';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'hl-outbox-record-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function finish(o: Awaited<ReturnType<typeof openOutbox>>, id: string) {
  await o.add(id, { id });
  await o.complete(id, { ok: true });
}

describe('outbox: registered linkedids kept for the longest gap', () => {
  it('kept for rememberDoneMs past the count, dropped oldest first after it, the same after a restart', async () => {
    const dir = fresh();
    let t = 1_000_000;
    const now = () => t;
    const o = await openOutbox(dir, { now, fsync: false, rememberDone: 2, rememberDoneMs: 60_000 });
    for (const id of ['a', 'b', 'c', 'd']) await finish(o, id);
    expect(['a', 'b', 'c', 'd'].map((id) => o.knows(id))).toEqual([true, true, true, true]);
    expect(o.rememberedSince()).toBeNull();
    t += 61_000;
    await finish(o, 'e');
    // a-d are past the time; the count (2) keeps d and e
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => o.knows(id))).toEqual([false, false, false, true, true]);
    expect(o.rememberedSince()).toBe(1_000_000);
    await o.add('p', { id: 'p' });
    expect(o.knows('p')).toBe(true);
    await o.close();
    const again = await openOutbox(dir, { now, fsync: false, rememberDone: 2, rememberDoneMs: 60_000 });
    expect(['c', 'd', 'e', 'p'].map((id) => again.knows(id))).toEqual([false, true, true, true]);
    await again.close();
  });

  it('by count only without rememberDoneMs (as before)', async () => {
    const o = await openOutbox(fresh(), { fsync: false, rememberDone: 2 });
    for (const id of ['a', 'b', 'c']) await finish(o, id);
    expect(['a', 'b', 'c'].map((id) => o.isDone(id))).toEqual([false, true, true]);
    await o.close();
  });

  it('a record larger than compactBytes compacts again only once the journal has doubled', async () => {
    const dir = fresh();
    const o = await openOutbox(dir, { fsync: false, rememberDoneMs: 3_600_000, compactBytes: 2_000 });
    for (let i = 0; i < 60; i++) await finish(o, `call-${i}`);
    const text = readFileSync(join(dir, OUTBOX_FILE), 'utf8');
    // a compaction leaves one `done` line per finished call and no `add`: without the doubling rule every write
    // past 2,000 bytes would compact, and the last call's `add` would be gone already
    expect(statSync(join(dir, OUTBOX_FILE)).size).toBeGreaterThan(2_000);
    expect(text).toContain('{"t":"add","id":"call-59"');
    expect(['call-0', 'call-59'].map((id) => o.knows(id))).toEqual([true, true]);
    await o.close();
  });
});
