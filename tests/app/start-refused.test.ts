import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cli = join(process.cwd(), 'cli/main.ts');
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

function taken(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    servers.push(s);
    s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
  });
}

/** `hookline start` until it has printed its start lines; `whileUp(stdout)`; then Ctrl-C. */
async function startOnce(config: string, whileUp: (out: string) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, ['--no-node-snapshot', cli, 'start', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += String(b)));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  const t0 = Date.now();
  try {
    while (!/^Status: /m.test(out)) {
      if (Date.now() - t0 > 30_000 || child.exitCode !== null) throw new Error(`hookline did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await whileUp(out);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
}

describe('a first start that is refused', () => {
  it('with the editor port taken: says which key to change, exits 2, and the next start still prints a generated admin password that logs in', async () => {
    const port = await taken();
    const dir = mkdtempSync(join(tmpdir(), 'hl-refused-'));
    const config = join(dir, 'hookline.config.json');
    writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), editor: { port } }));
    const first = spawnSync(process.execPath, ['--no-node-snapshot', cli, 'start', '--config', config], { encoding: 'utf8', timeout: 60_000 });
    expect(first.status).toBe(2);
    expect(first.stderr).toContain(`EDITOR_LISTEN_FAILED: the editor cannot listen on 127.0.0.1:${port}`);
    expect(first.stderr).toContain('editor.port');
    expect(first.stdout).not.toMatch(/Admin password/);
    expect(existsSync(join(dir, 'data', 'hookline.lock'))).toBe(false);

    // The operator frees the port (here: picks another one) and starts again: the password is shown now.
    writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), editor: { port: 0 } }));
    await startOnce(config, async (out) => {
      const url = out.match(/^Editor: (\S+)$/m)?.[1];
      const password = out.match(/^Admin password: (\S+)$/m)?.[1];
      expect(password, `no admin password printed: ${out}`).toBeTruthy();
      const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      expect(login.status).toBe(200);
    });
  }, 90_000);
});

describe('the editor port checked before anything else', () => {
  it('with the port taken, the data folder is not even created and no demo part starts: "nothing was changed" is true', async () => {
    const port = await taken();
    const dir = mkdtempSync(join(tmpdir(), 'hl-refused-first-'));
    const config = join(dir, 'hookline.config.json');
    writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), editor: { port } }));
    const r = spawnSync(process.execPath, ['--no-node-snapshot', cli, 'start', '--config', config], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`EDITOR_LISTEN_FAILED: the editor cannot listen on 127.0.0.1:${port}`);
    expect(r.stderr).toContain('hookline did not start; nothing was changed.');
    expect(existsSync(join(dir, 'data')), 'the data folder').toBe(false);
    expect(r.stdout, 'no demo PBX or Kommo emulator was started').not.toMatch(/demo|pbx|kommo/i);
  }, 60_000);
});

describe('a hand-edited admin.json', () => {
  const cases: [string, string, string][] = [
    ['not JSON', '{"username": "admin", ', 'not valid JSON'],
    ['without its passwordHash', '{"username": "admin"}\n', 'passwordHash'],
  ];
  for (const [what, text, detail] of cases) {
    it(`${what}: refused at start with STORE_CORRUPT naming the file and what to do, exit 2, the file left as it is`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'hl-admin-'));
      const config = join(dir, 'hookline.config.json');
      writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), editor: { port: 0 } }));
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'admin.json'), text);
      const r = spawnSync(process.execPath, ['--no-node-snapshot', cli, 'start', '--config', config], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stdout).toBe(2);
      expect(r.stderr).toContain(`STORE_CORRUPT: the store file ${join(dir, 'data', 'admin.json')} cannot be read as hookline data`);
      expect(r.stderr).toContain(detail);
      expect(r.stderr).toContain('Delete it');
      expect(readFileSync(join(dir, 'data', 'admin.json'), 'utf8')).toBe(text);
      expect(existsSync(join(dir, 'data', 'hookline.lock'))).toBe(false);
    }, 60_000);
  }
});
