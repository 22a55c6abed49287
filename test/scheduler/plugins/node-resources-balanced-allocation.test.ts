import { describe, expect, test } from "vitest";
import { NodeResourcesBalancedAllocation } from "../../../src/scheduler/plugins/node-resources-balanced-allocation.js";
import { args, cluster, makeNode, makePod, runScore } from "../fixtures/cluster.js";

const twoContainers = () => makePod().req({ cpu: "1000", memory: "2000" }).req({ cpu: "2000", memory: "3000" }).get();

// Cases after upstream plugins/noderesources/balanced_allocation_test.go: score = (1 - std) * 100
// over the requested fractions (actual requests, no defaults), std = |f_cpu - f_mem| / 2.
describe("NodeResourcesBalancedAllocation", () => {
  test("nothing scheduled, resources requested, differently sized nodes", () => {
    const { c, fw } = cluster([
      makeNode("node1", { cpu: "4000", memory: "10000" }),
      makeNode("node2", { cpu: "6000", memory: "10000" }),
    ]);
    // node1: fractions 0.75 / 0.5 -> std 0.125 -> 87; node2: 0.5 / 0.5 -> 100
    expect(runScore(c, new NodeResourcesBalancedAllocation(fw, null), twoContainers()).raw).toEqual([87, 100]);
  });
  test("resources requested, pods scheduled with resources", () => {
    const { c, fw } = cluster(
      [makeNode("node1", { cpu: "10000", memory: "20000" }), makeNode("node2", { cpu: "10000", memory: "20000" })],
      [
        [makePod("a").req({ cpu: "3000", memory: "0" }).get(), "node1"],
        [makePod("b").req({ cpu: "3000", memory: "5000" }).get(), "node2"],
      ],
    );
    // node1: 0.6 / 0.25 -> std 0.175 -> 82; node2: 0.6 / 0.5 -> std 0.05 -> 95
    expect(runScore(c, new NodeResourcesBalancedAllocation(fw, null), twoContainers()).raw).toEqual([82, 95]);
  });
  test("fractions are capped at 1", () => {
    const { c, fw } = cluster([makeNode("node1", { cpu: "4000", memory: "10000" })]);
    // cpu 6000/4000 -> 1, memory 0.5 -> std 0.25 -> 75
    expect(
      runScore(c, new NodeResourcesBalancedAllocation(fw, null), makePod().req({ cpu: "6000", memory: "5000" }).get())
        .raw,
    ).toEqual([75]);
  });
  test("three resources use the standard deviation", () => {
    const { c, fw } = cluster([makeNode("node1", { cpu: "4000", memory: "10000", "nvidia.com/gpu": "4" })]);
    const ba = new NodeResourcesBalancedAllocation(
      fw,
      args({
        resources: [
          { name: "cpu", weight: 1 },
          { name: "memory", weight: 1 },
          { name: "nvidia.com/gpu", weight: 1 },
        ],
      }),
    );
    const f = [0.75, 0.5, 0.25];
    const mean = (f[0]! + f[1]! + f[2]!) / 3;
    const std = Math.sqrt(f.reduce((s, x) => s + (x - mean) * (x - mean), 0) / 3);
    expect(runScore(c, ba, makePod().req({ cpu: "3000", memory: "5000", "nvidia.com/gpu": "1" }).get()).raw).toEqual([
      Math.trunc((1 - std) * 100),
    ]);
  });
  test("best-effort pods skip the plugin (v1.33+)", () => {
    const { c, fw } = cluster([makeNode("node1", { cpu: "4000", memory: "10000" })]);
    expect(runScore(c, new NodeResourcesBalancedAllocation(fw, null), makePod().container({}).get()).skipped).toBe(
      true,
    );
  });
});
