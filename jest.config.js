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
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30000,
  // Most suites wait (local servers, child processes, timers) rather than compute: two workers
  // keep two CPUs busier than jest's default of one there (a fresh-clone run: 474 s against 889 s
  // for one worker). Not four: four deploy-cli imports at once (~27 s of CPU each) starved the
  // suites that measure pacing. Each worker is its own process: the Actions runtime's
  // process-wide routing of Action traffic stays one tenant per worker.
  maxWorkers: 2,
  // auth0 v7 leaves its request-timeout timer running when a fetch rejects without an answer
  // (the fault tests inject resets), which would hold a jest worker open for minutes.
  forceExit: true,
  // One auth0-deploy-cli host for the run (test/support/global-setup.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
