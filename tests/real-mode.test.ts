import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startKommo, type KommoSim } from '../sim/kommo/index.ts';
import { startPbx, type Pbx } from '../sim/pbx/index.ts';

// A real installation: Asterisk and Kommo elsewhere, one configuration file. Here they are sim/pbx and
// sim/kommo on their own ports, started apart from hookline, which knows them only from the file.
let pbx: Pbx;
let kommo: KommoSim;
const children: ReturnType<typeof spawn>[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await pbx?.close();
  await kommo?.close();
});

/** `hookline start --config <file>` as a child; resolves once it prints `Editor:`, with its output so far and since. */
async function startHookline(config: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--no-node-snapshot', join(process.cwd(), 'cli/main.ts'), 'start', '--config', config], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += String(b)));
  const t0 = Date.now();
  while (!/^Editor: /m.test(out)) {
    if (Date.now() - t0 > 20_000 || child.exitCode !== null) throw new Error(`hookline did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { out: () => out, t0 };
}

it('a valid real-mode file connects to a PBX and a Kommo account on other ports and registers their calls', async () => {
  pbx = await startPbx({ users: { crm: { secret: 's3cret' } } });
  kommo = await startKommo({ account: 'demo', auth: { longLivedToken: 'account-token-123' } });
  const dir = mkdtempSync(join(tmpdir(), 'hl-real-'));
  const config = join(dir, 'hookline.config.json');
  writeFileSync(config, JSON.stringify({
    dataDir: join(dir, 'data'),
    editor: { port: 0 },
    ami: { host: '127.0.0.1', port: pbx.port, username: 'crm', secret: { env: 'HL_AMI_SECRET' } },
    kommo: { baseUrl: kommo.url, token: { env: 'HL_KOMMO_TOKEN' } },
    pbx: { trunks: ['SIP/voipgrid-siproute-docker'] },
  }));
  const { out, t0 } = await startHookline(config, { HL_AMI_SECRET: 's3cret', HL_KOMMO_TOKEN: 'account-token-123' });
  expect(out()).not.toMatch(/DEMO/);
  expect(out()).toMatch(new RegExp(`AMI 127\\.0\\.0\\.1:${pbx.port}`));
  while (!pbx.clients.some((c) => c.authenticated)) await new Promise((r) => setTimeout(r, 50));
  expect(pbx.clients.find((c) => c.authenticated)?.username).toBe('crm');
  await pbx.replay(readFileSync(new URL('./fixtures/ami/caco-inbound-queue-answered.ami', import.meta.url)), { pace: 'asap' });
  while (!kommo.state().calls.some((c) => c.uniq === '195176c06ab8-1529939196.518')) {
    if (Date.now() - t0 > 45_000) throw new Error(`no call registered; requests: ${JSON.stringify(kommo.requests().map((r) => `${r.method} ${r.path} ${r.status}`))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // Every request carried the account's token (the emulator answers 401 otherwise).
  expect(kommo.requests().filter((r) => r.status === 401)).toEqual([]);
  expect(kommo.state().calls.find((c) => c.uniq === '195176c06ab8-1529939196.518')).toMatchObject({ direction: 'inbound', phone: '+31150010001' });
}, 60_000);

it('an OAuth configuration as the README gives it (kommo.oauth with the refresh_token of the code exchange) registers calls from the first start, and keeps the new pair in the data folder', async () => {
  const oauthPbx = await startPbx({ users: { crm: { secret: 's3cret' } } });
  const oauthKommo = await startKommo({
    account: 'demo',
    auth: { longLivedToken: null, oauth: { clientId: 'client-1', clientSecret: 'client-secret-1', redirectUri: 'https://crm.example/oauth', accessToken: 'access-0', refreshToken: 'refresh-0' } },
  });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'hl-real-oauth-'));
    const config = join(dir, 'hookline.config.json');
    writeFileSync(config, JSON.stringify({
      dataDir: join(dir, 'data'),
      editor: { port: 0 },
      ami: { host: '127.0.0.1', port: oauthPbx.port, username: 'crm', secret: 's3cret' },
      kommo: { baseUrl: oauthKommo.url, oauth: { clientId: 'client-1', clientSecret: { env: 'HL_KOMMO_CLIENT_SECRET' }, redirectUri: 'https://crm.example/oauth', refreshToken: { env: 'HL_KOMMO_REFRESH' } } },
      pbx: { trunks: ['SIP/voipgrid-siproute-docker'] },
    }));
    const { out, t0 } = await startHookline(config, { HL_KOMMO_CLIENT_SECRET: 'client-secret-1', HL_KOMMO_REFRESH: 'refresh-0' });
    expect(out()).not.toMatch(/NOT registered/);
    while (!oauthPbx.clients.some((c) => c.authenticated)) await new Promise((r) => setTimeout(r, 50));
    await oauthPbx.replay(readFileSync(new URL('./fixtures/ami/caco-inbound-queue-answered.ami', import.meta.url)), { pace: 'asap' });
    while (!oauthKommo.state().calls.some((c) => c.uniq === '195176c06ab8-1529939196.518')) {
      if (Date.now() - t0 > 45_000) throw new Error(`no call registered; output: ${out()}; requests: ${JSON.stringify(oauthKommo.requests().map((r) => `${r.method} ${r.path} ${r.status}`))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The configured refresh token was spent on the first refresh: the pair Kommo issued then is the one kept.
    const kept = JSON.parse(readFileSync(join(dir, 'data', 'kommo-tokens.json'), 'utf8')) as { refreshToken: string };
    expect(kept.refreshToken).toBe(oauthKommo.tokens().refreshToken);
    expect(kept.refreshToken).not.toBe('refresh-0');
  } finally {
    await oauthPbx.close();
    await oauthKommo.close();
  }
}, 60_000);
