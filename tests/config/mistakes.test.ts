/**
 * Each kind of configuration mistake an operator makes, as loadConfig and `hookline start --config` report
 * it: the JSON path, what was expected and what was found, every problem at once, and nothing started.
 * (config.test.ts covers the basics of each kind; this file adds what it does not: patterns in the phone
 * rules, wrong types inside arrays, invalid JSON with its line and column, nested secrets, and the CLI.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig, loadConfig, type ConfigProblem } from '../../config/index.ts';

const NODE = join(process.cwd(), 'node_modules/.bin/node');
const MAIN = join(process.cwd(), 'cli/main.ts');

const realMode = {
  ami: { host: '127.0.0.1', port: 5038, username: 'hookline', secret: 's3cret' },
  kommo: { subdomain: 'example', token: 'tok' },
};

function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): ConfigProblem[] {
  const r = checkConfig(raw, 'hookline.config.json', env);
  if (r.ok) throw new Error('expected the configuration to be refused');
  return r.error.problems;
}

function tempFile(name: string, text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hl-cfg-mistake-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return { dir, file };
}

function hookline(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(NODE, ['--no-node-snapshot', MAIN, ...args], {
    cwd, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
  });
}

/** One file with one mistake of every kind that the schema catches. */
const EVERY_KIND = {
  ami: { host: 'pbx.example', port: '5038', secret: 'x' }, // ami.port: wrong type; ami.username: missing
  kommo: { subdomain: 'example', token: 'tok', tokn: 'typo' }, // kommo.tokn: unknown key
  pbx: { internalNumbers: '^(\\d{3,4}$' }, // bad pattern
  phone: { replacements: [{ match: '^8(\\d{10}$', replace: '+7$1' }] }, // bad pattern in a phone rule
  editr: { port: 8080 }, // unknown top-level key
};

