import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const hookline = (...args: string[]) => spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('hookline calls --explain', () => {
  it('adds to each call why its direction, numbers, answerer and result were decided', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-explain-'));
    const config = join(dir, 'hookline.config.json');
    writeFileSync(config, JSON.stringify({ pbx: { trunks: ['SIP/voipgrid-siproute-docker'] } }));
    const r = hookline('calls', 'tests/fixtures/ami/unseen/caco-inbound-queue-two-members.ami', '--config', config, '--explain');
    expect(r.status, r.stderr).toBe(0);
    const call = JSON.parse(r.stdout.trim().split('\n')[0] as string) as { answered_by: string; explain: Record<string, string> };
    expect(Object.keys(call.explain)).toEqual(['direction', 'from', 'to', 'answered', 'result']);
    expect(call.explain.direction).toBe('the caller SIP/voipgrid-siproute-docker-0000001b is a trunk');
    expect(call.explain.to).toBe('the extension SIP/voipgrid-siproute-docker-0000001b asked for (before any forward, group, queue or transfer)');
    expect(call.answered_by).toBe('150010002');
    expect(call.explain.answered).toMatch(/^SIP\/150010002-\w+ answered \(.*\); it showed \+31150010004, not an internal number \(the DID or the caller's\) and never placed a call as an extension, so it is named by its account$/);
    expect(call.explain.result).toBe('200: a leg answered');
  });

  it('without --explain the line is as before (no explain key)', () => {
    const r = hookline('calls', 'tests/fixtures/ami/caco-internal-busy-reject.ami');
    expect(Object.keys(JSON.parse(r.stdout.trim()) as object)).not.toContain('explain');
  });
});
