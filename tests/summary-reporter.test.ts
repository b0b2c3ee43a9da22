/**
 * The closing line of tests/helpers/summary-reporter.ts says "failed" whenever vitest fails a file. Each fixture
 * of tests/fixtures/reporter/ (not matched by the project's include: they fail on purpose) runs in its own
 * vitest, as `npm test` runs, and the test reads the last line and the exit code. Before the reporter counted
 * hooks, a file failing in its beforeAll closed with "0 passed, 0 failed, 4 skipped" and exit code 1.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';

const fixtures = join(import.meta.dirname, 'fixtures', 'reporter');
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

function run(fixture: string): { line: string; code: number | null } {
  // The child is a vitest of its own, not a worker of this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  const r = spawnSync(process.execPath, [vitest, 'run', '--root', fixtures, `${fixture}.fixture.ts`], { env, encoding: 'utf8', timeout: 60_000 });
  return { line: r.stdout.trim().split('\n').at(-1) ?? '', code: r.status };
}

it.each([
  ['file-setup-fails', 'a file whose beforeAll throws: its 3 tests that were to run failed, the it.skip stays skipped', 'tests: 0 passed, 3 failed, 1 skipped', 1],
  ['group-setup-fails', 'a group whose beforeAll throws: its 2 tests failed, the other group passed', 'tests: 1 passed, 2 failed, 0 skipped', 1],
  ['teardown-fails', 'a file whose afterAll throws after its tests passed: the file counts as one failed; ctx.skip() stays skipped', 'tests: 2 passed, 1 failed, 1 skipped', 1],
  ['load-fails', 'a file that throws while it loads: one failed', 'tests: 0 passed, 1 failed, 0 skipped', 1],
  ['passing', 'the control: a pass and an it.skip', 'tests: 1 passed, 0 failed, 1 skipped', 0],
] as const)('%s: %s', (fixture, _what, line, code) => {
  expect(run(fixture)).toEqual({ line, code });
}, 60_000);
