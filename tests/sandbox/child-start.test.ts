import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHookRunner, createSupervisor } from '../../sandbox/index.ts';
import { expectRunnerStillWorks } from './helpers.ts';

describe('the sandbox child', () => {
  it('runs the bundled sandbox as plain JavaScript (no type stripping in the child), not the .ts fallback', async () => {
    const sup = createSupervisor();
    const runner = createHookRunner(sup);
    try {
      await expectRunnerStillWorks(runner);
      const argv = readFileSync(`/proc/${sup.pid()}/cmdline`, 'utf8').split('\0');
      expect(argv).toContain('--no-node-snapshot');
      expect(argv.some((a) => /\/sandbox-child-[0-9a-f]{16}\.mjs$/.test(a))).toBe(true);
      expect(argv.some((a) => a.endsWith('child.ts'))).toBe(false);
    } finally {
      await runner.close();
    }
  });
});
