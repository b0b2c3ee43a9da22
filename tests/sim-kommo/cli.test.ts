import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { call } from './helpers.ts';

const node = process.execPath;

describe('hookline sim-kommo', () => {
  it('prints its URL and tokens as one JSON line, serves the account, and exits 0 on SIGTERM', async () => {
    const child = spawn(node, ['--no-node-snapshot', 'cli/main.ts', 'sim-kommo', '--port', '0', '--account', 'empty', '--token', 'cli-token'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const info = JSON.parse(line) as { url: string; longLivedToken: string };
      expect(info).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), account: 'empty', longLivedToken: 'cli-token' });
      const fields = await call(`${info.url}/api/v4/contacts/custom_fields`, 'GET', undefined, { token: 'cli-token' });
      const contacts = await call(`${info.url}/api/v4/contacts`, 'GET', undefined, { token: 'cli-token' });
      expect([fields.status, contacts.status]).toEqual([200, 204]);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses an unknown account with exit code 2', () => {
    const r = spawnSync(node, ['--no-node-snapshot', 'cli/main.ts', 'sim-kommo', '--account', 'big'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--account must be one of demo, empty, no-phone-field; got "big"');
  });
});
