import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'hl-run-limits-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

it('hookline run --config applies the hook limits of the config (hooks.<hook>.timeoutMs), as the engine does', () => {
  const input = file('input.json', JSON.stringify(hooks.process_client_phone.exampleInput));
  // Slow by nature: 1.5 s of work, past the default 1 s, within the 5 s the config allows.
  const script = file('slow.ts', "export default function (input: HookInput): HookResult {\n  const end = Date.now() + 1500;\n  while (Date.now() < end) { /* work */ }\n  return { data: { phone: input.phone }, state: 'success' };\n}\n");
  const config = file('hookline.config.json', JSON.stringify({ dataDir: join(dir, 'data'), hooks: { process_client_phone: { timeoutMs: 5000 } } }));
  const run = (...extra: string[]) => spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', 'run', 'process_client_phone', '--script', script, '--input', input, ...extra], { encoding: 'utf8' });

  const withConfig = run('--config', config);
  expect(withConfig.status, withConfig.stdout + withConfig.stderr).toBe(0);
  expect(JSON.parse(withConfig.stdout)).toMatchObject({ ok: true, error: null });

  const onDefaults = run();
  expect(onDefaults.status).toBe(1);
  expect((JSON.parse(onDefaults.stdout) as { error: { code: string } }).error.code).toBe('TIMEOUT');
}, 60_000);
