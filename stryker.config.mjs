// @ts-check
/**
 * `npm run mutation`: Stryker over src/core, src/sync and src/scheduler/plugins, running the
 * tests that exercise them (vitest.stryker.config.ts). Not part of `npm test` or CI: it takes
 * tens of minutes on two shared cores. Reports go to reports/mutation/ (git-ignored);
 * results/mutation/README.md has the scores.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.ts", related: false },
  mutate: ["src/core/**/*.ts", "src/sync/**/*.ts", "src/scheduler/plugins/**/*.ts"],
  // Each mutant runs only the tests that cover it.
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants) would need the whole suite per mutant.
  ignoreStatic: true,
  // The machine's two cores are shared with other work.
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ["clear-text", "progress-append-only", "json", "html"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
