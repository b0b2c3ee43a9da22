/**
 * `hookline contracts --example <hook>` prints a real input for every hook (its call_full built by the call
 * tracker from a demo capture), and that input is what `hookline run` takes: the hook's template runs on it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOOK_NAMES, hooks } from '../../contracts/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'hl-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hookline = (...args: string[]) => spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('hookline contracts --example <hook>', () => {
  it.each(HOOK_NAMES.map((h) => [h]))('%s: the example passes `hookline run <hook> --script <template> --input <example>`', (hook) => {
    const ex = hookline('contracts', '--example', hook);
    expect(ex.status, ex.stderr).toBe(0);
    const input = join(dir, `${hook}.json`);
    writeFileSync(input, ex.stdout);
    const script = join(dir, `${hook}.ts`);
    writeFileSync(script, hooks[hook].template);
    const run = hookline('run', hook, '--script', script, '--input', input);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, error: null });
  }, 60_000);

  it('builds call_full from the demo capture through the tracker, and says so on stderr', () => {
    const ex = hookline('contracts', '--example', 'process_client_phone');
    const input = JSON.parse(ex.stdout) as { call_full: { channel: { from: { number: string }; start_time: string } }; phone: string; call_stage: string };
    expect(input.call_full.channel.from.number).toBe('+31150010001');
    expect(input.phone).toBe('+31150010001');
    expect(input.call_full.channel.start_time).toBe('2025-11-20 10:15:00');
    expect(ex.stderr).toMatch(/^hookline: the input of process_client_phone from call \S+ of the demo capture caco-inbound-queue-answered \(stage conversation_requested\), through the call tracker\n$/);
  });

  it('says when a hook gets no call_full and the contract\'s exampleInput is printed', () => {
    const ex = hookline('contracts', '--example', 'customize_autodistribution');
    expect(JSON.parse(ex.stdout)).toEqual(hooks.customize_autodistribution.exampleInput);
    expect(ex.stderr).toBe("hookline: the input of customize_autodistribution from the contract's exampleInput (customize_autodistribution gets no call_full)\n");
  });

  it('refuses an unknown hook with exit 2', () => {
    const ex = hookline('contracts', '--example', 'no_such_hook');
    expect(ex.status).toBe(2);
    expect(ex.stderr).toContain('unknown hook "no_such_hook"');
  });
});
