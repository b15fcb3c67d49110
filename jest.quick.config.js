/**
 * `npm run test:quick`: the edit-test loop tier (under 30 s on 2 cores). Runs on the TypeScript sources
 * through swc, without a build, so it leaves out the suites that run dist/ (the CLI binary, the built
 * service, worker threads) and the slow ones (CPython differential over every sample, timing and
 * resource-scale tests, CLI robustness, fuzz-style mutant slices), and runs two heavy per-sample
 * suites on a stated share of their inputs. `npm test` runs everything.
 */
const base = require('./jest.config');

// read by test/support/tier.ts in the workers, which inherit this environment: the snapshot suite checks
// every 4th sample and the data-path suite one mutation per sample instead of three
process.env.PICKLEGATE_QUICK = '1';

module.exports = {
  ...base,
  testPathIgnorePatterns: [
    '/node_modules/',
    // need dist/ (npm run build): CLI binary, built service, worker pool
    '<rootDir>/test/cli/',
    '<rootDir>/test/optimizer/cli-service.test.ts',
    '<rootDir>/test/server/e2e.test.ts',
    '<rootDir>/test/server/shutdown.test.ts',
    '<rootDir>/test/server/config.test.ts',
    '<rootDir>/test/server/pool.test.ts',
    '<rootDir>/test/robustness/cli.test.ts',
    '<rootDir>/test/robustness/service.test.ts',
    // need dist/ and Chromium: the triage page and the HTML report in a real browser
    '<rootDir>/test/web/page.test.ts',
    '<rootDir>/test/web/report.test.ts',
    // slow: CPython oracles over every sample or thousands of mutants, timing, resource scale, socket timeouts
    '<rootDir>/test/differential/cpython.test.ts',
    '<rootDir>/test/robustness/differential.test.ts',
    '<rootDir>/test/robustness/properties.test.ts',
    '<rootDir>/test/robustness/linear-time.test.ts',
    '<rootDir>/test/robustness/hostile.test.ts',
    '<rootDir>/test/server/hostile.test.ts',
    // every sample through the browser bundle of the scan core
    '<rootDir>/test/web/browser-core.test.ts',
  ],
};
