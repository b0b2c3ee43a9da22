/**
 * Every error code the service shows (HTTP answers, logs, the CLI, the editor page) is in the one catalogue, so
 * docs/errors.md lists it with what to do. Most modules draw their code types from the catalogue (a missing code
 * fails the type check: tests/typecheck.test.ts); this also catches codes written inline as `code: 'X'`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../contracts/index.ts';

const DIRS = ['ami-wire', 'app', 'cli', 'config', 'contracts', 'demo', 'durable', 'editor', 'engine', 'http', 'log', 'sandbox', 'scripts-store', 'status'];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'generated') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('error codes in use', () => {
  it('are all in the catalogue (contracts/errors*.ts), hence in docs/errors.md', () => {
    const known = new Set<string>(errorCodes);
    const missing: string[] = [];
    let seen = 0;
    for (const file of DIRS.flatMap(sources)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bcode: '([A-Z][A-Z0-9_]*)'/g)) {
        seen++;
        if (!known.has(m[1] as string)) missing.push(`${file}: ${m[1]}`);
      }
    }
    expect(seen).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });
});
