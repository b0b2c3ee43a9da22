import { describe, expect, it } from 'vitest';
import { compile } from '../../../sandbox/index.ts';
import { expectRunnerStillWorks, run, useRunner } from '../helpers.ts';

describe('scripts that fail', () => {
  const runner = useRunner();

  it('a throw: SCRIPT_ERROR naming the TypeScript line, with the default data', async () => {
    const r = await run(runner(), 'process_client_phone', "export default function (input: HookInput): HookResult {\n  const digits = input.phone.length;\n  throw new TypeError('no such number ' + digits);\n}", {
      linkedid: '1700000000.7',
    });
    expect(r).toMatchObject({ ok: false, data: { phone: '+79161234567' } });
    expect(r.error?.code).toBe('SCRIPT_ERROR');
    expect(r.error?.message).toBe('process_client_phone (script v1) on call 1700000000.7 threw at hooks/process_client_phone.ts:3:9: TypeError: no such number 12');
    await expectRunnerStillWorks(runner());
  });

  it('a thrown non-Error value: SCRIPT_ERROR that says so', async () => {
    const r = await run(runner(), 'need_registration', 'export default function () { throw { reason: 42 }; }');
    expect(r.error?.message).toMatch(/a non-Error value was thrown: \{"reason":42\}/);
    await expectRunnerStillWorks(runner());
  });

  it('a rejected promise: SCRIPT_ERROR', async () => {
    const r = await run(runner(), 'need_registration', 'export default async function () { throw new Error("async boom"); }');
    expect(r.error?.code).toBe('SCRIPT_ERROR');
    expect(r.error?.message).toMatch(/Error: async boom/);
  });

  it('a wrong state: BAD_STATE', async () => {
    const r = await run(runner(), 'need_registration', 'export default function () { return { data: { result: false }, state: "error" }; }');
    expect(r.error?.code).toBe('BAD_STATE');
    expect(r.error?.message).toMatch(/^need_registration \(script v\d+\) returned state error instead of "success"$/);
    expect(r.data).toEqual({ result: true });
    await expectRunnerStillWorks(runner());
  });

  it('returning nothing: BAD_STATE', async () => {
    const r = await run(runner(), 'need_registration', 'export default function () {}');
    expect(r.error?.code).toBe('BAD_STATE');
  });

  it('a syntax error: COMPILE_ERROR with file, line and column', async () => {
    const c = await compile('export default function () {\n  return { data: { result: true }, state: "success" \n}', { hook: 'need_registration', version: 4 });
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.error.code).toBe('COMPILE_ERROR');
      expect(c.error.where).toMatchObject({ file: 'hooks/need_registration.ts', line: 3 });
      expect(c.error.message).toMatch(/^need_registration \(script v4\) did not compile at hooks\/need_registration\.ts:3:\d+: /);
    }
  });

  it.each(['node:fs', 'fs', 'child_process', 'lodash', './other.ts', 'https://example.com/x.js'])('an import of %s: COMPILE_ERROR naming it', async (spec) => {
    const c = await compile(`import x from '${spec}';\nexport default function () { return x; }`, { hook: 'need_registration' });
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.error.code).toBe('COMPILE_ERROR');
      expect(c.error.message).toContain(`import of "${spec}" is not allowed: a script is self-contained`);
    }
  });

  it('a dynamic import or require at run time: SCRIPT_ERROR, nothing loaded', async () => {
    const r = await run(runner(), 'need_registration', 'declare const require: any;\nexport default function () { const fs = require(["f", "s"].join("")); return { data: { result: typeof fs.readFileSync === "function" }, state: "success" }; }');
    expect(r.error?.code).toBe('SCRIPT_ERROR');
    expect(r.error?.message).toMatch(/Dynamic require of "fs" is not supported|require is not defined/);
    const d = await run(runner(), 'need_registration', 'export default async function () { const name = ["node", "fs"].join(":"); const m = await import(name); return { data: { result: !!m }, state: "success" }; }');
    expect(d.error?.code).toBe('SCRIPT_ERROR');
    await expectRunnerStillWorks(runner());
  });

  it('no default export: COMPILE_ERROR', async () => {
    const c = await compile('export function hook() {}', { hook: 'need_registration' });
    expect(!c.ok && c.error.message).toMatch(/has no default export/);
  });

  it('a default export that is not a function: COMPILE_ERROR when it is run, with the default data', async () => {
    const r = await run(runner(), 'need_registration', 'export default { data: { result: false }, state: "success" };');
    expect(r.error?.code).toBe('COMPILE_ERROR');
    expect(r.error?.message).toMatch(/did not compile at hooks\/need_registration\.ts: the default export is object, not a function/);
    expect(r.data).toEqual({ result: true });
    await expectRunnerStillWorks(runner());
  });
});
