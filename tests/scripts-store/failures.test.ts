import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDir, openOk, readLog } from './store-helpers.ts';

const NO_TIMER = { flushMs: 3_600_000 };
const failure = (i: number) => ({ code: 'TIMEOUT', message: `m${i}`, version: 1, linkedid: `3.${i}` });

describe('the failure log', () => {
  it('keeps the last N failures per hook, newest first', async () => {
    const s = await openOk(freshDir(), { ...NO_TIMER, failureLimit: 3 });
    for (let i = 0; i < 5; i++) s.recordFailure('need_registration', failure(i));
    expect(s.failures('need_registration').map((f) => f.message)).toEqual(['m4', 'm3', 'm2']);
    expect(s.failures('process_client_phone')).toEqual([]);
  });

  it('stores time, code, message, version and linkedid', async () => {
    const s = await openOk(freshDir(), { ...NO_TIMER, now: () => new Date('2026-11-20T10:00:00.000Z') });
    s.recordFailure('need_registration', { code: 'SCRIPT_ERROR', message: 'boom', version: 'draft', linkedid: null });
    expect(s.failures('need_registration')).toEqual([{ time: '2026-11-20T10:00:00.000Z', code: 'SCRIPT_ERROR', message: 'boom', version: 'draft', linkedid: null }]);
  });

  it('gives the failures since a time', async () => {
    const s = await openOk(freshDir(), NO_TIMER);
    s.recordFailure('need_registration', { ...failure(1), time: '2026-11-20T09:00:00.000Z' });
    s.recordFailure('need_registration', { ...failure(2), time: '2026-11-20T11:00:00.000Z' });
    expect(s.failures('need_registration', { since: new Date('2026-11-20T10:00:00.000Z') }).map((f) => f.message)).toEqual(['m2']);
  });

  it('counts the failures of the last 24 hours per hook', async () => {
    const s = await openOk(freshDir(), { ...NO_TIMER, now: () => new Date('2026-11-20T10:00:00.000Z') });
    s.recordFailure('need_registration', { ...failure(1), time: '2026-11-19T09:59:59.000Z' });
    s.recordFailure('need_registration', { ...failure(2), time: '2026-11-19T10:00:01.000Z' });
    s.recordFailure('need_registration', failure(3));
    s.recordFailure('process_client_phone', failure(4));
    expect(s.failureCounts()).toEqual({ need_registration: 2, process_client_phone: 1 });
  });

  it('reaches failures.jsonl at the flush, and only that file', async () => {
    const dir = freshDir();
    const files: string[] = [];
    const s = await openOk(dir, { ...NO_TIMER, onWrite: (e) => files.push(e.file) });
    const opened = files.length;
    s.recordFailure('need_registration', failure(1));
    await s.flush();
    expect(files.slice(opened)).toEqual(['failures']);
    expect(readLog(join(dir, 'failures.jsonl')).lines).toEqual([['need_registration', s.failures('need_registration')[0]]]);
  });

  it('applies a smaller limit to what the file held', async () => {
    const dir = freshDir();
    const s = await openOk(dir, NO_TIMER);
    for (let i = 0; i < 6; i++) s.recordFailure('need_registration', failure(i));
    await s.close();
    const small = await openOk(dir, { ...NO_TIMER, failureLimit: 2 });
    expect(small.failures('need_registration').map((f) => f.message)).toEqual(['m5', 'm4']);
  });
});
