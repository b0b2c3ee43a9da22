import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openOutbox } from '../../engine/outbox/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// A full disk (here: the file size limit of the child process, `ulimit -f`) lets a write go through only in part:
// write() then reports fewer bytes instead of an error. Nothing may be acknowledged on a line written in part.
describe('outbox on a full disk', () => {
  it('a write that goes through only in part is not acknowledged, leaves no torn line, and the call can be added again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-outbox-full-'));
    dirs.push(dir);
    const script = `
      import { openOutbox } from ${JSON.stringify(new URL('../../engine/outbox/index.ts', import.meta.url).pathname)};
      const o = await openOutbox(${JSON.stringify(dir)});
      let failed = null;
      for (let i = 0; i < 20 && failed === null; i++) {
        try { await o.add('L' + i, { pad: 'x'.repeat(700) }); console.log('ack L' + i); }
        catch (e) { failed = 'L' + i; console.log('fail L' + i); }
      }
      // The same call again, smaller: it fits in what is left, and must be taken (not refused as already there).
      if (failed !== null && await o.add(failed, { small: true })) console.log('ack ' + failed);
      await o.close();
    `;
    const child = spawnSync('bash', ['-c', 'ulimit -f 8; exec "$0" --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const acked = [...child.stdout.matchAll(/ack (L\d+)/g)].map((m) => m[1] as string);
    expect(child.stdout).toMatch(/fail L\d+/);
    const o = await openOutbox(dir);
    expect(o.problems(), 'no torn or unreadable line').toEqual([]);
    for (const id of acked) expect(o.job(id), `acknowledged job ${id}`).toBeDefined();
    const retried = /fail (L\d+)/.exec(child.stdout)?.[1] as string;
    expect(acked).toContain(retried);
    expect(o.job(retried)?.payload).toEqual({ small: true });
    await o.close();
  });

  it('a record that cannot be written leaves the job as the disk has it: still pending, not done, the step not recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-outbox-full-'));
    dirs.push(dir);
    const script = `
      import { openOutbox } from ${JSON.stringify(new URL('../../engine/outbox/index.ts', import.meta.url).pathname)};
      const o = await openOutbox(${JSON.stringify(dir)});
      await o.add('A', { small: true });
      await o.step('A', 'contact', { status: 'done', id: 7 });
      // fill the disk (the file size limit) with other calls
      for (let i = 0; i < 40; i++) { try { await o.add('F' + i, { pad: 'x'.repeat(300) }); } catch { break; } }
      const out = {};
      const big = 'y'.repeat(4000);
      try { await o.step('A', 'contact', { status: 'done', id: 8, note: big }); out.step = 'ack'; } catch { out.step = 'fail'; }
      try { await o.step('A', 'lead', { status: 'sending', note: big }); out.newStep = 'ack'; } catch { out.newStep = 'fail'; }
      try { await o.complete('A', { ok: false, error: { code: 'X', message: big } }); out.complete = 'ack'; } catch { out.complete = 'fail'; }
      const j = o.job('A');
      out.pending = j !== undefined;
      out.done = o.isDone('A');
      out.steps = j && j.steps;
      out.depth = o.depth();
      console.log(JSON.stringify(out));
      await o.close();
    `;
    const child = spawnSync('bash', ['-c', 'ulimit -f 8; exec "$0" --input-type=module -e "$1"', process.execPath, script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(out).toMatchObject({ step: 'fail', newStep: 'fail', complete: 'fail', pending: true, done: false });
    expect(out['steps']).toEqual({ contact: expect.objectContaining({ status: 'done', id: 7 }) });
    // what the process held is what the disk holds
    const o = await openOutbox(dir);
    expect(o.depth()).toBe(out['depth']);
    expect(o.job('A')?.steps).toEqual(out['steps']);
    expect(o.isDone('A')).toBe(false);
    await o.close();
  });
});
