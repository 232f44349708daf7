/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/actions',
    '<rootDir>/admin',
    '<rootDir>/bench',
    '<rootDir>/build',
    '<rootDir>/deploy',
    '<rootDir>/email-templates',
    '<rootDir>/test',
    '<rootDir>/local-tenant',
    '<rootDir>/scripts',
  ],
  testMatch: ['**/*.test.ts'],
  // Sucrase strips the types and turns imports into require() (the type check is ESLint's
  // tsc/diagnostics rule): in a fresh clone, ts-jest's transpile cost ~65 s of CPU over the run
  // (jest alone, --no-cache: 280 -> 215 s of CPU, 159 -> 131 s; 2026-12-02). Lines are kept, so
  // stack traces point at the TypeScript source.
  transform: { '^.+\\.ts$': '@sucrase/jest-plugin' },
  testTimeout: 30000,
  // Most suites wait (local servers, child processes, timers) rather than compute, and
  // deploy-cli's schema is compiled once for the whole run (test/support/global-setup.ts), so four
  // workers keep two CPUs busy: on a quiet 2-core machine jest took 195 s on four workers, 221 s on
  // three (2026-12-01). Each worker is its own process: the Actions runtime's process-wide routing
  // of Action traffic stays one tenant per worker.
  maxWorkers: 5,
  // auth0 v7 leaves its request-timeout timer running when a fetch rejects without an answer
  // (the fault tests inject resets), which would hold a jest worker open for minutes.
  forceExit: true,
  // Longest suites first, also on a fresh clone without jest's cache of durations.
  testSequencer: '<rootDir>/test/support/sequencer.js',
  // One auth0-deploy-cli host for the run (test/support/global-setup.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
