/**
 * Longest suites first, also on a fresh clone. Jest orders by the durations it cached in the last
 * run on this machine, and without that cache (every CI run starts from a fresh clone) by file
 * size, which put a 2-minute suite at the end of the run and left three workers idle behind it.
 * Here a suite's duration comes from jest's cache when it has one, else from
 * test/support/suite-durations.json (seconds, from a full run on a 2-core machine; regenerate it
 * with `npm run test:durations` after a suite's length changes much).
 */
const Sequencer = require('@jest/test-sequencer').default;
const { relative } = require('node:path');
const durations = require('./suite-durations.json');

class LongestFirst extends Sequencer {
  time(test) {
    const cached = super.time(test);
    if (cached !== undefined) return cached;
    const seconds = durations[relative(test.context.config.rootDir, test.path).split('\\').join('/')];
    return seconds === undefined ? undefined : seconds * 1000;
  }
}

module.exports = LongestFirst;
