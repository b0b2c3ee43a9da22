import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // isolated-vm needs --no-node-snapshot on Node 20+, and worker_threads refuse that flag
    // (isolated-vm #481), so every test file runs in a forked child process.
    pool: 'forks',
    // Two files at once: vitest's default on a 2-core machine is one (availableParallelism - 1), and most files
    // wait on sockets and timers rather than compute (measured: 1 worker 560 s wall for 502 s of tests).
    maxWorkers: 2,
    execArgv: ['--no-node-snapshot'],
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
