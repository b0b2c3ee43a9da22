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

  it('runs the hook\'s test cases too: pass or FAIL with the diff, exit 1 when one fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-replay-cases-'));
    const s = await openStore(dir);
    if (!s.ok) throw new Error(s.error.message);
    const input = hooks.process_client_phone.exampleInput;
    await s.value.saveTestCases('process_client_phone', [
      { name: 'keeps the plus', input, expected: { phone: input.phone }, now: 1, seed: 1, author: 't' },
      { name: 'digits only', input, expected: { phone: input.phone.replace(/\D/g, '') }, now: 1, seed: 1, author: 't' },
    ]);
    await s.value.close();
    const script = join(dir, 'draft.ts');
    writeFileSync(script, "export default (i: HookInput): HookResult => ({ data: { phone: i.phone }, state: 'success' });\n");
    const text = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'replay', 'process_client_phone', '--script', script, '--data', dir], { encoding: 'utf8' });
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/^pass +test case "keeps the plus"$/m);
    expect(text.stdout).toMatch(/^FAIL +test case "digits only"$/m);
    expect(text.stdout).toContain(`+  "phone": "${input.phone}"`);
    expect(text.stdout).toContain('2 test cases: 1 pass, 1 fail');
    const json = spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'replay', 'process_client_phone', '--script', script, '--data', dir, '--json'], { encoding: 'utf8' });
    expect(JSON.parse(json.stdout).tests.summary).toEqual({ total: 2, passed: 1, failed: 1 });
  });

  it('applies the hook limits of --config (hooks.<hook>), as the engine runs the script', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-replay-limits-'));
    const s = await openStore(join(dir, 'data'));
    if (!s.ok) throw new Error(s.error.message);
    s.value.capture({ hook: 'process_client_phone', linkedid: '8.1', input: hooks.process_client_phone.exampleInput, now: 1, seed: 1 });
    await s.value.flush();
    await s.value.close();
    // Big by nature: ~100 MB of numbers, past the default 64 MB, within the 256 MB the config allows. (Not a slow
    // script: a replay pins Date to the capture's time, so a loop waiting for the clock would never end.)
    const script = join(dir, 'big.ts');
    writeFileSync(script, "export default function (i: HookInput): HookResult {\n  const table = Array.from({ length: 12_000_000 }, (_, k) => k + 0.5);\n  return { data: { phone: table.length > 0 ? i.phone : '' }, state: 'success' };\n}\n");
    const config = join(dir, 'hookline.config.json');
    writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), hooks: { process_client_phone: { memoryMb: 256, timeoutMs: 10_000 } } }));
    const replay = (...extra: string[]) => spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'replay', 'process_client_phone', '--script', script, '--json', ...extra], { encoding: 'utf8' });

    const withConfig = replay('--config', config);
    expect(withConfig.status, withConfig.stderr).toBe(0);
    expect(JSON.parse(withConfig.stdout).summary).toEqual({ total: 1, changed: 0, unchanged: 1, failed: 0 });

    const onDefaults = replay('--data', join(dir, 'data'));
    expect(onDefaults.status).toBe(1);
    expect(['MEMORY_LIMIT', 'TIMEOUT']).toContain(JSON.parse(onDefaults.stdout).results[0].draft.error.code);
  }, 60_000);
});

describe('hookline replay: the diff as printed', () => {
  it('shows both header lines, and for a failed draft its error on the draft side, not the default output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-replay-diff-'));
    const s = await openStore(dir);
    if (!s.ok) throw new Error(s.error.message);
    const input = hooks.process_client_phone.exampleInput;
    s.value.capture({ hook: 'process_client_phone', linkedid: '9.1', input, now: 1, seed: 1 });
    await s.value.flush();
    await s.value.close();
    const changed = join(dir, 'changed.ts');
    writeFileSync(changed, "export default (i: HookInput): HookResult => ({ data: { phone: `${i.phone}0` }, state: 'success' });\n");
    const failing = join(dir, 'failing.ts');
    writeFileSync(failing, "export default (i: HookInput): HookResult => { throw new Error(`no phone for ${i.phone}`); };\n");
    const run = (script: string) => spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'replay', 'process_client_phone', '--script', script, '--data', dir], { encoding: 'utf8' });

    const c = run(changed);
    expect(c.status, c.stderr).toBe(0);
    const cl = c.stdout.split('\n');
    const minus = cl.findIndex((l) => l === '    --- published (default)');
    expect(minus, c.stdout).toBeGreaterThan(0);
    expect(cl[minus + 1]).toBe('    +++ draft');

    const f = run(failing);
    expect(f.status).toBe(1);
    const fl = f.stdout.split('\n');
    const fminus = fl.findIndex((l) => l === '    --- published (default)');
    expect(fminus, f.stdout).toBeGreaterThan(0);
    expect(fl[fminus + 1]).toBe('    +++ draft (failed)');
    const added = fl.filter((l) => l.startsWith('    +') && !l.startsWith('    +++'));
    expect(added.join('\n')).toContain('"code": "SCRIPT_ERROR"');
    expect(added.join('\n')).not.toContain('"phone"');
  }, 60_000);
});
