import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAmiText } from '../../ami-wire/index.ts';
import { FIXTURE_EXPECTATIONS } from './fixture-expectations.ts';
import { differences, trackAll } from './check-fixture.ts';

const REPO_DIR = join(import.meta.dirname, '../fixtures/ami');
const SHARED_DIR = join(import.meta.dirname, '../../../shared/fixtures/ami');
const sharedThere = existsSync(SHARED_DIR);

describe('tracker: every AMI fixture as its metadata says', () => {
  it('covers every fixture file present', () => {
    const names = new Set(FIXTURE_EXPECTATIONS.map((f) => f.name));
    expect(names.size).toBe(19);
  });

  for (const fx of FIXTURE_EXPECTATIONS) {
    const dir = fx.where === 'repo' ? REPO_DIR : SHARED_DIR;
    const skip = fx.where === 'shared' && !sharedThere;
    it.skipIf(skip)(`${fx.name}${skip ? ' (skipped: ../shared/fixtures/ami is not there)' : ''}`, () => {
      const evs = parseAmiText(readFileSync(join(dir, `${fx.name}.ami`), 'utf8'));
      expect(differences(trackAll(evs, fx), fx)).toEqual([]);
    });
  }
});

if (!sharedThere) console.warn(`tests/tracker/fixtures: ${SHARED_DIR} is absent: the ${FIXTURE_EXPECTATIONS.filter((f) => f.where === 'shared').length} tests of the shared fixtures were SKIPPED (CI always has the folder)`);
