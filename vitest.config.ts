import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';
import { DEV_JWT_SECRET } from './lib/config/variables.js';
import { filesReadingStreams, filesWithoutDynamoDb } from './tests/support/dynamodb-files.js';
import { ISOLATED_FILES } from './tests/support/isolated-files.js';
import LongestFirst from './tests/support/longest-first.js';

const DYNAMODB_LOCAL = 'tests/support/dynamodb-local-setup.ts';
/** First globalSetup of the projects that start serverless: fills Node's compile cache on a fresh clone. */
const COMPILE_CACHE = 'tests/support/compile-cache-setup.ts';
/**
 * `npm run test:dynamodb-local` (TEST_DYNAMODB=dynamodb-local) runs, in every project, the test files
 * that start a DynamoDB API server, wherever they live (tests/support/dynamodb-files.ts); every other
 * file is left out. `npm test` runs all but those that read a DynamoDB stream, which dynalite lacks. tests/project/test-selection.test.ts asks vitest for both runs' files and compares.
 */
const ON_DYNAMODB_LOCAL = process.env.TEST_DYNAMODB === 'dynamodb-local';
/** Left out of this run: under DynamoDB Local, the files that start no DynamoDB; under dynalite, those that read a stream (dynalite has none). */
const LEFT_OUT = ON_DYNAMODB_LOCAL ? filesWithoutDynamoDb(import.meta.dirname) : filesReadingStreams(import.meta.dirname);

// The suite starts many Node processes (vitest's workers, npm start, sls, tsx): each compiles
// the same modules (osls alone loads thousands). Node's compile cache lets the later ones reuse
// the earlier ones' compiled code; it only holds V8 code caches keyed by source, never data.
process.env.NODE_COMPILE_CACHE ??= join(import.meta.dirname, 'node_modules/.cache/node-compile-cache');

export default defineConfig({
  test: {
    // The module-level handler reads these at import; tests that need other values build their own.
    env: { USERS_TABLE: 'users-test', JWT_SECRET: DEV_JWT_SECRET, BCRYPT_COST: '4', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Many files mostly wait (servers starting, child processes, timeouts being proved), so more
    // files than the 2 cores run at once; vitest's default here would be one at a time.
    maxWorkers: 3,
    // The longest files start first, whichever project they are in (tests/support/longest-first.ts).
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        // Over real HTTP, against the one `npm start` that globalSetup runs for all of them; the files share their worker's modules too.
        test: { name: 'npm-start', isolate: false, include: ['tests/npm-start/**/*.test.ts'], exclude: [...configDefaults.exclude, ...LEFT_OUT], globalSetup: [COMPILE_CACHE, 'tests/support/local-server-setup.ts'] },
      },
      {
        extends: true,
        // In-process tests; under `npm run test:dynamodb-local`, globalSetup starts one DynamoDB Local for all of them.
        // Files share their worker's modules (isolate: false): the handler's dependencies load once per worker, not per file.
        test: { name: 'in-process', isolate: false, include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, 'tests/npm-start/**', ...Object.keys(ISOLATED_FILES), ...LEFT_OUT], globalSetup: [COMPILE_CACHE, DYNAMODB_LOCAL] },
      },
      {
        extends: true,
        // Files that mock modules, stub the environment, spy on process streams or need no other
        // change in flight: a fresh process each (tests/support/isolated-files.ts says which and why).
        test: { name: 'isolated', include: Object.keys(ISOLATED_FILES), exclude: [...configDefaults.exclude, ...LEFT_OUT], globalSetup: [DYNAMODB_LOCAL] },
      },
    ],
  },
});
