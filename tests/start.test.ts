import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Everything the child printed so far, and a wait for a line matching a pattern (already printed or not). */
function watch(child: ReturnType<typeof spawn>) {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return (pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m = out.match(pattern);
        if (m) {
          child.stdout?.off('data', check);
          resolve(m);
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}: ${out}`)));
      check();
    });
}

describe('hookline start', () => {
  it('prints the editor URL and a generated admin password once; the password logs in; Ctrl-C stops it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-start-'));
    writeFileSync(join(dir, 'hookline.config.json'), JSON.stringify({ dataDir: join(dir, 'data'), editor: { port: 0 } }));
    const child = spawn(process.execPath, ['--no-node-snapshot', join(process.cwd(), 'cli/main.ts'), 'start'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const waitFor = watch(child);
    try {
      const [, url] = await waitFor(/^Editor: (http:\/\/127\.0\.0\.1:\d+)$/m);
      const [, password] = await waitFor(/^Admin password: (\S+)$/m);
      const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const hooks = await fetch(`${url}/api/hooks`, { headers: { cookie } });
      expect(((await hooks.json()) as { hooks: unknown[] }).hooks).toHaveLength(13);
      // The demo's click-to-call line: a token generated for this run, and the request it shows is accepted.
      const [, c2cToken, userId] = await waitFor(/^Click-to-call \(demo\): curl -X POST \S+\/api\/click-to-call -H 'Authorization: Bearer (\S+)' .*"user_id": (\d+)\}'$/m);
      const c2c = await fetch(`${url}/api/click-to-call`, { method: 'POST', headers: { authorization: `Bearer ${c2cToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ number: '+31612345678', user_id: Number(userId) }) });
      expect(c2c.status).toBe(200);
      // A second hookline on the same data folder is refused, names the first, and changes nothing there.
      const admin = readFileSync(join(dir, 'data', 'admin.json'), 'utf8');
      const second = spawnSync(process.execPath, ['--no-node-snapshot', join(process.cwd(), 'cli/main.ts'), 'start'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
      expect(second.status).toBe(2);
      expect(second.stderr).toContain(`STORE_IN_USE: the data folder ${join(dir, 'data')} is in use by another hookline (pid ${child.pid} on `);
      expect(second.stderr).toContain(`delete ${join(dir, 'data', 'hookline.lock')}`);
      expect(second.stdout).not.toMatch(/Admin password/);
      expect(readFileSync(join(dir, 'data', 'admin.json'), 'utf8')).toBe(admin);
      const exited = new Promise<number | null>((r) => child.on('exit', r));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(existsSync(join(dir, 'data', 'hookline.lock')), 'a clean stop releases the data folder').toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('npm start on embedded defaults: the editor answers within 15 s, and within 60 s the demo has registered calls that GET /api/status shows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-npmstart-'));
    const config = join(dir, 'hookline.config.json');
    // Only the data folder and the port move (so the test does not touch ./data or need port 8080): the demo is the default one.
    writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), editor: { port: 0 } }));
    const t0 = Date.now();
    const child = spawn('npm', ['start'], { cwd: process.cwd(), env: { ...process.env, HOOKLINE_CONFIG: config }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const waitFor = watch(child);
    try {
      const [, url] = await waitFor(/^Editor: (http:\/\/127\.0\.0\.1:\d+)$/m);
      const [, password] = await waitFor(/^Admin password: (\S+)$/m);
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(Date.now() - t0, 'the editor answers within 15 s').toBeLessThan(15_000);
      const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      type Status = { ami: { connected: boolean }; kommo: { reachable: boolean; phoneField: { ok: boolean } }; calls: { registered: number; failed: number; inFlight: number }; outbox: { depth: number }; hooks: Record<string, unknown>; registrar?: { phoneIndex?: Record<string, unknown> | null } };
      let status = null as Status | null;
      while (Date.now() - t0 < 60_000) {
        const r = await fetch(`${url}/api/status`, { headers: { cookie } });
        status = (await r.json()) as Status;
        if ((status?.calls.registered ?? 0) > 0) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(status?.calls.registered, 'calls registered within 60 s').toBeGreaterThan(0);
      expect(status?.ami.connected).toBe(true);
      expect(status?.kommo).toMatchObject({ reachable: true, phoneField: { ok: true } });
      expect(typeof status?.outbox.depth).toBe('number');
      expect(Object.keys(status?.hooks ?? {})).toHaveLength(13);
      expect(status?.calls.failed).toBe(0);
      // The local index of the account's phones (issue 20): entries, age, last refresh, misses confirmed.
      expect(status?.registrar?.phoneIndex).toMatchObject({ ready: true, contacts: expect.any(Number), refreshedAt: expect.any(Number), ageMs: expect.any(Number), missesConfirmed: expect.any(Number) });
    } finally {
      // npm runs node as its child: stop the whole group.
      try {
        process.kill(-(child.pid as number), 'SIGINT');
      } catch {}
      await new Promise((r) => setTimeout(r, 1500));
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {}
    }
  }, 90_000);

  it('refuses a wrong configuration file with every problem and exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-start-'));
    writeFileSync(join(dir, 'hookline.config.json'), JSON.stringify({ editor: { port: 'x' }, bogus: 1 }));
    const child = spawn(process.execPath, ['--no-node-snapshot', join(process.cwd(), 'cli/main.ts'), 'start'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(err).toMatch(/CONFIG_INVALID/);
    expect(err).toMatch(/- bogus: expected one of the known keys/);
    expect(err).toMatch(/- editor\.port: expected integer/);
  });
});
