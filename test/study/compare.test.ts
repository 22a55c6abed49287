import { describe, expect, test } from "vitest";
import { ScenarioError } from "../../src/scenario/scenario-error.js";
import { buildArms, formatCompare, runCompare, type CompareResult } from "../../src/study/compare.js";
import { UserError } from "../../src/study/user-error.js";

const TINY = "test/study/fixtures/tiny.yaml";
const seeds = [1, 2, 3, 4];
const metric = (r: CompareResult, key: string) => r.metrics.find((m) => m.key === key)!;

describe("simctl compare", () => {
  test("identical configurations: every paired difference is exactly 0 and none is significant", async () => {
    const r = await runCompare(buildArms([TINY, TINY]), { seeds, workers: 1 });
    expect(r.arms).toEqual(["tiny", "tiny#2"]);
    for (const m of r.metrics) {
      expect(m.arms[0]!.values).toEqual(m.arms[1]!.values);
      expect(m.diffs[0]!.significant).toBe(false);
    }
    // The seeds do differ from each other (the comparison is not vacuous).
    expect(new Set(metric(r, "timeToAllRunning").arms[0]!.values).size).toBeGreaterThan(1);
    expect(formatCompare(r)).toContain("no significant difference");
  });

  test("--vary: 2 vs 8 nodes differ significantly in nodes used and fragmentation, and the table marks it", async () => {
    const r = await runCompare(buildArms([TINY], { vary: "cluster.nodePools[0].count=2,8" }), { seeds, workers: 1 });
    expect(r.arms).toEqual(["count=2", "count=8"]);
    const used = metric(r, "nodesUsed");
    expect(used.arms.map((a) => a.mean)).toEqual([2, 8]);
    expect(used.diffs[0]).toMatchObject({ n: 4, meanDiff: 6, significant: true });
    expect(metric(r, "fragmentation").diffs[0]!.significant).toBe(true);
    const table = formatCompare(r);
    expect(table).toMatch(/nodes used \(>= 1 pod\).*\+6 \[\+6, \+6\] \*/);
    expect(table).toMatch(/significant: .*nodes used/);
  });

  test("arms are validated before anything runs", () => {
    expect(() => buildArms([TINY])).toThrow(UserError);
    expect(() => buildArms([TINY], { vary: "cluster.nodePools[0].count=2" })).toThrow(/at least two values/);
    expect(() => buildArms([TINY], { vary: "cluster.nodePools[0].count=2,-1" })).toThrow(ScenarioError);
    expect(() => buildArms([TINY], { vary: "cluster.nodePools[5].count=2,3" })).toThrow(/out of range/);
  });
});

// The same workload under the two NodeResourcesFit scoring strategies, each chosen by a real
// KubeSchedulerConfiguration in controlPlane.scheduler.config.
const BINPACK = ["test/study/fixtures/binpack-least.yaml", "test/study/fixtures/binpack-most.yaml"];

describe("compare LeastAllocated vs MostAllocated", () => {
  test("MostAllocated uses significantly fewer nodes than LeastAllocated", async () => {
    const r = await runCompare(buildArms(BINPACK), { seeds: [1, 2, 3], workers: 1 });
    const used = metric(r, "nodesUsed");
    expect(used.diffs[0]!.significant).toBe(true);
    expect(used.diffs[0]!.meanDiff).toBeLessThan(0);
    // 30 pods of 500m on 4-cpu nodes: at most 8 per node, so bin packing needs only 4 nodes.
    expect(used.arms[1]!.mean).toBeLessThanOrEqual(6);
  });
});
