import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../log/index.ts';
import { openStore, type StoreOptions } from '../../scripts-store/index.ts';
import { abandon, captureOf, freshDir, openOk, readLog } from './store-helpers.ts';

const NO_TIMER = { flushMs: 3_600_000 };

/** A store whose capture writes are recorded as [mode, bytes]. */
async function recorded(dir: string, opts: StoreOptions = {}) {
  const writes: [string, number][] = [];
  const s = await openOk(dir, { ...NO_TIMER, ...opts, onWrite: (e) => e.file === 'captures' && writes.push([e.mode, e.bytes]) });
  writes.length = 0;
  return { s, writes };
}

describe('the capture log on disk (captures.jsonl)', () => {
  it('appends only the entries that are new since the last flush', async () => {
    const dir = freshDir();
    const { s, writes } = await recorded(dir);
    for (let i = 0; i < 10; i++) s.capture(captureOf(i));
    await s.flush();
    s.capture(captureOf(10));
    await s.flush();
    const lastLine = `${JSON.stringify(readLog(join(dir, 'captures.jsonl')).lines.at(-1))}\n`;
    expect(writes.map(([mode]) => mode)).toEqual(['append', 'append']);
    expect(writes[1]?.[1]).toBe(Buffer.byteLength(lastLine));
  });

  it('is rewritten, compacted to the rings, once it holds twice as many lines, and never grows past that', async () => {
    const dir = freshDir();
    const { s, writes } = await recorded(dir, { captureRing: 5 });
    const sizes: number[] = [];
    for (let i = 0; i < 30; i++) {
      s.capture(captureOf(i));
      await s.flush();
      sizes.push(readLog(join(dir, 'captures.jsonl')).lines.length);
    }
    expect(writes.filter(([mode]) => mode === 'rewrite').length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...sizes)).toBe(10);
    expect(sizes.at(-1)).toBeGreaterThanOrEqual(5);
    abandon(dir);
    expect((await openOk(dir, { ...NO_TIMER, captureRing: 5 })).captures('process_client_phone').map((c) => c.seed)).toEqual([29, 28, 27, 26, 25]);
  });

  it('keeps as backup what the last rewrite wrote', async () => {
    const dir = freshDir();
    const { s, writes } = await recorded(dir, { captureRing: 2 });
    for (let i = 0; i < 5 && !writes.some(([m]) => m === 'rewrite'); i++) {
      s.capture(captureOf(i));
      await s.flush();
    }
    const file = join(dir, 'captures.jsonl');
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(readFileSync(file, 'utf8'));
  });

  it('drops an incomplete last line left by a write that did not finish, says so, and rewrites the file whole', async () => {
    const dir = freshDir();
    const s = await openOk(dir, NO_TIMER);
    for (let i = 0; i < 3; i++) s.capture(captureOf(i));
    await s.close();
    const file = join(dir, 'captures.jsonl');
    appendFileSync(file, '["process_client_phone",{"id":"torn","hook":"pro');
    const { log, lines } = createMemoryLogger();
    const again = await openOk(dir, { ...NO_TIMER, log });
    expect(again.captures('process_client_phone').map((c) => c.seed)).toEqual([2, 1, 0]);
    expect(lines().map((l) => l.msg)).toContain(`${file}: dropped an incomplete last line (48 bytes) left by a write that did not finish; the file was rewritten whole`);
    const onDisk = readLog(file);
    expect([onDisk.lines.length, onDisk.endsWithNewline]).toEqual([3, true]);
    // The rewrite used each entry's text as read from the file: reading it again gives the same entries.
    abandon(dir);
    expect((await openOk(dir, NO_TIMER)).captures('process_client_phone')).toEqual(again.captures('process_client_phone'));
  });

  it('reports a broken line that is not the last as corrupt, with its number, and leaves the file alone', async () => {
    const dir = freshDir();
    const s = await openOk(dir, NO_TIMER);
    for (let i = 0; i < 3; i++) s.capture(captureOf(i));
    await s.close();
    const file = join(dir, 'captures.jsonl');
    const text = readFileSync(file, 'utf8').split('\n');
    text[2] = '["process_client_phone",{"id":';
    writeFileSync(file, text.join('\n'));
    const r = await openStore(dir);
    expect(!r.ok && r.error).toMatchObject({ code: 'STORE_CORRUPT', message: `the store file ${file} cannot be read as hookline data: line 3 is not valid JSON` });
    expect(readFileSync(file, 'utf8')).toBe(text.join('\n'));
  });

  it('reports an entry of the wrong shape with its line and JSON path', async () => {
    const dir = freshDir();
    await (await openOk(dir, NO_TIMER)).close();
    const file = join(dir, 'captures.jsonl');
    appendFileSync(file, '["process_client_phone",{"id":"a","hook":"process_client_phone","time":"t","linkedid":null,"input":{},"now":"soon","seed":1}]\n');
    const r = await openStore(dir);
    expect(!r.ok && r.error.message).toMatch(/line 2: \/now: Expected number$/);
  });

  it('refuses a failure log put in place of the capture log', async () => {
    const dir = freshDir();
    const s = await openOk(dir, NO_TIMER);
    s.recordFailure('need_registration', { code: 'TIMEOUT', message: 'm', version: 1, linkedid: null });
    await s.close();
    copyFileSync(join(dir, 'failures.jsonl'), join(dir, 'captures.jsonl'));
    const r = await openStore(dir);
    expect(!r.ok && r.error.message).toContain('line 1 says this is a "failures" log, not captures');
  });
});
