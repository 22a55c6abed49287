import { configDefaults, defineConfig } from "vitest/config";

// The tests Stryker runs (stryker.config.mjs): those that exercise src/core, src/sync and
// src/scheduler/plugins, without the end-to-end suites (the 10k-pod wired run among them) whose
// time would multiply by every mutant.
export default defineConfig({
  test: {
    include: [
      "test/core/**/*.test.ts",
      "test/sync/**/*.test.ts",
      "test/scheduler/**/*.test.ts",
      "test/controllers/webhook-failures.test.ts",
      "test/apiserver/client-rate-limit.test.ts",
    ],
    exclude: [...configDefaults.exclude, "test/scheduler/wired-run.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
