/**
 * The shape issue 12 gave the registration path, held by tests: no casts that switch the type checker off in
 * engine/, small files where the registration path lives, and the registrar's steps one file each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sources } from './helpers/sources.ts';

const root = resolve(import.meta.dirname, '..');


/** `as never` and `as unknown as` in code (comments left out), as "file:line: text". */
function typeEscapes(files: string[], read: (f: string) => string = (f) => readFileSync(f, 'utf8')): string[] {
  const found: string[] = [];
  for (const file of files) {
    const code = read(file).replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
    code.split('\n').forEach((line, i) => {
      const text = line.replace(/\/\/.*$/, '');
      if (/\bas\s+never\b|\bas\s+unknown\s+as\b/.test(text)) found.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

/** Source files longer than `max` lines, as "file: N lines". */
function longFiles(files: string[], max: number): string[] {
  return files.map((f) => [f, readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > max).map(([f, n]) => `${relative(root, f)}: ${n} lines`);
}

describe('engine/ keeps its types', () => {
  it('has no `as never` or `as unknown as`', () => {
    expect(typeEscapes(sources(join(root, 'engine')))).toEqual([]);
  });

  it('the check sees one (it can fail), and not one in a comment', () => {
    const file = join(root, 'engine', 'registrar', 'steps', 'kit.ts');
    const fake = (src: string) => () => src;
    expect(typeEscapes([file], fake('const a = b as never;\nconst c = d as unknown as E;\n'))).toEqual([
      'engine/registrar/steps/kit.ts:1: const a = b as never;',
      'engine/registrar/steps/kit.ts:2: const c = d as unknown as E;',
    ]);
    expect(typeEscapes([file], fake('// x as never\n/* y as unknown as Z */\nconst ok = 1;\n'))).toEqual([]);
  });
});

describe('the registration path is in small files', () => {
  const MAX = 300;

  it(`no source file over ${MAX} lines in engine/registrar/, engine/hooks/ and app/`, () => {
    const files = ['engine/registrar', 'engine/hooks', 'app'].flatMap((d) => sources(join(root, d)));
    expect(files.length).toBeGreaterThan(15);
    expect(longFiles(files, MAX)).toEqual([]);
  });

  it('each registration step has its own file in engine/registrar/steps/, and run-steps.ts runs them in order', () => {
    const steps = ['entity', 'lead', 'update', 'record', 'call', 'task', 'post'];
    const dir = join(root, 'engine', 'registrar', 'steps');
    const present = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
    expect(present.sort()).toEqual([...steps, 'kit'].sort());
    for (const s of steps) expect(readFileSync(join(dir, `${s}.ts`), 'utf8'), s).toMatch(new RegExp(`export async function ${s}Step\\(`));
    // The order the header comment promises: each step called after the one before it.
    const run = readFileSync(join(root, 'engine', 'registrar', 'run-steps.ts'), 'utf8');
    const body = run.slice(run.indexOf('export async function runSteps'));
    const at = steps.map((s) => body.indexOf(`${s}Step(`));
    expect(at.every((x) => x > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});
