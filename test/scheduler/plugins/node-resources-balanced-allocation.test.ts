import { describe, expect, test } from "vitest";
import { NodeResourcesBalancedAllocation } from "../../../src/scheduler/plugins/node-resources-balanced-allocation.js";
import { balancedAllocation, balancedAllocation2 } from "../../../src/scheduler/plugins/resource-allocation.js";
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

// Upstream's vectors with three scored resources (balanced_allocation_test.go: "include scalar
// resource on a node for balanced resource allocation", "node without the scalar resource should
// skip the scalar resource", and the DRA extended-resource case with the devices as a plain
// extended resource): the generic scorer takes the population standard deviation (divided by
// the count of fractions, not count - 1) of the fractions, then 100 x (1 - std), truncated.
describe("NodeResourcesBalancedAllocation over three resources (upstream vectors)", () => {
  const gpuArgs = () =>
    args({
      resources: [
        { name: "cpu", weight: 1 },
        { name: "memory", weight: 1 },
        { name: "nvidia.com/gpu", weight: 1 },
      ],
    });
  const cpuAndMemoryAndGpu = () =>
    makePod("cmg")
      .req({ cpu: "1000", memory: "2000" })
      .req({ cpu: "2000", memory: "3000", "nvidia.com/gpu": "3" })
      .get();
  const cpuOnly = () => makePod("c").req({ cpu: "1000", memory: "0" }).req({ cpu: "2000", memory: "0" }).get();
  test("include scalar resource on a node: 70 and 65", () => {
    const { c, fw } = cluster(
      [
        makeNode("node1", { cpu: "3500", memory: "40000", "nvidia.com/gpu": "8" }),
        makeNode("node2", { cpu: "3500", memory: "40000", "nvidia.com/gpu": "8" }),
      ],
      [
        [cpuAndMemoryAndGpu(), "node1"],
        [twoContainers(), "node2"],
      ],
    );
    // node1: fractions 3000/3500, 5000/40000, 4/8 -> std 0.2989 -> 70 (count - 1 gives 63, no sqrt 91)
    // node2: fractions 3000/3500, 5000/40000, 1/8 -> std 0.3451 -> 65 (count - 1 gives 57, no sqrt 88)
    const pod = makePod().req({ memory: "0", "nvidia.com/gpu": "1" }).get();
    expect(runScore(c, new NodeResourcesBalancedAllocation(fw, gpuArgs()), pod).raw).toEqual([70, 65]);
  });
  test("a node without the scalar resource, or a pod not requesting it, leaves it out: 63 and 63", () => {
    const { c, fw } = cluster([
      makeNode("node1", { cpu: "3500", memory: "40000", "nvidia.com/gpu": "8" }),
      makeNode("node2", { cpu: "3500", memory: "40000" }),
    ]);
    // two fractions 3000/3500 and 5000/40000 on both: std 0.366 -> 63
    expect(runScore(c, new NodeResourcesBalancedAllocation(fw, gpuArgs()), twoContainers()).raw).toEqual([63, 63]);
  });
  test("three fractions on the node that has the resource, two on the one that has not: 62 and 63", () => {
    const { c, fw } = cluster(
      [
        makeNode("node1", { cpu: "3500", memory: "40000", "nvidia.com/gpu": "8" }),
        makeNode("node2", { cpu: "3500", memory: "40000" }),
      ],
      [
        [cpuOnly(), "node1"],
        [twoContainers(), "node2"],
      ],
    );
    // node1: 3000/3500, 0/40000, 1/8 -> std 0.378 -> 62; node2: 3000/3500, 5000/40000 -> 63
    const pod = makePod().req({ "nvidia.com/gpu": "1" }).get();
    expect(runScore(c, new NodeResourcesBalancedAllocation(fw, gpuArgs()), pod).raw).toEqual([62, 63]);
  });
  test("the formula on fractions: population std, two-resource shortcut, fewer than two", () => {
    // std of (1, 0, 0, 1) is 0.5 (population), 0.577 with count - 1
    expect(balancedAllocation(Float64Array.of(1, 0, 0, 1), 4)).toBe(50);
    expect(balancedAllocation(Float64Array.of(0.75, 0.5, 0.25), 3)).toBe(79);
    expect(balancedAllocation(Float64Array.of(0.75, 0.5), 2)).toBe(balancedAllocation2(0.75, 0.5));
    expect(balancedAllocation2(0.75, 0.5)).toBe(87);
    expect(balancedAllocation(Float64Array.of(0.3), 1)).toBe(100);
    expect(balancedAllocation(new Float64Array(0), 0)).toBe(100);
  });
});
