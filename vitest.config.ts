import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // isolated-vm needs --no-node-snapshot on Node 20+, and worker_threads refuse that flag
    // (isolated-vm #481), so every test file runs in a forked child process.
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
