#!/usr/bin/env node
/**
 * `npm test` after the build: jest, and beside it the static checks (`npm run check`: type
 * check, lint, format, unused exports) at the lowest CPU priority. Most of jest's time is spent
 * waiting (local servers, budgets, rate limits), so the checks run in the CPU time jest leaves
 * idle instead of 40 s before it (docs/testing-speed.md). The checks' output is held and printed
 * after jest's, so neither interleaves with the other. Exits non-zero when either failed.
 * Arguments go to jest (`npm test -- test/e2e/scopes.test.ts`).
 */
const { spawn } = require('node:child_process');
const { setPriority } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const onWindows = process.platform === 'win32';

function finished(child) {
  return new Promise((resolve) => {
    child.on('error', (error) => {
      process.stderr.write(`${error.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal !== null ? 1 : 0)));
  });
}

const checks = spawn('npm', ['run', '--silent', 'check'], { cwd: ROOT, shell: onWindows, stdio: ['ignore', 'pipe', 'pipe'] });
// Set before npm has started anything (it takes a tenth of a second to load); what it starts inherits it.
try {
  if (checks.pid !== undefined) setPriority(checks.pid, 19);
} catch {
  // A system that refuses leaves the checks at normal priority: slower, not wrong.
}
const held = [];
checks.stdout.on('data', (chunk) => held.push(chunk));
checks.stderr.on('data', (chunk) => held.push(chunk));
const checksDone = finished(checks);

const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });

void (async () => {
  const jestCode = await finished(jest);
  const checksCode = await checksDone;
  process.stdout.write(`\n> npm run check (type check, lint, format, unused exports): ${checksCode === 0 ? 'passed' : 'FAILED'}\n`);
  process.stdout.write(Buffer.concat(held));
  process.exitCode = jestCode !== 0 ? jestCode : checksCode;
})();
