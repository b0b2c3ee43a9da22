/**
 * TRACKER_AMI_ONLY lets the AMI parser skip events and headers undecoded: it must name everything the
 * tracker reads. Checked two ways: against the handlers' source (every header they read is listed) and
 * on every fixture (the tracker emits exactly the same with the filter as without).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAmi } from '../../ami-wire/index.ts';
import { TRACKER_AMI_EVENTS, TRACKER_AMI_HEADERS, TRACKER_AMI_ONLY } from '../../engine/tracker/index.ts';
import { FIXTURE_EXPECTATIONS } from './fixture-expectations.ts';
import { trackAll } from './check-fixture.ts';

const TRACKER_DIR = join(import.meta.dirname, '../../engine/tracker');
const REPO_DIR = join(import.meta.dirname, '../fixtures/ami');
const SHARED_DIR = join(import.meta.dirname, '../../../shared/fixtures/ami');

describe('tracker: what it reads from AMI (TRACKER_AMI_ONLY)', () => {
  it('lists every header the handlers read', () => {
    const read = new Set<string>();
    for (const f of readdirSync(TRACKER_DIR).filter((f) => f.endsWith('.ts'))) {
      const src = readFileSync(join(TRACKER_DIR, f), 'utf8');
      for (const m of src.matchAll(/header\(\s*\w+\s*,\s*(?:\w+\s*\?\s*)?'([A-Za-z]+)'(?:\s*:\s*'([A-Za-z]+)')?/g)) {
        read.add(m[1]!);
        if (m[2]) read.add(m[2]);
      }
    }
    expect(read.size).toBeGreaterThan(20);
    expect([...read].filter((h) => !TRACKER_AMI_HEADERS.includes(h))).toEqual([]);
    expect(TRACKER_AMI_EVENTS).toContain('CEL');
  });

  for (const fx of FIXTURE_EXPECTATIONS) {
    const file = join(fx.where === 'repo' ? REPO_DIR : SHARED_DIR, `${fx.name}.ami`);
    const skip = !existsSync(file);
    it.skipIf(skip)(`${fx.name}: the same stages and call_full with the filter${skip ? ' (skipped: ../shared/fixtures/ami is not there)' : ''}`, () => {
      const text = readFileSync(file, 'utf8');
      const whole = parseAmi(text);
      const only = parseAmi(text, { only: TRACKER_AMI_ONLY });
      expect(only.problems).toEqual(whole.problems);
      expect(only.messages.length).toBeLessThanOrEqual(whole.messages.length);
      expect(trackAll(only.messages, fx)).toEqual(trackAll(whole.messages, fx));
    });
  }
});

if (!existsSync(SHARED_DIR)) console.warn(`tests/tracker/interest: ${SHARED_DIR} is absent: the tests of the shared fixtures were SKIPPED (CI always has the folder)`);
