import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('hookline demo --captures <dir> --once', () => {
  it('registers every fixture call in the Kommo emulator and prints one JSON object', () => {
    const r = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'demo', '--captures', 'tests/fixtures/ami', '--once'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0] as string) as {
      calls: number; registered: number; failed: number; kommo: { requests: number; byRoute: Record<string, number>; status429: number };
      failures: unknown[]; state: { contacts: unknown[]; leads: unknown[]; unsorted: unknown[]; calls: { uniq?: string }[]; tasks: unknown[] };
    };
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['calls', 'registered', 'failed', 'kommo', 'failures', 'state']));
    expect(Object.keys(out.state).sort()).toEqual(['calls', 'contacts', 'leads', 'tasks', 'unsorted']);
    // 11 captures hold 14 calls: 8 with a client (registered), 6 internal (not registered).
    expect(out.calls).toBe(14);
    expect(out.registered).toBe(8);
    expect(out.failed).toBe(0);
    expect(out.failures).toEqual([]);
    expect(out.kommo.status429).toBe(0);
    expect(out.kommo.byRoute['POST /api/v4/calls']).toBeGreaterThan(0);
    expect(out.state.calls).toHaveLength(8);
    expect(new Set(out.state.calls.map((c) => c.uniq)).size).toBe(8);
    expect(out.state.tasks).toHaveLength(2);
  });

  it('exits 2 on a folder without captures', () => {
    const r = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'demo', '--captures', 'docs', '--once'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/has no \.ami capture/);
  });
});
