/**
 * The layout rule of docs/DESIGN.md: a folder is a module whose public surface is its index.ts, and other
 * modules import only that. Top-level folders are modules; under engine/ and sim/ each sub-folder is one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const MODULE_ROOTS = ['ami-wire', 'app', 'bench', 'cli', 'config', 'contracts', 'demo', 'durable', 'editor', 'engine', 'http', 'log', 'sandbox', 'scripts-store', 'sim', 'status'];
const NESTED = new Set(['engine', 'sim']);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The module a file belongs to: "engine/kommo", "sim/pbx", "contracts", … */
function moduleOf(file: string): string {
  const parts = relative(root, file).split(sep);
  if (NESTED.has(parts[0] as string) && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts[0] as string;
}

/** Imports in `files` that reach into another module past its index.ts, as "from -> to". */
function deepImports(files: string[], read: (file: string) => string = (f) => readFileSync(f, 'utf8')): string[] {
  const bad: string[] = [];
  for (const file of files) {
    const src = read(file);
    for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), m[1] as string);
      const from = moduleOf(file);
      const to = moduleOf(target);
      if (from === to) continue;
      if (target === join(root, to, 'index.ts')) continue;
      bad.push(`${relative(root, file)} -> ${relative(root, target)}`);
    }
  }
  return bad;
}

describe('module boundaries', () => {
  const files = MODULE_ROOTS.flatMap((d) => sources(join(root, d)));

  it('finds the modules it checks (each has an index.ts)', () => {
    const modules = [...new Set(files.map(moduleOf))].filter((m) => !['bench', 'cli'].includes(m) && m !== 'engine' && m !== 'sim');
    expect(modules.length).toBeGreaterThan(20);
    const missing = modules.filter((m) => !existsSync(join(root, m, 'index.ts')));
    expect(missing, 'modules without an index.ts naming their exports').toEqual([]);
  });

  it('imports another module only through its index.ts', () => {
    expect(deepImports(files)).toEqual([]);
  });

  it('the check sees a deep import (it can fail)', () => {
    const probe = join(root, 'engine', 'registrar', 'steps.ts');
    const fake = (src: string) => () => src;
    expect(deepImports([probe], fake("import { RESULT_TO_KOMMO } from '../../contracts/call-full.ts';\n"))).toEqual([
      'engine/registrar/steps.ts -> contracts/call-full.ts',
    ]);
    expect(deepImports([probe], fake("import type { HookInvoker } from '../stages/hook-invoker.ts';\n"))).toEqual([
      'engine/registrar/steps.ts -> engine/stages/hook-invoker.ts',
    ]);
    expect(deepImports([probe], fake("import { RESULT_TO_KOMMO } from '../../contracts/index.ts';\nimport { x } from './job.ts';\n"))).toEqual([]);
  });
});

describe('contracts/ loads TypeScript only when a script is type-checked', () => {
  it('importing contracts/index.ts does not load the typescript package', () => {
    const code = `
      import { createRequire } from 'node:module';
      await import(${JSON.stringify(join(root, 'contracts', 'index.ts'))});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/typescript/'));
      const before = loaded();
      const c = await import(${JSON.stringify(join(root, 'contracts', 'index.ts'))});
      c.typeCheck('export default (i: HookInput): HookResult => ({ data: true, state: "success" }) as HookResult;', 'need_registration');
      console.log(JSON.stringify({ before, after: loaded() }));`;
    const r = spawnSync(process.execPath, ['--no-node-snapshot', '--input-type=module', '-e', code], { encoding: 'utf8', cwd: root });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim())).toEqual({ before: false, after: true });
  });
});
