import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hooks } from '../../contracts/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'hl-run-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const input = file('input.json', JSON.stringify(hooks.process_client_phone.exampleInput));
const okScript = file('ok.ts', "export default function (input: HookInput): HookResult {\n  console.warn('seen', input.phone);\n  return { data: { phone: input.phone.replace(/^\\+7/, '8') }, state: 'success' };\n}\n");
const hookline = (...args: string[]) => spawnSync(process.execPath, ['--no-node-snapshot', 'bin/hookline.js', ...args], { encoding: 'utf8' });

describe('hookline run', () => {
  it('prints one JSON object and exits 0 when the script succeeds', () => {
    const r = hookline('run', 'process_client_phone', '--script', okScript, '--input', input);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['ok', 'data', 'error', 'logs', 'durationMs']);
    expect(out).toMatchObject({ ok: true, data: { phone: '89161234567' }, error: null, logs: [{ level: 'warn', text: 'seen +79161234567' }] });
    expect(out.durationMs).toBeTypeOf('number');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('exits 1 with the default data and the error when the script fails', () => {
    const script = file('throws.ts', "export default function (): HookResult {\n  throw new Error('boom');\n}\n");
    const r = hookline('run', 'process_client_phone', '--script', script, '--input', input);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; data: unknown; error: { code: string; message: string; hint: string } };
    expect(out.ok).toBe(false);
    expect(out.data).toEqual({ phone: '+79161234567' });
    expect(out.error).toEqual({
      code: 'SCRIPT_ERROR',
      message: `process_client_phone (script local) threw at ${script}:2:9: Error: boom`,
      hint: 'Read the error and the logs; replay the captured input in the editor to reproduce it. The engine went on with the default data.',
    });
  });

  it('reports a compile error as a script failure (exit 1, COMPILE_ERROR)', () => {
    const script = file('syntax.ts', 'export default function ( {\n');
    const r = hookline('run', 'process_client_phone', '--script', script, '--input', input);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('COMPILE_ERROR');
  });

  it.each([
    ['an unknown hook', ['run', 'no_such_hook', '--script', 'x.ts', '--input', 'y.json'], /unknown hook "no_such_hook"/],
    ['an unreadable script', ['run', 'process_client_phone', '--script', join(dir, 'missing.ts'), '--input', join(dir, 'input.json')], /cannot read the script/],
    ['an input that is not JSON', ['run', 'process_client_phone', '--script', okScript, '--input', okScript], /is not JSON/],
    ['an input of the wrong shape', ['run', 'need_registration', '--script', okScript, '--input', join(dir, 'input.json')], /does not match the input of need_registration: \/phone: unknown key/],
    ['a missing option', ['run', 'process_client_phone'], /required option/],
  ])('exits 2 with a clear message on %s', (_name, args, message) => {
    const r = hookline(...(args as string[]));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });
});
