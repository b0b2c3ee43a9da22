import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OUTBOX_FILE, openOutbox } from '../../engine/outbox/index.ts';

const dirs: string[] = [];
function temp() {
  const d = mkdtempSync(join(tmpdir(), 'hl-outbox-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('outbox', () => {
  it('keeps pending jobs and their steps across a reopen, and forgets finished ones', async () => {
    const dir = temp();
    const a = await openOutbox<{ n: number }>(dir);
    expect(await a.add('L1', { n: 1 })).toBe(true);
    expect(await a.add('L2', { n: 2 })).toBe(true);
    expect(await a.add('L1', { n: 9 })).toBe(false);
    await a.step('L1', 'contact', { status: 'done', result: { id: 7 } });
    await a.step('L1', 'call', { status: 'sending', data: { phone: '+1' } });
    await a.complete('L2', { ok: true });
    await a.close();

    const b = await openOutbox<{ n: number }>(dir);
    expect(b.depth()).toBe(1);
    const j = b.job('L1');
    expect(j?.payload).toEqual({ n: 1 });
    expect(j?.steps.contact?.status).toBe('done');
    expect(j?.steps.call).toMatchObject({ status: 'sending', data: { phone: '+1' } });
    expect(b.isDone('L2')).toBe(true);
    expect(b.outcome('L2')?.ok).toBe(true);
    // A finished call replayed later is not taken again.
    expect(await b.add('L2', { n: 2 })).toBe(false);
    await b.close();
  });

  it('a torn last line (crash mid-append) is dropped with a note; everything before it is kept', async () => {
    const dir = temp();
    const a = await openOutbox(dir);
    await a.add('L1', { x: 1 });
    await a.step('L1', 'contact', { status: 'done', result: { id: 1 } });
    await a.close();
    appendFileSync(join(dir, OUTBOX_FILE), '{"t":"step","id":"L1","s":"call","r":{"sta');
    const b = await openOutbox(dir);
    expect(b.job('L1')?.steps.contact?.status).toBe('done');
    expect(b.job('L1')?.steps.call).toBeUndefined();
    expect(b.problems().join('\n')).toMatch(/torn last write/);
    await b.close();
  });

  it('an unreadable line in the middle is reported with its number, the file is copied aside, and the rest is read', async () => {
    const dir = temp();
    const file = join(dir, OUTBOX_FILE);
    writeFileSync(file, ['{"t":"schema","v":1}', '{"t":"add","id":"A","at":1,"p":{}}', 'garbage here', '{"t":"add","id":"B","at":2,"p":{}}', ''].join('\n'));
    const o = await openOutbox(dir);
    expect(o.pending().map((j) => j.linkedid).sort()).toEqual(['A', 'B']);
    const problems = o.problems().join('\n');
    expect(problems).toMatch(/line 3: not readable/);
    expect(problems).toMatch(/copied to/);
    const aside = readdirSync(dir).find((f) => f.startsWith(`${OUTBOX_FILE}.corrupt-`));
    expect(aside).toBeDefined();
    expect(readFileSync(join(dir, aside as string), 'utf8')).toContain('garbage here');
    await o.close();
  });

  it('refuses a journal from a newer schema without touching it', async () => {
    const dir = temp();
    const file = join(dir, OUTBOX_FILE);
    const text = '{"t":"schema","v":99}\n{"t":"add","id":"A","at":1,"p":{}}\n';
    writeFileSync(file, text);
    await expect(openOutbox(dir)).rejects.toThrow(/newer hookline \(schema 99/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('group commit: many concurrent steps, all durable, compaction keeps only live work', async () => {
    const dir = temp();
    const o = await openOutbox(dir, { compactBytes: 20_000 });
    await Promise.all(Array.from({ length: 300 }, (_, i) => o.add(`L${i}`, { i })));
    await Promise.all(Array.from({ length: 300 }, (_, i) => o.step(`L${i}`, 'contact', { status: 'done', result: { id: i } })));
    await Promise.all(Array.from({ length: 290 }, (_, i) => o.complete(`L${i}`, { ok: true })));
    await o.close();
    const size = readFileSync(join(dir, OUTBOX_FILE)).length;
    const again = await openOutbox(dir);
    expect(again.depth()).toBe(10);
    expect(again.pending().every((j) => j.steps.contact?.status === 'done')).toBe(true);
    expect(readFileSync(join(dir, OUTBOX_FILE)).length).toBeLessThan(size + 1);
    await again.close();
  });

  it('a process killed (SIGKILL) while appending loses no acknowledged step', async () => {
    const dir = temp();
    const script = `
      import { openOutbox } from ${JSON.stringify(new URL('../../engine/outbox/index.ts', import.meta.url).pathname)};
      const o = await openOutbox(${JSON.stringify(dir)});
      let i = 0;
      for (;;) { await o.add('L' + i, { i }); process.stdout.write('ack ' + i + '\\n'); i++; }
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = -1;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        for (const m of String(b).matchAll(/ack (\d+)/g)) acked = Number(m[1]);
        if (acked >= 50) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.on('exit', r));
    const o = await openOutbox(dir);
    for (let i = 0; i <= acked; i++) expect(o.job(`L${i}`), `acknowledged job L${i}`).toBeDefined();
    await o.close();
  });
});
