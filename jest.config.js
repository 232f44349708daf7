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
};
