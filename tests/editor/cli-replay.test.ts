import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';
import { openStore } from '../../scripts-store/index.ts';

describe('hookline replay', () => {
  it('prints per-input verdicts and the summary, and --json one object', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-replay-'));
    const s = await openStore(dir);
    if (!s.ok) throw new Error(s.error.message);
    const input = hooks.process_client_phone.exampleInput;
    s.value.capture({ hook: 'process_client_phone', linkedid: '7.1', input, now: 1, seed: 1 });
    s.value.capture({ hook: 'process_client_phone', linkedid: '7.2', input: { ...input, phone: '123' }, now: 2, seed: 2 });
    await s.value.flush();
    const script = join(dir, 'draft.ts');
    writeFileSync(script, "export default (i: HookInput): HookResult => ({ data: { phone: i.phone.length > 5 ? i.phone.slice(1) : i.phone }, state: 'success' });\n");

    const text = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'replay', 'process_client_phone', '--script', script, '--data', dir], { encoding: 'utf8' });
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^changed +\S+ call 7\.1 /m);
    expect(text.stdout).toMatch(/^unchanged +\S+ call 7\.2 /m);
    expect(text.stdout.trim().split('\n').at(-1)).toBe('2 inputs: 1 changed, 1 unchanged, 0 failed');

    const json = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'replay', 'process_client_phone', '--script', script, '--data', dir, '--json', '--limit', '1'], { encoding: 'utf8' });
    expect(JSON.parse(json.stdout).summary).toEqual({ total: 1, changed: 0, unchanged: 1, failed: 0 });
  });
});
