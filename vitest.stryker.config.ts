import { defineConfig } from "vitest/config";

// The tests Stryker runs (stryker.config.json): those that exercise src/core, src/sync and
// src/scheduler/plugins, without the end-to-end suites whose time would multiply by every mutant.
export default defineConfig({
  test: {
    include: [
      "test/core/**/*.test.ts",
      "test/sync/**/*.test.ts",
      "test/scheduler/**/*.test.ts",
      "test/controllers/webhook-failures.test.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
