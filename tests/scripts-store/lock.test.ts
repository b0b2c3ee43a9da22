/**
 * One writer per data folder (scripts-store/lock.ts): a second writer is refused with STORE_IN_USE naming the
 * holder; readers are not; a lock left by a dead process (SIGKILL, a pid reused) is taken over; a lock from
 * another host never is.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataLock, LOCK_FILE, LOCK_FOREIGN_STALE_MS, openStore } from '../../scripts-store/index.ts';
import { compiles, freshDir, openOk } from './store-helpers.ts';

const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string; since: string };

async function refused(dir: string) {
  const r = await openStore(dir);
  if (r.ok) throw new Error('the second writer was let in');
  return r.error;
}

describe('the data folder lock', () => {
  it('refuses a second writer in the same process until the first closes; a reader is let in meanwhile', async () => {
    const dir = freshDir();
    const first = await openOk(dir);
    expect(lockOf(dir)).toMatchObject({ pid: process.pid, host: hostname() });
    const e = await refused(dir);
    expect(e.code).toBe('STORE_IN_USE');
    expect(e.message).toBe(`the data folder ${dir} is in use by another store opened by this process (pid ${process.pid} on ${hostname()}, since ${lockOf(dir).since})`);
    expect(e.hint).toContain(`delete ${join(dir, LOCK_FILE)}`);
    const reader = await openStore(dir, { readOnly: true });
    expect(reader.ok).toBe(true);
    if (reader.ok) await reader.value.close();
    expect(existsSync(join(dir, LOCK_FILE)), "a reader's close leaves the writer's lock").toBe(true);
    await first.publish('process_client_phone', { source: 'v1', message: 'm', author: 'a', check: compiles });
    await first.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const again = await openOk(dir);
    expect(again.published('process_client_phone')?.source).toBe('v1');
    await again.close();
  });

  it('refuses while another process writes; after that process is SIGKILLed its lock is taken over and its data are there', async () => {
    const dir = freshDir();
    const script = `
      import { openStore } from ${JSON.stringify(join(process.cwd(), 'scripts-store/index.ts'))};
      const r = await openStore(${JSON.stringify(dir)});
      if (!r.ok) { console.log('refused ' + r.error.message); process.exit(1); }
      await r.value.saveDraft('need_registration', 'draft from the other process', 'other');
      console.log('ready');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--no-node-snapshot', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('ready')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`the holder exited (${code}): ${out}`)));
      });
      const e = await refused(dir);
      expect(e.message).toBe(`the data folder ${dir} is in use by another hookline (pid ${child.pid} on ${hostname()}, since ${lockOf(dir).since})`);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      expect(lockOf(dir).pid, 'a killed holder leaves its lock behind').toBe(child.pid);
      const taken = await openOk(dir);
      expect(lockOf(dir).pid).toBe(process.pid);
      expect(taken.draft('need_registration')?.source).toBe('draft from the other process');
      await taken.close();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over a lock whose pid is gone, or whose pid now belongs to a process started at another time', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    for (const stale of [
      { pid: gone, host: hostname(), since: '2026-01-01T00:00:00.000Z' },
      { pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00.000Z', procStart: '1' }, // this pid, before a reboot
    ]) {
      const dir = freshDir();
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify(stale));
      const s = await openOk(dir);
      expect(lockOf(dir).since).not.toBe(stale.since);
      await s.close();
    }
  });

  it('refuses a lock from another host while it is touched; one left untouched for a minute is taken over (a container recreated under a new host name)', async () => {
    const dir = freshDir();
    const lock = join(dir, LOCK_FILE);
    writeFileSync(lock, JSON.stringify({ pid: 1234, host: 'pbx-2.example', since: '2026-11-30T10:00:00.000Z' }));
    expect((await refused(dir)).message).toBe(`the data folder ${dir} is in use by another hookline (pid 1234 on pbx-2.example, since 2026-11-30T10:00:00.000Z)`);
    expect(lockOf(dir).host, 'the refusal changed nothing').toBe('pbx-2.example');
    const old = (Date.now() - LOCK_FOREIGN_STALE_MS - 5_000) / 1000;
    utimesSync(lock, old, old);
    const s = await openOk(dir);
    expect(lockOf(dir)).toMatchObject({ pid: process.pid, host: hostname() });
    await s.close();
  });

  it('the holder touches its lock file while it holds it, and stops when it lets go', async () => {
    const dir = freshDir();
    const lock = join(dir, LOCK_FILE);
    const l = acquireDataLock(dir, { heartbeatMs: 20 });
    if (!l.ok) throw new Error(l.error.message);
    const old = (Date.now() - 3_600_000) / 1000;
    utimesSync(lock, old, old);
    await expect.poll(() => Date.now() - statSync(lock).mtimeMs, { timeout: 2_000, interval: 20 }).toBeLessThan(10_000);
    l.value.release();
    expect(existsSync(lock)).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(existsSync(lock), 'no heartbeat after the release brings it back').toBe(false);
  });

  it('never takes over a lock file too young to be written yet; an old unwritten one is taken', async () => {
    const dir = freshDir();

    writeFileSync(join(dir, LOCK_FILE), '');
    expect((await refused(dir)).message).toContain('another hookline that is starting');
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(join(dir, LOCK_FILE), old, old);
    const s = await openOk(dir);
    expect(lockOf(dir).pid).toBe(process.pid);
    await s.close();
  });
});
