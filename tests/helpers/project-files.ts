/** The project's own files, and the lines of them that name a given text: for the tests that keep paths out of it. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');

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

/** The project's files (absolute paths): git's tracked ones and new ones not ignored. */
export function projectFiles(): string[] {
  const r = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return walk(root);
  return r.stdout.split('\0').filter(Boolean).map((f) => join(root, f)).filter((f) => existsSync(f) && statSync(f).isFile());
}

/** Each "file:line: text" (file relative to the root) whose line matches; binary files (a NUL byte) are passed over. */
export function linesMatching(files: string[], match: (line: string) => boolean, read: (f: string) => Buffer = (f) => readFileSync(f)): string[] {
  const found: string[] = [];
  for (const file of files) {
    const bytes = read(file);
    if (bytes.includes(0)) continue;
    bytes.toString('utf8').split('\n').forEach((line, i) => {
      if (match(line)) found.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}
