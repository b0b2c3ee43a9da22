import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const hookline = (...args: string[]) => spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('hookline calls', () => {
  it('prints one JSON line per finished call with the stages, and the stage hooks run (no CRM)', () => {
    const r = hookline('calls', 'tests/fixtures/ami/caco-internal-busy-reject.ami');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    const call = lines[0] as Record<string, unknown>;
    // the fields issue 3 names, exactly so spelled (decisions is an addition: what the stage decision said)
    expect(Object.keys(call).filter((k) => k !== 'decisions')).toEqual(['linkedid', 'direction', 'from', 'to', 'answered', 'answered_by', 'conversations', 'result', 'stages', 'call_full']);
    expect((call.conversations as Record<string, unknown>[]).map((c) => Object.keys(c))).toEqual([['id', 'from', 'to', 'answered', 'start_time', 'answer_time', 'end_time']]);
    expect(call).toMatchObject({ linkedid: '195176c06ab8-1529936241.98', direction: 'internal', from: '201', to: '202', answered: false, answered_by: null, result: 486 });
    expect(call.stages).toEqual(['conversation_requested', 'conversation_ended', 'call_ended']);
    expect((call.call_full as { result: number }).result).toBe(486);
  });

  it('runs a published-to-be process_client_phone on an inbound call', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-calls-'));
    const script = join(dir, 'phone.ts');
    writeFileSync(script, "export default (i: HookInput): HookResult => ({ data: { phone: 'client:' + i.phone }, state: 'success' });\n");
    // The PBX owner names the trunk in the configuration, as a real installation would.
    const config = join(dir, 'hookline.config.json');
    writeFileSync(config, JSON.stringify({ pbx: { trunks: ['SIP/voipgrid-siproute-docker'] } }));
    const r = hookline('calls', 'tests/fixtures/ami/caco-inbound-queue-answered.ami', '--config', config, '--script', `process_client_phone=${script}`);
    expect(r.status).toBe(0);
    const call = JSON.parse(r.stdout.trim().split('\n')[0] as string) as { direction: string; from: string; decisions: { register: boolean; phone?: string }[] };
    expect(call).toMatchObject({ direction: 'inbound', from: '+31150010001' });
    expect(call.decisions.length).toBeGreaterThan(0);
    for (const d of call.decisions) expect(d).toMatchObject({ register: true, phone: expect.stringMatching(/^client:/) });
  });

  it('exits 2 on an unreadable capture or a bad --script', () => {
    expect(hookline('calls', '/nonexistent.ami').status).toBe(2);
    expect(hookline('calls', 'tests/fixtures/ami/caco-internal-busy-reject.ami', '--script', 'nope=x.ts').stderr).toMatch(/--script takes <hook>=<file.ts>/);
  });
});
