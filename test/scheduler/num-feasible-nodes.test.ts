import { describe, expect, test } from "vitest";
import { numFeasibleNodesToFind } from "../../src/scheduler/num-feasible-nodes.js";

/** Upstream's formula in int32 arithmetic, written independently (schedule_one.go numFeasibleNodesToFind). */
function upstream(n: number, pct: number): number {
  if (n < 100) return n;
  let p = pct;
  if (p === 0) {
    p = (50 - ((n / 125) | 0)) | 0;
    if (p < 5) p = 5;
  }
  const nodes = ((n * p) / 100) | 0;
  return nodes < 100 ? 100 : nodes;
}

describe("numFeasibleNodesToFind", () => {
  test("matches upstream for every cluster size from 50 to 100,000 (adaptive)", () => {
    for (let n = 50; n <= 100_000; n++)
      if (numFeasibleNodesToFind(n, 0) !== upstream(n, 0))
        throw new Error(`n=${n}: ${numFeasibleNodesToFind(n, 0)} != ${upstream(n, 0)}`);
  });
  test("matches upstream with configured percentages", () => {
    for (const pct of [1, 5, 10, 30, 50, 100])
      for (let n = 50; n <= 100_000; n++)
        if (numFeasibleNodesToFind(n, pct) !== upstream(n, pct)) throw new Error(`n=${n} pct=${pct}`);
  });
  test("known points: all below 100, 42% of 1,000, 10% of 5,000, 5% floor, 100 floor", () => {
    expect([50, 99, 100, 1000, 5000, 6250, 100_000].map((n) => numFeasibleNodesToFind(n, 0))).toEqual([
      50, 99, 100, 420, 500, 312, 5000,
    ]);
    expect(numFeasibleNodesToFind(150, 10)).toBe(100);
  });
});
