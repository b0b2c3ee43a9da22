/** The TypeScript sources under a folder (node_modules and built output left out), for the layout tests. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}
