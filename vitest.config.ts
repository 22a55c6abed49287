import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Suites share two cores on CI; files run in parallel, tests in a file in order.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
