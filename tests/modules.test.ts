/**
 * The layout rule of docs/DESIGN.md: a folder is a module whose public surface is its index.ts, and other
 * modules import only that. Top-level folders are modules; under engine/ and sim/ each sub-folder is one.
 * And the arrows that must never exist between modules (FORBIDDEN), whichever file they go through.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sources } from './helpers/sources.ts';

const root = resolve(import.meta.dirname, '..');
const MODULE_ROOTS = ['ami-wire', 'app', 'bench', 'capabilities', 'cel', 'cli', 'config', 'contracts', 'demo', 'durable', 'editor', 'engine', 'http', 'log', 'sandbox', 'scripts-store', 'shadow', 'sim', 'status', 'stories'];
const NESTED = new Set(['engine', 'sim']);


/** The module a file belongs to: "engine/kommo", "sim/pbx", "contracts", … */
function moduleOf(file: string): string {
  const parts = relative(root, file).split(sep);
  if (NESTED.has(parts[0] as string) && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts[0] as string;
}

type Read = (file: string) => string;
const readSource: Read = (f) => readFileSync(f, 'utf8');

/** The files `file` imports by a relative path (static `import`/`export … from`, type-only too, and `import('…')`), resolved. */
function relativeImports(file: string, src: string): string[] {
  const specs = [
    ...src.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g),
    ...src.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g),
  ];
  return specs.map((m) => resolve(dirname(file), m[1] as string));
}

/** Imports in `files` that reach into another module past its index.ts, as "from -> to". */
function deepImports(files: string[], read: Read = readSource): string[] {
  const bad: string[] = [];
  for (const file of files) {
    for (const target of relativeImports(file, read(file))) {
      const from = moduleOf(file);
      const to = moduleOf(target);
      if (from === to) continue;
      if (target === join(root, to, 'index.ts')) continue;
      bad.push(`${relative(root, file)} -> ${relative(root, target)}`);
    }
  }
  return bad;
}

/**
 * Arrows between modules that must never exist. A side names a module and everything under it: `engine` is
 * engine/*.ts and every engine/<sub>/ module. Data flows one way (docs/DESIGN.md), and the low modules know
 * nothing of the ones built on them.
 */
const FORBIDDEN: readonly { from: string; to: string; why: string }[] = [
  { from: 'engine', to: 'editor', why: 'the engine runs calls; the editor is one route module on the HTTP server that reads the store' },
  { from: 'engine', to: 'scripts-store', why: 'the engine gets published scripts handed in (app/ wires the store to it), so it runs with any store or none' },
  { from: 'sim', to: 'engine', why: 'the simulated peers stand in for Asterisk and Kommo: they speak the wire (ami-wire/), never our client code' },
  { from: 'http', to: 'editor', why: 'the server knows no feature: features are route modules handed to startHttp' },
  { from: 'http', to: 'engine', why: 'the server knows no feature: features are route modules handed to startHttp' },
  { from: 'shadow', to: 'engine', why: 'shadow runs are handed what the engine saw (app/ wires the invoker to them): the engine never waits for them' },
  { from: 'shadow', to: 'scripts-store', why: 'shadows run on what they are handed; app/ ends a shadow when its hook is published' },
];

const under = (module: string, side: string) => module === side || module.startsWith(`${side}/`);

/** Imports in `files` along a FORBIDDEN arrow, as "from -> to (rule: why)". */
function forbiddenImports(files: string[], read: Read = readSource): string[] {
  const bad: string[] = [];
  for (const file of files) {
    const from = moduleOf(file);
    for (const target of relativeImports(file, read(file))) {
      const to = moduleOf(target);
      const arrow = `${relative(root, file)} -> ${relative(root, target)}`;
      for (const rule of FORBIDDEN) {
        if (under(from, rule.from) && under(to, rule.to) && !under(from, rule.to)) bad.push(`${arrow} (${rule.from} -> ${rule.to}: ${rule.why})`);
      }
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

describe('arrows that must never exist', () => {
  const files = MODULE_ROOTS.flatMap((d) => sources(join(root, d)));

  it('no module imports along a forbidden arrow (engine -> editor, engine -> scripts-store, sim -> engine, http -> editor, http -> engine)', () => {
    expect(forbiddenImports(files)).toEqual([]);
  });

  it('the check sees each forbidden arrow (it can fail)', () => {
    const fake = (src: string) => () => src;
    const probe = (file: string, src: string) => forbiddenImports([join(root, file)], fake(src)).map((b) => b.slice(0, b.indexOf(' (')));
    expect(probe('engine/registrar/steps.ts', "import type { RouteModule } from '../../editor/index.ts';\n")).toEqual(['engine/registrar/steps.ts -> editor/index.ts']);
    expect(probe('engine/engine.ts', "import { openStore } from '../scripts-store/index.ts';\n")).toEqual(['engine/engine.ts -> scripts-store/index.ts']);
    expect(probe('sim/pbx/server.ts', "import { AmiParser } from '../../engine/ami/index.ts';\n")).toEqual(['sim/pbx/server.ts -> engine/ami/index.ts']);
    expect(probe('sim/kommo/index.ts', "export { x } from '../../engine/index.ts';\n")).toEqual(['sim/kommo/index.ts -> engine/index.ts']);
    expect(probe('http/server.ts', "import { editorRoutes } from '../editor/index.ts';\n")).toEqual(['http/server.ts -> editor/index.ts']);
    expect(probe('http/gate.ts', "const c = await import('../engine/click-to-call/index.ts');\n")).toEqual(['http/gate.ts -> engine/click-to-call/index.ts']);
    // Allowed arrows: the editor on http, the engine on ami-wire and http, sim on ami-wire, inside one module.
    expect(probe('editor/routes.ts', "import { problem } from '../http/index.ts';\n")).toEqual([]);
    expect(probe('engine/click-to-call/click-to-call.ts', "import { clientKey } from '../../http/index.ts';\nimport { header } from '../../ami-wire/index.ts';\n")).toEqual([]);
    expect(probe('sim/pbx/server.ts', "import { AmiParser } from '../../ami-wire/index.ts';\n")).toEqual([]);
    expect(probe('engine/engine.ts', "import { connectAmi } from './ami/index.ts';\n")).toEqual([]);
  });

  it('engine/hooks reads no store: published scripts are handed in by app/', () => {
    const src = "import type { Store } from '../../scripts-store/index.ts';\n";
    expect(forbiddenImports([join(root, 'engine', 'hooks', 'published-scripts.ts')], () => src)).toHaveLength(1);
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
