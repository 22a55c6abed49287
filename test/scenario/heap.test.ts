import { getHeapStatistics } from "node:v8";
import { describe, expect, test } from "vitest";
import { ensureHeapFor } from "../../src/cli/heap.js";

describe("the V8 heap is sized for the run", () => {
  test("a run estimated below half the heap limit runs in this process (no re-exec)", async () => {
    const limit = getHeapStatistics().heap_size_limit;
    expect(await ensureHeapFor(limit / 2, 2 * limit)).toBe(false);
    expect(await ensureHeapFor(100 * 2 ** 20, 2 * limit)).toBe(false);
  });
});
