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
  // One worker: the suites that measure pacing (admin/rate-limit, admin-invite) read request times
  // at the tenant, and a deploy-cli import in a second worker (~27 s of CPU for its schema) stalled
  // them on 2 cores (a fresh-clone CI run failed so; docs/testing-speed.md). Each worker is its own
  // process: the Actions runtime's process-wide routing of Action traffic stays one tenant per worker.
  maxWorkers: 1,
  // auth0 v7 leaves its request-timeout timer running when a fetch rejects without an answer
  // (the fault tests inject resets), which would hold a jest worker open for minutes.
  forceExit: true,
};
