/**
 * No file of the project names where one machine keeps its clone: a path in the folder where the first clone
 * lived ("work" at the root, beside its ../shared) or under the folder this clone is in. On CI's clone, in
 * another folder, such a path made tests skip and the AMI bench read fewer captures (issue 15, rough edge 15).
 * The shared fixtures are `../shared` from the project root (tests/helpers/shared.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
// Built from parts, so that this file does not name it.
const WORK = ['', 'work', ''].join('/');

/** Outside git (an unpacked archive): every file but what .gitignore leaves out. */
const UNTRACKED = new Set(['.git', 'node_modules', 'data', 'test-output', 'dist']);
function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (UNTRACKED.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** The project's files: git's tracked ones and new ones not ignored. */
function projectFiles(): string[] {
  const r = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return walk(root);
  return r.stdout.split('\0').filter(Boolean).map((f) => join(root, f)).filter((f) => existsSync(f) && statSync(f).isFile());
}

/** Each "file:line: text" that names one of `paths`; binary files (a NUL byte) are passed over. */
export function namingPaths(files: string[], paths: string[], read: (f: string) => Buffer = (f) => readFileSync(f)): string[] {
  const found: string[] = [];
  for (const file of files) {
    const bytes = read(file);
    if (bytes.includes(0)) continue;
    bytes.toString('utf8').split('\n').forEach((line, i) => {
      if (paths.some((p) => line.includes(p))) found.push(`${file.slice(root.length + 1)}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

const forbidden = [WORK, `${root}/`];

it(`no project file names ${WORK} or this clone's own folder`, () => {
  const files = projectFiles();
  expect(files.length).toBeGreaterThan(100);
  expect(namingPaths(files, forbidden)).toEqual([]);
});

it('the check finds such a path (a probe: a file naming the shared fixtures by their absolute path, and one naming the clone)', () => {
  const probe: Record<string, string> = {
    [join(root, 'tests', 'probe.test.ts')]: `import { it } from 'vitest';\nconst SHARED = '${WORK}shared/fixtures/ami';\n`,
    [join(root, 'docs', 'probe.md')]: `Run it from ${root}/scripts.\n`,
    [join(root, 'docs', 'fine.md')]: 'The captures are in ../shared/fixtures/ami.\n',
  };
  expect(namingPaths(Object.keys(probe), forbidden, (f) => Buffer.from(probe[f] as string))).toEqual([
    `tests/probe.test.ts:2: const SHARED = '${WORK}shared/fixtures/ami';`,
    `docs/probe.md:1: Run it from ${root}/scripts.`,
  ]);
});
