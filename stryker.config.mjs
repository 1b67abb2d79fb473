/**
 * Mutation testing of the domain core and the middleware: `npm run test:mutation` (not in
 * CI: it runs for minutes). The score is written to reports/mutation/mutation.json, which
 * `npm run bench` reads and prints. The TypeScript checker is not used (it needs the
 * TypeScript 5 compiler API; the repo's compiler is TypeScript 7), so mutants that do not
 * type-check are run and killed by the tests like any other.
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.mts' },
  mutate: ['functions/core/**/*.ts', 'functions/middleware/**/*.ts'],
  coverageAnalysis: 'perTest',
  // The sandbox copies the project; leave the repo's tsconfig as it is.
  tsconfigFile: '',
  disableTypeChecks: 'functions/**/*.ts',
  concurrency: 2,
  // Generous: the machine is shared, and a mutant that only timed out under load would count as killed.
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['cdk.out', '.local', 'coverage', 'reports', 'bench/results'],
};
