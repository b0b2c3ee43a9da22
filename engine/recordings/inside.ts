/**
 * The one rule for recording paths: a path is served or linked only when its real path (symlinks resolved)
 * is inside the real path of its folder. Lexical checks alone are not enough: a symlink inside the folder may
 * point anywhere.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' ? false : !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..');
}

/** The real path of `p` (resolved against `root` when relative) if it is inside `root`'s real path, else null. */
export async function realInside(root: string, p: string): Promise<{ realRoot: string; real: string } | null> {
  const realRoot = await realpath(root).catch(() => null);
  if (!realRoot) return null;
  const lexical = resolve(realRoot, p);
  const real = await realpath(lexical).catch(() => null);
  if (!real || !isInside(realRoot, real)) return null;
  return { realRoot, real };
}
