/**
 * `hookline admin password`: sets (from stdin) or generates the editor admin's password in <dataDir>/admin.json,
 * as the service writes it, and every session of a running hookline ends: the CLI is another process, so the
 * service notices that admin.json changed at the next request.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEditor } from '../../editor/index.ts';
import { createAuth, verifyPassword } from '../../http/index.ts';
import { createRunner } from '../../sandbox/index.ts';
import { openStore } from '../../scripts-store/index.ts';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'hl-admin-pw-'));
  made.push(d);
  return d;
};
const admin = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'admin', 'password', ...args], { encoding: 'utf8', input: input ?? '', timeout: 30_000 });

describe('hookline admin password', () => {
  it('--password-stdin sets the password; a running hookline ends every session and takes only the new password', async () => {
    const dir = fresh();
    const auth = createAuth(dir); // first start: a generated password in admin.json
    const first = auth.generatedPassword as string;
    const before = auth.login('admin', first);
    expect(auth.session(before ?? '')).toEqual({ username: 'admin' });

    const r = admin(['--password-stdin', '--data', dir], 'a new long password\n');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`The admin password in ${join(dir, 'admin.json')} is changed`);
    expect(r.stdout).not.toContain('a new long password');
    const file = join(dir, 'admin.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { username: string; passwordHash: string };
    expect(written.username).toBe('admin');
    expect(verifyPassword('a new long password', written.passwordHash)).toBe(true);

    expect(auth.session(before ?? ''), 'the session from before the change').toBeNull();
    expect(auth.login('admin', first), 'the old password').toBeNull();
    const after = auth.login('admin', 'a new long password');
    expect(auth.session(after ?? '')).toEqual({ username: 'admin' });
  });

  it('with no --password-stdin generates a password, prints it once, and the running editor logs out its sessions over HTTP', async () => {
    const dir = fresh();
    const s = await openStore(dir);
    if (!s.ok) throw new Error(s.error.message);
    const runner = createRunner();
    const auth = createAuth(dir);
    const editor = await startEditor({ store: s.value, runner, auth, port: 0, page: false });
    try {
      const login = (password: string) => fetch(`${editor.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      const cookie = ((await login(auth.generatedPassword as string)).headers.get('set-cookie') ?? '').split(';')[0] as string;
      expect((await fetch(`${editor.url}/api/hooks`, { headers: { cookie } })).status).toBe(200);

      const r = admin(['--data', dir]);
      expect(r.status, r.stderr).toBe(0);
      const password = r.stdout.match(/^Admin password: (\S+)$/m)?.[1];
      expect(password, r.stdout).toMatch(/^[\w-]{16,}$/);

      expect((await fetch(`${editor.url}/api/hooks`, { headers: { cookie } })).status).toBe(401);
      expect((await login(auth.generatedPassword as string)).status).toBe(401);
      expect((await login(password as string)).status).toBe(200);
    } finally {
      await editor.close();
      await runner.close();
      await s.value.close();
    }
  });

  it('refuses a password under 12 characters, an empty stdin, and a password set in the configuration', () => {
    const dir = fresh();
    const short = admin(['--password-stdin', '--data', dir], 'short\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toBe('hookline: the password read from stdin has 5 characters; give at least 12 (or leave out --password-stdin to have one generated)\n');
    expect(admin(['--password-stdin', '--data', dir], '').status).toBe(2);

    const config = join(dir, 'hookline.config.json');
    writeFileSync(config, JSON.stringify({ dataDir: dir, editor: { admin: { password: 'from the config file' } } }));
    const configured = admin(['--config', config]);
    expect(configured.status).toBe(2);
    expect(configured.stderr).toContain('the admin password is set in the configuration (editor.admin.password');
  });

  it.skipIf(process.getuid?.() !== 0)('run as root on a data folder of the service\'s user, admin.json stays that user\'s (readable by the service)', () => {
    const dir = fresh();
    chownSync(dir, 4321, 4321);
    const r = admin(['--data', dir]);
    expect(r.status, r.stderr).toBe(0);
    const st = statSync(join(dir, 'admin.json'));
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([4321, 4321, 0o600]);
  });
});
