#!/usr/bin/env node
/**
 * `npm test` after the build: jest, and beside it the static checks of `npm run check` (ESLint
 * with type information and the compiler's errors, Prettier, knip) at low CPU priority. The run
 * is bound by CPU, and jest leaves some of it idle (its suites wait on servers, budgets, rate
 * limits): the checks run in that time instead of ~40 s before jest (docs/testing-speed.md).
 * ESLint, the longest and single-threaded, gets a higher priority than the other two so that it
 * is not the one left running alone after jest (measured: all done 20 s sooner). The checks'
 * output is held and printed after jest's, so neither interleaves with the other. Exits non-zero
 * when jest or a check failed. Arguments go to jest (`npm test -- test/e2e/scopes.test.ts`).
 */
const { spawn } = require('node:child_process');
const { setPriority } = require('node:os');
const { join } = require('node:path');

/** The scripts `npm run check` runs (build/check-workflows.test.ts keeps the two lists equal), with their niceness. */
const CHECKS = [
  { script: 'lint', nice: 10 },
  { script: 'format:check', nice: 19 },
  { script: 'lint:exports', nice: 19 },
];

function finished(child) {
  return new Promise((resolve) => {
    child.on('error', (error) => {
      process.stderr.write(`${error.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal !== null ? 1 : 0)));
  });
}

function startCheck({ script, nice }, root) {
  const child = spawn('npm', ['run', '--silent', script], {
    cwd: root,
    shell: process.platform === 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Set before npm has started anything (it takes a tenth of a second to load); what it starts inherits it.
  try {
    if (child.pid !== undefined) setPriority(child.pid, nice);
  } catch {
    // A system that refuses leaves the check at normal priority: slower, not wrong.
  }
  const held = [];
  child.stdout.on('data', (chunk) => held.push(chunk));
  child.stderr.on('data', (chunk) => held.push(chunk));
  return { script, held, done: finished(child) };
}

async function main() {
  const root = join(__dirname, '..', '..');
  const checks = CHECKS.map((check) => startCheck(check, root));
  const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  const jestCode = await finished(jest);
  let checksCode = 0;
  for (const check of checks) {
    const code = await check.done;
    if (code !== 0 && checksCode === 0) checksCode = code;
    process.stdout.write(`\n> npm run ${check.script}: ${code === 0 ? 'passed' : 'FAILED'}\n`);
    process.stdout.write(Buffer.concat(check.held));
  }
  process.exitCode = jestCode !== 0 ? jestCode : checksCode;
}

if (require.main === module) void main();

module.exports = { CHECKS };
