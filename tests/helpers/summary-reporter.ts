/**
 * Prints one closing line, `tests: N passed, N failed, N skipped`, after vitest's own summary, so a CI
 * reader that does not know vitest's format still sees the counts.
 *
 * "failed" is above 0 whenever a file failed, as vitest's exit code says: the tests that could not run because
 * their file's or group's beforeAll failed count as failed (vitest reports them as skipped, so a file failing in
 * its setup read "0 failed, 14 skipped" while vitest exited 1); and a file that failed with no failed test (an
 * afterAll that threw, or a file that did not load) counts as one failed. Tests skipped on purpose (it.skip,
 * skipIf, ctx.skip()) stay skipped. tests/summary-reporter.test.ts runs each case on tests/fixtures/reporter/.
 */
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

const ran = (t: TestCase) => t.result().state === 'passed' || t.result().state === 'failed';

export function countTests(modules: ReadonlyArray<TestModule>): { passed: number; failed: number; skipped: number } {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const m of modules) {
    // Tests that were meant to run, under a module or group whose setup failed before any of them ran.
    const blocked = new Set<TestCase>();
    const scopes: Array<TestModule | TestSuite> = [m, ...m.children.allSuites()];
    for (const scope of scopes) {
      const tests = [...scope.children.allTests()];
      if (scope.errors().length === 0 || tests.some(ran)) continue;
      for (const t of tests) if (t.options.mode === 'run' || t.options.mode === 'only') blocked.add(t);
    }
    let failedHere = 0;
    for (const t of m.children.allTests()) {
      const s = t.result().state;
      if (s === 'passed') passed++;
      else if (s === 'failed' || blocked.has(t)) failedHere++;
      else skipped++;
    }
    if (m.state() === 'failed' && failedHere === 0) failedHere = 1;
    failed += failedHere;
  }
  return { passed, failed, skipped };
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const { passed, failed, skipped } = countTests(modules);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
