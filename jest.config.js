/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/actions',
    '<rootDir>/admin',
    '<rootDir>/bench',
    '<rootDir>/build',
    '<rootDir>/deploy',
    '<rootDir>/test',
    '<rootDir>/local-tenant',
    '<rootDir>/scripts',
  ],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30000,
  // auth0 v7 leaves its request-timeout timer running when a fetch rejects without an answer
  // (the fault tests inject resets), which would hold the single jest process open for minutes.
  forceExit: true,
};
