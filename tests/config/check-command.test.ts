import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// `hookline config check` says what it did (it checked; nothing was started), with one set of exit codes:
// 0 the configuration can be used, 1 it cannot (not readable, not JSON, or invalid), 2 the command was misused.
const check = (...args: string[]) => spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'config', 'check', ...args], { encoding: 'utf8' });

describe('`hookline config check`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-cfg-check-'));

  it('an invalid file: exit 1, says how many problems and that nothing was started or changed, never "hookline did not start"', () => {
    const file = join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify({ ami: { port: 'x' }, editr: {} }));
    const r = check('--config', file);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain('did not start');
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`hookline config check: ${file} has 5 problems; nothing was started or changed.`);
  });

  it('an unreadable file and a file that is not JSON: exit 1 as well, saying so', () => {
    const missing = join(dir, 'missing.json');
    const a = check('--config', missing);
    expect(a.status).toBe(1);
    expect(a.stderr).not.toContain('did not start');
    expect(a.stderr.trim().split('\n').at(-1)).toBe(`hookline config check: ${missing} cannot be read; nothing was started or changed.`);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"ami": ');
    const b = check('--config', broken);
    expect(b.status).toBe(1);
    expect(b.stderr.trim().split('\n').at(-1)).toBe(`hookline config check: ${broken} cannot be read; nothing was started or changed.`);
  });

  it('a misused command (an unknown option) exits 2', () => {
    expect(check('--confgi', 'x').status).toBe(2);
  });

  it('--help documents the exit codes', () => {
    const r = check('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Exit codes: 0 the configuration can be used; 1 it cannot (unreadable, not JSON, or invalid: every problem is listed); 2 the command was misused.');
  });
});
