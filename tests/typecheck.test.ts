/**
 * The service and the editor page type-check (strict). Node runs the TypeScript by stripping the types, so
 * without this nothing would notice a type error: and some rules are written as types (an error code must be
 * in the catalogue, contracts/errors-service.ts; a hook's output type comes from its contract).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe('type check', () => {
  it.each([['tsconfig.json'], ['editor/web/tsconfig.json']])('tsc -p %s --noEmit finds no error', (project) => {
    const r = spawnSync(process.execPath, [tsc, '-p', project, '--noEmit', '--pretty', 'false'], { encoding: 'utf8', timeout: 240_000 });
    expect(r.error, 'tsc could not run').toBeUndefined();
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  }, 300_000);
});
