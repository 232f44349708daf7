/**
 * Writes test/support/suite-durations.json from a full run's results (`npm run test:durations`):
 * each suite's wall time in seconds, as the sequencer (test/support/sequencer.js) reads it.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..', '..');
const results = JSON.parse(readFileSync(join(root, 'test-output', 'jest-results.json'), 'utf8'));
const durations = {};
for (const suite of results.testResults.sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime))) {
  durations[relative(root, suite.name).split('\\').join('/')] = Math.round((suite.endTime - suite.startTime) / 100) / 10;
}
writeFileSync(join(__dirname, 'suite-durations.json'), `${JSON.stringify(durations, null, 2)}\n`);
console.log(`Wrote ${Object.keys(durations).length} suite durations to test/support/suite-durations.json.`);
