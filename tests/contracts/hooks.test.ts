import vm from 'node:vm';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { HOOK_NAMES, defaultData, hooks, typeCheck, validateInput, validateOutput, type HookContract } from '../../contracts/index.ts';

/** Test-only: run a template's compiled text in a node:vm context, to check the shape of what it returns. */
function runTemplate(c: HookContract): unknown {
  const js = transformSync(c.template, { loader: 'ts', format: 'cjs', target: 'es2022' }).code;
  const module = { exports: {} as { default?: (i: unknown) => unknown } };
  vm.runInNewContext(js, { module, exports: module.exports, console: { log() {}, info() {}, warn() {}, error() {} } });
  return module.exports.default?.(structuredClone(c.exampleInput));
}

describe.each(HOOK_NAMES.map((h) => [h]))('%s contract', (hook) => {
  const c = hooks[hook] as HookContract;

  it('has an example input that matches its input schema', () => {
    expect(validateInput(hook, c.exampleInput)).toEqual({ ok: true, data: c.exampleInput });
  });

  it('has a default that matches its output schema', () => {
    const d = defaultData(hook, c.exampleInput as never);
    expect(validateOutput(hook, d)).toMatchObject({ ok: true });
  });

  it('has a template that type-checks clean against its typings', () => {
    expect(typeCheck(c.template, hook)).toEqual([]);
  });

  it('has a template whose output on the example input validates', () => {
    const out = runTemplate(c) as { data?: unknown; state?: unknown };
    expect(out.state).toBe('success');
    expect(validateOutput(hook, out.data)).toMatchObject({ ok: true });
  });
});

describe('contracts as a whole', () => {
  it('numbers the hooks 1 to 13 without gaps', () => {
    expect(HOOK_NAMES.map((h) => hooks[h].number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('gives process_record_file_path 10 s and every other hook 1 s by default', () => {
    for (const h of HOOK_NAMES) expect(hooks[h].limits.timeoutMs, h).toBe(h === 'process_record_file_path' ? 10_000 : 1_000);
  });

  it('refuses an engine-built input that breaks the input contract, naming the path', () => {
    const bad = { ...hooks.process_client_phone.exampleInput, call_stage: 'ringing' };
    expect(validateInput('process_client_phone', bad)).toMatchObject({ ok: false, path: '/call_stage' });
  });
});
