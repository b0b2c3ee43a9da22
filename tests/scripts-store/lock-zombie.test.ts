/**
 * A killed hookline stays a zombie until its parent (a shell, systemd, a test runner) reaps it: ~1 s after a
 * kill -9 in the reproduction. kill(pid, 0) succeeds on a zombie, yet it will never write again: its
 * lock is stale, and a restart right after the kill must not be refused STORE_IN_USE.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataLock, LOCK_FILE } from '../../scripts-store/index.ts';
import { freshDir } from './store-helpers.ts';

const stat = (pid: number) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
};

describe.skipIf(!existsSync('/proc/self/stat'))('the data folder lock and a zombie holder', () => {
  it('takes over a lock whose holder has exited but is not reaped yet (state Z)', async () => {
    // The shell starts a short `sleep` in the background, prints its pid, then becomes `sleep`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
      const deadline = Date.now() + 5_000;
      while (stat(pid)[0] !== 'Z' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(stat(pid)[0], 'the holder is a zombie').toBe('Z');
      expect(() => process.kill(pid, 0), 'kill(pid, 0) still finds it').not.toThrow();

      const dir = freshDir();
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), since: new Date().toISOString(), procStart: stat(pid)[19] }));
      const r = acquireDataLock(dir);
      expect(r.ok ? 'taken' : r.error.message).toBe('taken');
      if (r.ok) r.value.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
