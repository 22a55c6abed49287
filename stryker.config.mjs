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
  // src/scheduler/plugins in full is about 4,300 mutants with core and sync, 1.5 h here: the
  // plugins of the default score and filter path are mutated, the rest are not (yet).
  mutate: [
    "src/core/**/*.ts",
    "src/sync/**/*.ts",
    "src/scheduler/plugins/node-resources-fit.ts",
    "src/scheduler/plugins/resource-allocation.ts",
    "src/scheduler/plugins/node-resources-balanced-allocation.ts",
    "src/scheduler/plugins/taint-toleration.ts",
    "src/scheduler/plugins/node-affinity.ts",
  ],
  // A second run retests only the mutants whose code or covering tests changed
  // (reports/stryker-incremental.json); `npm run mutation -- --force` retests everything.
  incremental: true,
  // Each mutant runs only the tests that cover it.
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants) would need the whole suite per mutant.
  ignoreStatic: true,
  // The machine's two cores are shared with other work.
  concurrency: 2,
  // A mutant that loops (event-queue, ladder-queue) counts as killed once it runs 1.5 x the dry
  // run's time + 1.5 s; a long timeout made them most of the run's time here.
  timeoutMS: 1_500,
  // String mutants here are log and error texts: not a behaviour the tests here should pin.
  mutator: { excludedMutations: ["StringLiteral"] },
  reporters: ["clear-text", "progress-append-only", "json", "html"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
