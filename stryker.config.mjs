// Mutation testing of the whole of lib/: `npm run mutate` (Stryker 10, vitest runner).
// See vitest.mutate.config.ts for which tests run. Reports: reports/mutation/mutation.{html,json};
// scores per folder: docs/testing.md#mutation-testing.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: {
    configFile: 'vitest.mutate.config.ts',
    // The runner overrides the config's pool (its own default is `threads`); forks is what
    // `npm test` uses. It also forces maxWorkers 1 per Stryker worker (concurrency = Stryker's).
    pool: 'forks',
  },
  // All of lib/ (core, adapters, http, config, events, the composition); the generated data tables
  // are data, not logic. Run one folder at a time: `npx stryker run --mutate 'lib/http/**/*.ts'`.
  mutate: ['lib/**/*.ts', '!lib/**/*-data.ts'],
  coverageAnalysis: 'perTest',
  // Reruns test only the mutants whose code or covering tests changed (reports/stryker-incremental.json).
  incremental: true,
  // TypeScript 7 (a Go binary) has no JS compiler API: Stryker's tsconfig rewriting step calls
  // `ts.parseConfigFileTextToJson` and crashes. It only matters for tsconfig `extends`/`references`
  // pointing outside the project, which this project has none of, so point it at a file that
  // does not exist and the step is skipped.
  tsconfigFile: 'tsconfig.stryker-none.json',
  // A mutant run pays worker start-up, module loading and the test files' beforeAll hooks (dynalite,
  // servers), none of which the dry run counts with isolate: false (it reports ~0 ms overhead), so
  // the default 5 s slack turned survivors into false timeouts. Endless loops are still cut by the
  // hit limit, hangs by vitest's testTimeout.
  timeoutMS: 30000,
  // Stryker would put `// @ts-nocheck` atop every file of lib/ in its sandbox, for a type checker
  // this config runs none of (vitest strips types), and the data builders' test compares
  // lib/core/policy/*-data.ts byte for byte: the dry run would fail on it.
  disableTypeChecks: false,
  thresholds: { high: 90, low: 85, break: null },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  // node_modules, .git, reports and .stryker-tmp are always left out; the sandbox is ~2 MB.
  ignorePatterns: ['.dynamodb-local', '.esbuild*', '.serverless', '.build', 'coverage', 'dist'],
};
