import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../cli/commands/contracts.ts';
import { HOOK_NAMES, editorTypings, errorCodes, typeCheck } from '../../contracts/index.ts';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--no-node-snapshot', 'cli/main.ts', ...args], { encoding: 'utf8' });

describe('artefacts derived from contracts/', () => {
  it.each(generatedFiles().map((f) => [f.path, f] as const))('%s is in step with contracts/ (else run npm run gen:contracts)', (path, f) => {
    expect(readFileSync(path, 'utf8'), `${path} is stale: run npm run gen:contracts`).toBe(f.text);
  });

  it('lists the same error codes in the catalogue, docs/errors.md and the typings', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    const docCodes = [...doc.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    const dts = editorTypings();
    const dtsCodes = [...(dts.match(/type HooklineErrorCode = (.*);/)?.[1] ?? '').matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]);
    expect(docCodes).toEqual(errorCodes);
    expect(dtsCodes).toEqual(errorCodes);
  });

  it('documents every hook in docs/hooks.md', () => {
    const doc = readFileSync('docs/hooks.md', 'utf8');
    for (const h of HOOK_NAMES) expect(doc).toContain(`\`${h}\``);
  });

  it('types a script against its hook: a wrong type is found at its line and column', () => {
    const src = "export default function (input: HookInput): HookResult {\n  return { data: { phone: 42 }, state: 'success' };\n}\n";
    expect(typeCheck(src, 'process_client_phone', 'x.ts')).toEqual([
      { file: 'x.ts', line: 2, column: 20, code: 'TS2322', message: "Type 'number' is not assignable to type 'string'." },
    ]);
  });

  it('says so when a script has no default export', () => {
    const [d] = typeCheck("export const x = 1;\n", 'need_registration', 'x.ts');
    expect(d?.message).toMatch(/no default export/);
  });

  it('refuses a read-only key of the input being a wrong type in the typings (customize_autodistribution name is a string)', () => {
    const src = "export default function (input: HookInput): HookResult {\n  return { data: { number: input.number, name: 5 }, state: 'success' };\n}\n";
    expect(typeCheck(src, 'customize_autodistribution').map((d) => d.code)).toEqual(['TS2322']);
  });
});

describe('hookline check and hookline contracts', () => {
  it('check exits 1 and prints file:line:col code message for a type error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-check-'));
    const file = join(dir, 'bad.ts');
    writeFileSync(file, "export default function (input: HookInput): HookResult {\n  return { data: { result: 'yes' }, state: 'success' };\n}\n");
    const r = cli('check', file, '--hook', 'need_registration');
    expect(r.status).toBe(1);
    expect(r.stdout.trim()).toBe(`${file}:2:20 TS2322 Type 'string' is not assignable to type 'boolean'.`);
  });

  it('check exits 0 and prints nothing for a clean script', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-check-'));
    const file = join(dir, 'ok.ts');
    writeFileSync(file, "export default async function (input: HookInput): Promise<HookResult> {\n  return { data: { result: input.call_stage !== 'conversation_requested' }, state: 'success' };\n}\n");
    const r = cli('check', file, '--hook', 'need_registration');
    expect([r.status, r.stdout]).toEqual([0, '']);
  });

  it('check exits 2 on an unknown hook', () => {
    const r = cli('check', 'x.ts', '--hook', 'no_such_hook');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown hook "no_such_hook"/);
  });

  it('check exits 2 and says what to do when the file cannot be read', () => {
    const r = cli('check', 'no/such/script.ts', '--hook', 'need_registration');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot read no\/such\/script\.ts/);
  });

  it('check reports a script without a default export at 1:1, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-check-'));
    const file = join(dir, 'none.ts');
    writeFileSync(file, 'export const x = 1;\n');
    const r = cli('check', file, '--hook', 'process_client_phone');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:1 TS\\d+ the script has no default export`));
  });

  it('contracts --errors prints the error table', () => {
    const r = cli('contracts', '--errors');
    expect([r.status, r.stdout]).toEqual([0, readFileSync('docs/errors.md', 'utf8')]);
  });

  it('contracts without an option exits 2 and lists the options', () => {
    const r = cli('contracts');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--dts, --docs, --errors, or --write/);
  });

  it('contracts --dts --hook prints the typings with HookInput of that hook', () => {
    const r = cli('contracts', '--dts', '--hook', 'process_client_phone');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("type HookInput = HookInputs['process_client_phone'];");
  });

  it('contracts --docs prints the hook table', () => {
    const r = cli('contracts', '--docs');
    expect(r.stdout).toBe(readFileSync('docs/hooks.md', 'utf8'));
  });
});