describe('configuration mistakes', () => {
  it('a bad pattern in a phone replacement rule: its path inside the array, and the RegExp error', () => {
    expect(problems({ phone: { replacements: [{ match: '^7', replace: '+7' }, { match: '[0-9', replace: '' }] } })).toEqual([
      { path: 'phone.replacements.1.match', expected: 'a valid regular expression', found: expect.stringMatching(/^string "\[0-9": Invalid regular expression/) },
    ]);
  });

  it('a wrong type in an array and a key missing from an array element', () => {
    const ps = problems({ pbx: { trunks: ['PJSIP/provider', 5] }, phone: { replacements: [{ match: '^8' }] } });
    expect(ps).toContainEqual({ path: 'pbx.trunks.1', expected: 'string', found: 'number 5' });
    expect(ps).toContainEqual({ path: 'phone.replacements.0.replace', expected: expect.stringMatching(/required property/), found: 'nothing (the key is missing)' });
  });

  // Not asserted here: a list where a section belongs (`"pbx": []`) is accepted today, the section's defaults
  // filled over it (config/load.ts runs Value.Default before the check); reported to the owner of config/.
  it('a string where a list belongs', () => {
    const ps = problems({ filters: { extensions: { blacklist: '101' } } });
    expect(ps).toContainEqual({ path: 'filters.extensions.blacklist', expected: 'array', found: 'string "101"' });
  });

  it('a section given as an array or a string is refused (not filled with defaults), with the other problems', () => {
    const r = checkConfig({ pbx: [], registration: { tasks: [1] }, captures: 'on', editor: { port: 'x' } }, null, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const problems = (r.error as { problems: ConfigProblem[] }).problems;
    expect(problems).toEqual(expect.arrayContaining([
      { path: 'pbx', expected: 'an object', found: 'array []' },
      { path: 'registration.tasks', expected: 'an object', found: 'array [1]' },
      expect.objectContaining({ path: 'captures', expected: 'an object' }),
      expect.objectContaining({ path: 'editor.port', expected: 'integer' }),
    ]));
  });

  it('an unknown key at the top level lists the known sections', () => {
    const [p] = problems({ editr: { port: 8080 } });
    expect(p?.path).toBe('editr');
    expect(p?.found).toBe('unknown key "editr"');
    expect(p?.expected).toMatch(/^one of the known keys: .*\bami\b.*\bkommo\b.*\beditor\b/);
  });

  it('a map keyed by extension or Kommo user id refuses a key of another form, saying what a key must be', () => {
    const ps = problems({ users: { '201': 5_001_001, '+31150010004': 5_001_002 }, clickToCall: { users: { alice: '201' } } });
    expect(ps.map((p) => [p.path, p.found])).toEqual([
      ['users.+31150010004', 'the key "+31150010004"'],
      ['clickToCall.users.alice', 'the key "alice"'],
    ]);
    expect(ps[0]?.expected).toMatch(/^a key of digits only \(extension → Kommo user id/);
    expect(ps[1]?.expected).toMatch(/^a key of digits only \(Kommo user id → extension/);
  });

  it('an address list (editor.trustProxy, autodistribution.allowFrom) refuses what is not an IP address or CIDR block', () => {
    const ps = problems({ editor: { trustProxy: ['127.0.0.1', 'nginx', '10.0.0.0/33'] }, autodistribution: { allowFrom: ['fd00::/8', '1.2.3'] } });
    expect(ps.map((p) => [p.path, p.found])).toEqual([
      ['editor.trustProxy.1', 'string "nginx"'],
      ['editor.trustProxy.2', 'string "10.0.0.0/33"'],
      ['autodistribution.allowFrom.1', 'string "1.2.3"'],
    ]);
    for (const p of ps) expect(p.expected).toBe('an IP address or a CIDR block, like "127.0.0.1", "::1" or "10.0.0.0/8"');
  });

  it('one file with a mistake of every kind: every problem at once, each with path, expected and found', () => {
    const ps = problems(EVERY_KIND);
    const byPath = new Map(ps.map((p) => [p.path, p]));
    expect([...byPath.keys()].sort()).toEqual(['ami.port', 'ami.username', 'editr', 'kommo.tokn', 'pbx.internalNumbers', 'phone.replacements.0.match']);
    for (const p of ps) {
      expect(p.expected, p.path).not.toBe('');
      expect(p.found, p.path).not.toBe('');
    }
    expect(byPath.get('ami.port')).toEqual({ path: 'ami.port', expected: 'integer', found: 'string "5038"' });
  });

  it('invalid JSON: the problem gives the line and column of the mistake', () => {
    const { file } = tempFile('hookline.config.json', '{\n  "ami": {\n    "host": "pbx",\n  }\n}\n');
    const r = loadConfig({ file, env: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'CONFIG_UNREADABLE', file });
    expect(r.error.problems).toEqual([{ path: '', expected: 'valid JSON', found: expect.stringMatching(/line 4 column 3/) }]);
    expect(r.error.message).toContain(file);
  });

  it('an empty file is invalid JSON, not an empty configuration', () => {
    const { file } = tempFile('hookline.config.json', '');
    const r = loadConfig({ file, env: {} });
    expect(!r.ok && r.error.code).toBe('CONFIG_UNREADABLE');
  });

  it('a file holding JSON that is not an object', () => {
    expect(problems([realMode])).toEqual([{ path: '', expected: 'a JSON object', found: expect.stringMatching(/^array /) }]);
  });
});

describe('secrets from environment variables', () => {
  const oauthMode = {
    ami: { ...realMode.ami, secret: { env: 'HL_AMI_SECRET' } },
    kommo: { subdomain: 'example', oauth: { clientId: 'id', clientSecret: { env: 'HL_CLIENT_SECRET' }, redirectUri: 'https://example.org/cb', refreshToken: { env: 'HL_REFRESH' } } },
  };

  it('resolves nested secrets (kommo.oauth.*) read from a file, and never keeps the {env} object', () => {
    const { file } = tempFile('c.json', JSON.stringify(oauthMode));
    const r = loadConfig({ file, env: { HL_AMI_SECRET: 'a', HL_CLIENT_SECRET: 'b', HL_REFRESH: 'c' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.config.ami?.secret).toBe('a');
    expect(r.value.config.kommo?.oauth).toMatchObject({ clientSecret: 'b', refreshToken: 'c' });
  });

  it('lists every unset (or empty) variable with the key that names it', () => {
    expect(problems(oauthMode, { HL_AMI_SECRET: 'a', HL_CLIENT_SECRET: '' })).toEqual([
      { path: 'kommo.oauth.clientSecret', expected: 'environment variable HL_CLIENT_SECRET to be set', found: 'it is not set' },
      { path: 'kommo.oauth.refreshToken', expected: 'environment variable HL_REFRESH to be set', found: 'it is not set' },
    ]);
  });

  it('refuses a malformed {env} reference', () => {
    const ps = problems({ ...realMode, ami: { ...realMode.ami, secret: { env: '1BAD' } } });
    expect(ps.map((p) => p.path)).toContain('ami.secret');
  });

  it('`hookline config check` takes the secret from the environment of the process', () => {
    const { dir, file } = tempFile('c.json', JSON.stringify({ ...realMode, ami: { ...realMode.ami, secret: { env: 'HL_AMI_SECRET' } } }));
    const ok = hookline(['config', 'check', '--config', file], dir, { HL_AMI_SECRET: 'from-env' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`${file} is valid`);
    const unset = hookline(['config', 'check', '--config', file], dir);
    expect(unset.status).toBe(1);
    expect(unset.stderr).toContain('- ami.secret: expected environment variable HL_AMI_SECRET to be set, found it is not set');
  });
});

describe('`hookline start --config <bad file>`', () => {
  it('exits non-zero listing every problem, and starts nothing (no editor, no data folder)', () => {
    const { dir, file } = tempFile('bad.json', JSON.stringify({ ...EVERY_KIND, dataDir: 'data' }));
    const r = hookline(['start', '--config', file], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('CONFIG_INVALID');
    expect(r.stderr).toContain(`${file} has 6 problems`);
    for (const line of [
      '- ami.port: expected integer, found string "5038"',
      '- ami.username: expected',
      '- kommo.tokn: expected one of the known keys',
      '- pbx.internalNumbers: expected a valid regular expression, found string "^(\\\\d{3,4}$": Invalid regular expression',
      '- phone.replacements.0.match: expected a valid regular expression',
      '- editr: expected one of the known keys',
    ]) expect(r.stderr).toContain(line);
    expect(r.stderr).toMatch(/hookline did not start/);
    expect(r.stdout).not.toMatch(/Editor:|Admin password:/);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('invalid JSON: exits non-zero with the line and column, and starts nothing', () => {
    const { dir, file } = tempFile('bad.json', '{\n  "editor": { "port": 8080 }\n  "ami": {}\n}\n');
    const r = hookline(['start', '--config', file], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('CONFIG_UNREADABLE');
    expect(r.stderr).toMatch(/line 3 column 3/);
    expect(r.stdout).not.toMatch(/Editor:/);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('a file that cannot be read: exits non-zero naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-cfg-mistake-'));
    const r = hookline(['start', '--config', join(dir, 'missing.json')], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'missing.json')}`);
    expect(r.stderr).toContain('found the file does not exist');
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});
