import { describe, expect, test } from "vitest";
import {
  isScalarResource,
  leastAllocated,
  leastResourceScorer,
  mostAllocated,
  mostResourceScorer,
} from "../../../src/scheduler/plugins/resource-allocation.js";

// The per-resource formulas of upstream noderesources least_allocated.go and most_allocated.go,
// by closed form: least = floor((capacity - requested) * 100 / capacity), 0 when over capacity;
// most = floor(min(requested, capacity) * 100 / capacity); both 0 for a zero capacity. The
// strategy is their weighted mean, truncated, over resources with a non-zero allocatable.
const f64 = (xs: number[]) => Float64Array.from(xs);

describe("LeastAllocated / MostAllocated formulas (least_allocated.go, most_allocated.go)", () => {
  test("per-resource scores: closed forms, the over-capacity rule and zero capacity", () => {
    for (const [req, cap] of [
      [0, 4000],
      [1, 3],
      [3000, 4000],
      [3999, 4000],
      [4000, 4000],
      [7, 10_000],
    ] as const) {
      expect(leastAllocated(req, cap), `least ${req}/${cap}`).toBe(Math.floor(((cap - req) * 100) / cap));
      expect(mostAllocated(req, cap), `most ${req}/${cap}`).toBe(Math.floor((req * 100) / cap));
    }
    // Over capacity: least scores 0, most clamps the request to the capacity (100).
    expect(leastAllocated(4001, 4000)).toBe(0);
    expect(mostAllocated(4001, 4000)).toBe(100);
    expect(mostAllocated(9000, 4000)).toBe(100);
    expect(leastAllocated(0, 0)).toBe(0);
    expect(mostAllocated(0, 0)).toBe(0);
    expect(mostAllocated(5, 0)).toBe(0);
  });

  test("weighted strategies: truncated weighted mean, resources with zero allocatable left out", () => {
    // cpu 3000/4000 (least 25, most 75), memory 5000/20000 (least 75, most 25), weights 1 and 3.
    const req = f64([3000, 5000, 7]);
    const alloc = f64([4000, 20000, 0]);
    expect(leastResourceScorer([1, 3, 5])(req, alloc, 3)).toBe(Math.trunc((25 * 1 + 75 * 3) / 4)); // 62
    expect(mostResourceScorer([1, 3, 5])(req, alloc, 3)).toBe(Math.trunc((75 * 1 + 25 * 3) / 4)); // 37
    // Only the first n resources count.
    expect(leastResourceScorer([1, 3])(req, alloc, 1)).toBe(25);
    expect(mostResourceScorer([1, 3])(req, alloc, 1)).toBe(75);
    // Nothing allocatable: 0, not NaN.
    expect(leastResourceScorer([1])(f64([5]), f64([0]), 1)).toBe(0);
    expect(mostResourceScorer([1])(f64([5]), f64([0]), 1)).toBe(0);
  });

  test("scalar resources are the ones that are not cpu, memory, ephemeral-storage or pods", () => {
    for (const r of ["cpu", "memory", "ephemeral-storage", "pods"]) expect(isScalarResource(r), r).toBe(false);
    for (const r of ["nvidia.com/gpu", "hugepages-2Mi", "example.com/foo"]) expect(isScalarResource(r), r).toBe(true);
  });
});
