/**
 * deploy/hookline.service: systemd's own checker accepts it with no warning (run on a copy whose /opt/hookline
 * is a temporary folder holding the project's node, since verify insists the ExecStart binary exists), its
 * hardening scores as systemd rates it, and the unit agrees with the project: the command it runs exists and
 * takes --config, and the paths it opens for writing and reading are the configuration's defaults.
 * What this cannot show: the service running under systemd (these tests do not run as PID 1's child).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../config/index.ts';

const UNIT_TEXT = readFileSync('deploy/hookline.service', 'utf8');
const hasSystemd = spawnSync('systemd-analyze', ['--version']).status === 0;
// The one program the tests need that npm does not ship: systemd's own unit checker (.ci/run installs it).
const NO_SYSTEMD = ' (skipped: systemd-analyze is not installed; Debian: apt install systemd)';
if (!hasSystemd) console.warn("tests/deploy/hookline-service: systemd-analyze is not on the PATH (Debian: apt install systemd): the unit's verify and security checks were SKIPPED");

/** The unit's directives by section, comments dropped, repeated keys kept in order. */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      out[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq === -1 || section === '') throw new Error(`not a directive: ${line}`);
    const key = line.slice(0, eq);
    ((out[section]![key] ??= []) as string[]).push(line.slice(eq + 1));
  }
  return out;
}

const unit = parseUnit(UNIT_TEXT);
const service = unit.Service ?? {};
const one = (key: string) => {
  expect(service[key], `[Service] ${key}`).toHaveLength(1);
  return service[key]![0]!;
};

describe('deploy/hookline.service', () => {
  it('runs the pinned node on cli/main.ts start with the /etc configuration, as the hookline user, restarting on failure', () => {
    expect(one('User')).toBe('hookline');
    expect(one('WorkingDirectory')).toBe('/opt/hookline');
    expect(one('ExecStart')).toBe('/opt/hookline/node_modules/.bin/node --no-node-snapshot cli/main.ts start --config /etc/hookline/hookline.config.json');
    expect(one('Restart')).toBe('on-failure');
    // the editor page is built outside the sandbox (editor/dist is read-only to the service), by the pinned node
    expect(one('ExecStartPre')).toBe('+/opt/hookline/node_modules/.bin/node /opt/hookline/editor/build.ts');
    expect(unit.Install?.WantedBy).toEqual(['multi-user.target']);
  });

  it('is hardened: no new privileges, a read-only system with the data folder writable and the recordings read-only, private /tmp', () => {
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ReadWritePaths')).toBe('/opt/hookline/data');
    expect(one('ReadOnlyPaths')).toBe('-/var/spool/asterisk/monitor');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('CapabilityBoundingSet')).toBe('');
    // V8 compiles to writable-executable memory: this directive would crash the service at its first script.
    expect(service.MemoryDenyWriteExecute).toBeUndefined();
  });

  it("agrees with the project: the command exists and takes --config, the page builder exists; the paths are the configuration's defaults", () => {
    expect(existsSync('editor/build.ts')).toBe(true);
    expect(readFileSync('editor/build.ts', 'utf8')).toMatch(/`node editor\/build\.ts`: build now/);
    const help = spawnSync(resolve('node_modules/.bin/node'), ['--no-node-snapshot', 'cli/main.ts', 'start', '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/--config <file>/);
    const defaults = checkConfig({}, null, {});
    if (!defaults.ok) throw new Error(defaults.error.message);
    expect(resolve(one('WorkingDirectory'), defaults.value.config.dataDir)).toBe(one('ReadWritePaths'));
    expect(`-${defaults.value.config.recordings.dir}`).toBe(one('ReadOnlyPaths'));
  });

  it.skipIf(!hasSystemd)(`systemd-analyze verify accepts it without a warning${hasSystemd ? '' : NO_SYSTEMD}`, () => {
    const root = mkdtempSync(join(tmpdir(), 'hl-unit-'));
    mkdirSync(join(root, 'opt/hookline/node_modules/.bin'), { recursive: true });
    symlinkSync(resolve('node_modules/.bin/node'), join(root, 'opt/hookline/node_modules/.bin/node'));
    mkdirSync(join(root, 'units'));
    const copy = join(root, 'units/hookline.service');
    writeFileSync(copy, UNIT_TEXT.replaceAll('/opt/hookline', join(root, 'opt/hookline')));
    const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    // verify exits 0 on unknown keys and unparsable values, only warning: any output is a failure here
    expect({ status: r.status, output: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, output: '' });
  });

  it.skipIf(!hasSystemd)(`systemd-analyze security rates its exposure OK${hasSystemd ? '' : NO_SYSTEMD}`, () => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', 'deploy/hookline.service'], { encoding: 'utf8' });
    const m = /Overall exposure level for hookline\.service: ([\d.]+) (\w+)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(m![2]).toBe('OK');
  });
});
