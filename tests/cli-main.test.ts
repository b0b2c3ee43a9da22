import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const node = process.execPath;

describe('hookline command line', () => {
  it('lists its commands with --help and exits 0', () => {
    const out = execFileSync(node, ['--no-node-snapshot', 'cli/main.ts', '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/^Usage: hookline/m);
    expect(out).toMatch(/^\s+start\b/m);
  });

  it('answers an unknown command with a usage error and exit code 2', () => {
    const r = spawnSync(node, ['--no-node-snapshot', 'cli/main.ts', 'no-such-command'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'no-such-command'/);
  });
});
