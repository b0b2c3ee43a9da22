/**
 * Issue 16, item 1: stories on disk. The framing (a damaged or torn record costs that record alone), the bounds
 * (calls, bytes, days; events for fewer calls), purge, and kill -9 while stories are written: on restart every
 * story before the last is intact.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frameRecord, readFrames } from '../../durable/index.ts';
import { openSegmentLog, openStoryStore, segmentBytesOf, type StorySummary } from '../../stories/index.ts';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hl-stories-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function summary(linkedid: string, at: number, extra: Partial<StorySummary> = {}): StorySummary {
  return {
    linkedid, at, startedAt: new Date(at).toISOString(), endedAt: '', direction: 'inbound', from: '+31201234567', to: '201', answered: true, answeredBy: '201',
    durationSec: 1, result: 200, outcome: 'registered', reason: null, error: null, hooks: 0, kommoWrites: 0, events: 1, ...extra,
  };
}
const body = (linkedid: string) => () => JSON.stringify({ v: 1, summary: { linkedid }, call: null, hooks: [], kommo: [], entities: [] });

describe('framing', () => {
  it('keeps every whole record, skips a damaged one and says a torn tail', () => {
    const lines = ['{"a":1}', '{"b":"é"}', '{"c":3}'].map(frameRecord);
    const damaged = lines[1]?.replace('é', 'e') ?? '';
    const buf = Buffer.from(`${lines[0]}${damaged}${lines[2]}${lines[0]?.slice(0, 9)}`);
    const r = readFrames(buf);
    expect(r.records.map((x) => x.json)).toEqual(['{"a":1}', '{"c":3}']);
    expect(r.bad).toBe(1);
    expect(r.torn).toBe(true);
  });
});

describe('the story store', () => {
  it('serves what it wrote after a restart, newest first, with filters', async () => {
    const dir = temp();
    const s = openStoryStore(dir);
    const t0 = Date.now() - 60_000;
    s.add(summary('a', t0 + 1000, { from: '+31 20 111', outcome: 'skipped' }), body('a'), [{ Event: 'Newchannel', Linkedid: 'a' }]);
    s.add(summary('b', t0 + 2000, { from: '+31 20 222', direction: 'outbound', answered: false }), body('b'), null);
    s.add(summary('c', t0 + 3000, { from: '+31 20 333', outcome: 'failed' }), body('c'), [{ Event: 'Hangup', Linkedid: 'c' }]);
    await s.close();
    const t = openStoryStore(dir);
    expect(t.list().map((x) => x.linkedid)).toEqual(['c', 'b', 'a']);
    expect(t.list({ number: '222' }).map((x) => x.linkedid)).toEqual(['b']);
    expect(t.list({ outcome: 'failed' }).map((x) => x.linkedid)).toEqual(['c']);
    expect(t.list({ before: t0 + 3000, limit: 1 }).map((x) => x.linkedid)).toEqual(['b']);
    expect(t.list({ answered: false }).map((x) => x.linkedid)).toEqual(['b']);
    expect(t.get('a')?.summary).toEqual({ linkedid: 'a', events: 1 });
    expect(t.events('c')).toEqual([{ Event: 'Hangup', Linkedid: 'c' }]);
    expect(t.events('b')).toBeNull();
    await t.close();
  });

  it('keeps within the bounds: calls, events for fewer calls, days and bytes', async () => {
    const dir = temp();
    let now = 100 * 86_400_000;
    const s = openStoryStore(dir, { maxCalls: 50, maxDays: 2, maxBytes: 400_000, eventsCalls: 10 }, { now: () => now });
    for (let i = 0; i < 200; i++) s.add(summary(`k${i}`, now - 1000 + i), body(`k${i}`), [{ Event: 'Newchannel', Linkedid: `k${i}`, Pad: 'y'.repeat(300) }]);
    await s.flush();
    expect(s.list({ limit: 1000 }).length).toBe(50);
    expect(s.list({ limit: 1000 })[0]?.linkedid).toBe('k199');
    expect(s.list({ limit: 1000 }).filter((x) => x.events > 0).length).toBe(10);
    expect(s.get('k149')).toBeNull();
    expect(s.events('k189')).toBeNull();
    expect(s.events('k190')).not.toBeNull();
    // bytes: many large stories; the folder stays near its bound (whole segments go)
    const big = () => JSON.stringify({ v: 1, pad: 'z'.repeat(10_000) });
    for (let i = 0; i < 100; i++) s.add(summary(`b${i}`, now + i), big, null);
    await s.flush();
    expect(segmentBytesOf(s.dir)).toBeLessThan(200_000 + 64 * 1024 + 20_000);
    expect(s.get('b99')).not.toBeNull();
    // days: two days on, the next write drops what is older
    now += 3 * 86_400_000;
    s.add(summary('late', now), body('late'), null);
    await s.flush();
    expect(s.list({ limit: 1000 }).map((x) => x.linkedid)).toEqual(['late']);
    await s.close();
  });

  it('loses only the damaged record when a segment is damaged in the middle, and only the torn one at the end', async () => {
    const dir = temp();
    const s = openStoryStore(dir);
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < 5; i++) s.add(summary(`d${i}`, t0 + i), body(`d${i}`), null);
    await s.close();
    const seg = join(dir, 'stories', readdirSync(join(dir, 'stories')).find((f) => f.endsWith('.log')) as string);
    const text = readFileSync(seg, 'utf8');
    // damage d2's body: its JSON no longer matches its checksum
    writeFileSync(seg, text.replace('"linkedid":"d2"}', '"linkedid":"D2"}'));
    appendFileSync(seg, frameRecord('{"b":{"half":').slice(0, 12));
    const t = openStoryStore(dir);
    expect(t.list().map((x) => x.linkedid)).toEqual(['d4', 'd3', 'd2', 'd1', 'd0']);
    expect(t.get('d2')).toBeNull();
    for (const k of ['d0', 'd1', 'd3', 'd4']) expect(t.get(k)?.summary).toEqual({ linkedid: k, events: 0 });
    // written after the damage: a new segment, read back whole
    t.add(summary('d5', t0 + 10), body('d5'), null);
    await t.close();
    const u = openStoryStore(dir);
    expect(u.get('d5')?.summary).toEqual({ linkedid: 'd5', events: 0 });
    await u.close();
  });

  it('purge removes the records from disk', async () => {
    const dir = temp();
    const s = openStoryStore(dir);
    const t0 = Date.now() - 60_000;
    s.add(summary('old', t0, { from: '+31611111111' }), body('old'), [{ Event: 'X', Linkedid: 'old', CallerIDNum: '+31611111111' }]);
    s.add(summary('new', t0 + 5000), body('new'), null);
    await s.flush();
    expect(await s.purge(t0 + 2000)).toEqual({ stories: 1, events: 1 });
    const all = [join(dir, 'stories'), join(dir, 'stories', 'events')].flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(d, f), 'utf8'))).join('');
    expect(all).not.toContain('31611111111');
    expect(s.list().map((x) => x.linkedid)).toEqual(['new']);
    await s.close();
  });

  it('a segment log with a record written again keeps the later one', async () => {
    const dir = temp();
    const log = openSegmentLog<{ n: number }>({ dir, maxRecords: 10, maxBytes: 1 << 20, maxAgeMs: 1e12 });
    log.append('x', Date.now(), { n: 1 }, () => '"first"');
    log.append('x', Date.now(), { n: 2 }, () => '"second"');
    await log.close();
    const again = openSegmentLog<{ n: number }>({ dir, maxRecords: 10, maxBytes: 1 << 20, maxAgeMs: 1e12 });
    expect(again.entries().map((e) => e.meta)).toEqual([{ n: 2 }]);
    expect(again.read('x')).toBe('second');
    await again.close();
  });
});

describe('hookline calls purge', () => {
  it('removes the stories of calls before the date from the data folder', async () => {
    const dir = temp();
    const s = openStoryStore(dir);
    const t0 = Date.now() - 3 * 86_400_000;
    s.add(summary('p-old', t0), body('p-old'), [{ Event: 'Newchannel', Linkedid: 'p-old' }]);
    s.add(summary('p-new', Date.now()), body('p-new'), null);
    await s.close();
    const before = new Date(t0 + 86_400_000).toISOString();
    const out = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'calls', 'purge', '--before', before, '--data', dir], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe(`removed 1 stories and the events of 1 calls that started before ${before}\n`);
    const t = openStoryStore(dir);
    expect(t.list().map((x) => x.linkedid)).toEqual(['p-new']);
    await t.close();
    const bad = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'calls', 'purge', '--before', 'last week', '--data', dir], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--before "last week" is not a date');
  }, 30_000);
});

describe('kill -9 while stories are written', () => {
  it('on restart every story before the last is intact', async () => {
    const dir = temp();
    const child = spawn(process.execPath, ['--no-node-snapshot', new URL('./kill-child.ts', import.meta.url).pathname, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let wrote = 0;
    child.stdout.on('data', (b: Buffer) => {
      for (const m of String(b).matchAll(/wrote (\d+)/g)) wrote = Number(m[1]);
    });
    const t0 = Date.now();
    while (wrote < 600 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 5));
    // killed at an arbitrary point, most likely in the middle of a batch
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 7)));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(wrote).toBeGreaterThanOrEqual(600);
    const s = openStoryStore(dir, { maxCalls: 1_000_000, maxDays: 3650, maxBytes: 1 << 30, eventsCalls: 1_000_000 });
    const kept = s.list({ limit: 1000 });
    const n = Number(kept[0]?.linkedid.slice('kill-'.length));
    // everything the child said was written is there, and every story up to the last one kept reads back whole
    expect(n).toBeGreaterThanOrEqual(wrote);
    for (let i = 1; i <= n; i++) {
      const story = s.get(`kill-${i}`) as { hooks: { input: { n: number } }[] } | null;
      if (i < n) expect(story?.hooks[0]?.input.n, `story ${i} of ${n}`).toBe(i);
      // events are a record of their own (stories/events/), written beside: whole for every story the child saw flushed
      if (i <= wrote) expect(s.events(`kill-${i}`)?.[0]?.Linkedid, `events ${i}`).toBe(`kill-${i}`);
    }
    await s.close();
  }, 60_000);
});
