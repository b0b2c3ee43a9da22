/**
 * Ctrl-C is not a crash (issue 15, edge 2). A terminal sends SIGINT to its whole foreground process group: the
 * test starts `hookline start` as the leader of its own group and signals the group, as the terminal does, after
 * a publish has started the sandbox child. Before the fix the child died of that SIGINT before hookline's own
 * stop closed it, and the log said at level 50 that "the sandbox process died … (signal SIGINT)".
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { createHookRunner, createSupervisor } from '../../sandbox/index.ts';
import { expectRunnerStillWorks, script } from './helpers.ts';

/** The pids of `parent`'s children whose command line names the sandbox child's bundle (Linux /proc). */
function sandboxChildren(parent: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('sandbox-child')) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Ctrl-C after a publish', () => {
  it('stops hookline with exit 0 and logs no error: the sandbox child stopped with it is not reported as a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-ctrlc-'));
    writeFileSync(join(dir, 'hookline.config.json'), JSON.stringify({ dataDir: join(dir, 'data'), editor: { port: 0 } }));
    // detached: the leader of a new process group, as a shell makes a foreground job.
    const child = spawn(process.execPath, ['--no-node-snapshot', join(process.cwd(), 'cli/main.ts'), 'start'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const pid = child.pid as number;
    try {
      for (let i = 0; i < 300 && !/^Admin password: \S+$/m.test(out); i++) await sleep(100);
      const url = /^Editor: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
      const password = /^Admin password: (\S+)$/m.exec(out)?.[1];
      expect(url && password, `hookline printed its editor and password: ${out}${err}`).toBeTruthy();
      const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const json = { cookie, 'content-type': 'application/json' };
      const source = 'export default (i: HookInput): HookResult => ({ data: { result: true }, state: "success" });';
      expect((await fetch(`${url}/api/hooks/need_registration/draft`, { method: 'PUT', headers: json, body: JSON.stringify({ source }) })).status).toBe(200);
      expect((await fetch(`${url}/api/hooks/need_registration/publish`, { method: 'POST', headers: json, body: JSON.stringify({ message: 'v1' }) })).status).toBe(200);
      // The publish warms the script: the sandbox child runs.
      for (let i = 0; i < 200 && sandboxChildren(pid).length === 0; i++) await sleep(50);
      expect(sandboxChildren(pid).length, 'a sandbox child runs after the publish').toBeGreaterThan(0);

      process.kill(-pid, 'SIGINT');
      expect(await exited).toBe(0);
      const lines = err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
      expect(err).not.toMatch(/sandbox process (died|exited)/);
    } finally {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 60_000);
});

/** The process group of a pid (field 5 of /proc/<pid>/stat). */
const pgrpOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[2]);

describe('the supervisor tells a stop from a crash', () => {
  it("the child leads its own process group, so a terminal's SIGINT to hookline's group does not reach it", async () => {
    const sup = createSupervisor();
    const runner = createHookRunner(sup);
    try {
      await expectRunnerStillWorks(runner);
      const pid = sup.pid() as number;
      expect(pgrpOf(pid)).toBe(pid);
      expect(pgrpOf(pid)).not.toBe(pgrpOf(process.pid));
    } finally {
      await runner.close();
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('a child ended by %s from outside is reported as stopped, not crashed; its invocation ends with SANDBOX_CRASH and the next one works', async (signal) => {
    const crashes: string[] = [];
    const stops: string[] = [];
    const sup = createSupervisor({ onCrash: (d) => crashes.push(d), onStopped: (d) => stops.push(d) });
    const runner = createHookRunner(sup);
    try {
      const slow = await script('need_registration', 'export default function () { const end = Date.now() + 5000; while (Date.now() < end) {} return { data: { result: false }, state: "success" }; }');
      const pending = runner.invoke('need_registration', slow, hooks.need_registration.exampleInput, { limits: { timeoutMs: 10_000 } });
      for (let i = 0; i < 100 && sup.pid() === undefined; i++) await sleep(20);
      await sleep(300);
      process.kill(sup.pid() as number, signal);
      expect((await pending).error?.code).toBe('SANDBOX_CRASH');
      expect(stops).toEqual([`the sandbox process exited (signal ${signal})`]);
      expect(crashes).toEqual([]);
      await expectRunnerStillWorks(runner);
    } finally {
      await runner.close();
    }
  });

  it('SIGKILL is still a crash', async () => {
    const crashes: string[] = [];
    const stops: string[] = [];
    const sup = createSupervisor({ onCrash: (d) => crashes.push(d), onStopped: (d) => stops.push(d) });
    const runner = createHookRunner(sup);
    try {
      await expectRunnerStillWorks(runner);
      process.kill(sup.pid() as number, 'SIGKILL');
      for (let i = 0; i < 100 && crashes.length === 0; i++) await sleep(20);
      expect(crashes).toEqual(['the sandbox process exited (signal SIGKILL)']);
      expect(stops).toEqual([]);
    } finally {
      await runner.close();
    }
  });
});
