import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig, configDoc, configJsonSchema, loadConfig, type ConfigProblem } from '../../config/index.ts';

function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): ConfigProblem[] {
  const r = checkConfig(raw, '/etc/hookline.config.json', env);
  if (r.ok) throw new Error('expected the configuration to be refused');
  return r.error.problems;
}

const realMode = {
  ami: { host: '127.0.0.1', port: 5038, username: 'hookline', secret: 's3cret' },
  kommo: { baseUrl: 'http://127.0.0.1:9000', token: 'tok' },
};

describe('configuration', () => {
  it('runs the demo on defaults when there is no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-cfg-'));
    const r = loadConfig({ cwd: dir, env: {} });
    expect(r.ok && r.value).toMatchObject({ file: null, demo: true, config: { dataDir: './data', editor: { port: 8080, host: '127.0.0.1' }, captures: { ringSize: 200 } } });
  });

  it('takes --config over $HOOKLINE_CONFIG over ./hookline.config.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-cfg-'));
    writeFileSync(join(dir, 'hookline.config.json'), JSON.stringify({ dataDir: 'from-default' }));
    writeFileSync(join(dir, 'env.json'), JSON.stringify({ dataDir: 'from-env' }));
    writeFileSync(join(dir, 'flag.json'), JSON.stringify({ dataDir: 'from-flag' }));
    const dataDir = (o: Parameters<typeof loadConfig>[0]) => {
      const r = loadConfig(o);
      return r.ok ? r.value.config.dataDir : r.error.message;
    };
    expect(dataDir({ cwd: dir, env: {} })).toBe('from-default');
    expect(dataDir({ cwd: dir, env: { HOOKLINE_CONFIG: 'env.json' } })).toBe('from-env');
    expect(dataDir({ cwd: dir, env: { HOOKLINE_CONFIG: 'env.json' }, file: 'flag.json' })).toBe('from-flag');
  });

  it('accepts a real-mode file and leaves demo mode', () => {
    const r = checkConfig(realMode, 'x.json', {});
    expect(r.ok && r.value.demo).toBe(false);
  });

  it('reports a missing required key with its path', () => {
    expect(problems({ ...realMode, ami: { host: 'pbx', secret: 'x' } })).toContainEqual({
      path: 'ami.username',
      expected: expect.stringMatching(/required property/),
      found: 'nothing (the key is missing)',
    });
  });

  it('reports a wrong type with what was expected and found', () => {
    expect(problems({ ...realMode, ami: { ...realMode.ami, port: '5038' } })).toContainEqual({
      path: 'ami.port',
      expected: 'integer',
      found: 'string "5038"',
    });
  });

  it('reports an unknown key and lists the known ones', () => {
    const [p] = problems({ ...realMode, ami: { ...realMode.ami, pasword: 'x' } });
    expect(p).toEqual({
      path: 'ami.pasword',
      expected: 'one of the known keys: host, port, username, secret, pingIntervalMs, loginTimeoutMs',
      found: 'unknown key "pasword"',
    });
  });

  it('clickToCall.dialable: digits with an optional leading + by default; a pattern that does not compile is refused', () => {
    const loaded = checkConfig({}, null, {});
    expect(loaded.ok && loaded.value.config.clickToCall.dialable).toBe('^\\+?[0-9]{1,32}$');
    const [p] = problems({ clickToCall: { dialable: '^[0-9' } });
    expect(p?.path).toBe('clickToCall.dialable');
    expect(p?.expected).toBe('a valid regular expression');
  });

  it('reports a regular expression that does not compile', () => {
    const [p] = problems({ pbx: { internalNumbers: '^(\\d{3' } });
    expect(p?.path).toBe('pbx.internalNumbers');
    expect(p?.expected).toBe('a valid regular expression');
    expect(p?.found).toMatch(/Invalid regular expression/);
  });

  it('reports a value outside an enumeration with the allowed values', () => {
    expect(problems({ registration: { tasks: { responsibleMode: 5 } } })).toContainEqual({
      path: 'registration.tasks.responsibleMode',
      expected: 'one of 0, 1, 2',
      found: 'number 5',
    });
  });

  it('lists every problem at once', () => {
    const ps = problems({ ami: { port: 0, bogus: true }, pbx: { internalNumbers: '(' }, editor: { port: 'x' } });
    expect(ps.map((p) => p.path).sort()).toEqual(['ami.bogus', 'ami.port', 'ami.secret', 'ami.username', 'editor.port', 'kommo', 'pbx.internalNumbers']);
  });

  it('reads secrets from the environment', () => {
    const r = checkConfig({ ...realMode, ami: { ...realMode.ami, secret: { env: 'AMI_SECRET' } } }, 'x.json', { AMI_SECRET: 'from-env' });
    expect(r.ok && r.value.config.ami?.secret).toBe('from-env');
  });

  it('reports a secret whose environment variable is not set', () => {
    expect(problems({ ...realMode, kommo: { ...realMode.kommo, token: { env: 'KOMMO_TOKEN' } } })).toEqual([
      { path: 'kommo.token', expected: 'environment variable KOMMO_TOKEN to be set', found: 'it is not set' },
    ]);
  });

  it('reports a file that is not JSON with the parser position', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-cfg-'));
    writeFileSync(join(dir, 'bad.json'), '{"ami": {"host": "x",}}');
    const r = loadConfig({ file: join(dir, 'bad.json'), env: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('CONFIG_UNREADABLE');
      expect(r.error.message).toContain(join(dir, 'bad.json'));
      expect(r.error.problems[0]?.expected).toBe('valid JSON');
      expect(r.error.problems[0]?.found).toMatch(/position|line/);
    }
  });

  it('reports an unreadable file with its path (a directory where the file should be)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-cfg-'));
    mkdirSync(join(dir, 'hookline.config.json'));
    chmodSync(dir, 0o755);
    const r = loadConfig({ cwd: dir, env: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('CONFIG_UNREADABLE');
      expect(r.error.file).toBe(join(dir, 'hookline.config.json'));
      expect(r.error.message).toMatch(/EISDIR/);
    }
  });

  it('reports a named file that does not exist', () => {
    const r = loadConfig({ file: '/nonexistent/hookline.json', env: {} });
    expect(!r.ok && r.error.problems[0]?.found).toBe('the file does not exist');
  });

  it('keeps docs/config.md and the shipped JSON Schema in step with the schema (npm run gen:config)', () => {
    expect(readFileSync('docs/config.md', 'utf8'), 'docs/config.md is stale: run npm run gen:config').toBe(configDoc());
    expect(readFileSync('config/hookline.config.schema.json', 'utf8'), 'the JSON Schema is stale: run npm run gen:config').toBe(configJsonSchema());
  });

  it('docs/config.md lists as "must be present" only keys whose absence (in a given section) is refused, not keys with a default', () => {
    const doc = readFileSync('docs/config.md', 'utf8');
    const listed = [...(doc.match(/^Keys that must be present when their section is given: (.*)\.$/m)?.[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    expect(listed.length).toBeGreaterThan(0);
    const oauth = { clientId: 'id', clientSecret: 'cs', redirectUri: 'https://crm.example/oauth', refreshToken: 'rt' };
    const refusedWithout = (key: string): boolean => {
      const raw = structuredClone({ ...realMode, kommo: { ...realMode.kommo, oauth } }) as Record<string, unknown>;
      const parts = key.split('.');
      const last = parts.pop() as string;
      let at = raw;
      for (const k of parts) at = (at[k] ??= {}) as Record<string, unknown>;
      delete at[last];
      const r = checkConfig(raw, null, {});
      return !r.ok && r.error.problems.some((p) => p.path === key);
    };
    expect(listed.filter((k) => !refusedWithout(k)), 'listed as required, but a section without them is accepted (the default applies)').toEqual([]);
  });

  it('`hookline config check` exits 1 and prints every problem for a wrong file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-cfg-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ ami: { port: 'x' } }));
    const r = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'config', 'check', '--config', join(dir, 'c.json')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/CONFIG_INVALID/);
    expect(r.stderr).toMatch(/- ami\.port: expected integer, found string "x"/);
    expect(r.stderr).toMatch(/- ami\.username: expected/);
  });
});
