import { describe, expect, it } from "vitest";
import { CLUSTER_AUTOSCALER_DEFAULTS } from "../../src/scenario/sections/cluster-autoscaler.js";
import { ScenarioError } from "../../src/scenario/scenario-error.js";
import { caScenario } from "./ca-scenario.js";

const base = "    - { name: base, count: 1, allocatable: { cpu: 4, memory: 16Gi } }";
const group = (a: string, extra = "") =>
  `    - { name: burst, count: 0, allocatable: { cpu: 8, memory: 32Gi }, autoscaling: ${a}${extra} }`;

/** The messages of the ScenarioError a scenario raises. */
function problems(make: () => unknown): string[] {
  try {
    make();
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => `${i.path}: expected ${i.expected}`);
    throw e;
  }
  return [];
}

describe("clusterAutoscaler: and nodePools[].autoscaling", () => {
  it("takes upstream v1.30's defaults when nothing is written", () => {
    const s = caScenario({ name: "ca-defaults", pools: [base, group("{ maxNodes: 3 }")].join("\n"), replicas: 1 });
    expect(s.clusterAutoscaler).toEqual(CLUSTER_AUTOSCALER_DEFAULTS);
    expect(CLUSTER_AUTOSCALER_DEFAULTS).toMatchObject({
      scanIntervalNs: 10e9,
      expander: "random",
      maxNodesTotal: 0,
      scaleDownUtilizationThreshold: 0.5,
      scaleDownUnneededTimeNs: 600e9,
      scaleDownDelayAfterAddNs: 600e9,
      scaleDownDelayAfterDeleteNs: 0,
      scaleDownDelayAfterFailureNs: 180e9,
      maxNodeProvisionTimeNs: 900e9,
      maxScaleDownParallelism: 10,
      newPodScaleUpDelayNs: 0,
      skipNodesWithSystemPods: true,
      skipNodesWithLocalStorage: true,
    });
    expect(s.nodePools[1]!.autoscaling).toMatchObject({ minNodes: 0, maxNodes: 3 });
    // No autoscaled pool, no autoscaler: scenarios without one are unchanged.
    expect(caScenario({ name: "ca-none", pools: base, replicas: 1 }).clusterAutoscaler).toBeUndefined();
  });

  it("reports located errors", () => {
    const p = (pools: string, autoscaler?: string) => () =>
      caScenario({ name: "ca-bad", pools, replicas: 1, ...(autoscaler === undefined ? {} : { autoscaler }) });
    expect(problems(p(base, "  scanInterval: 5s"))).toEqual([
      "clusterAutoscaler: expected a cluster with a node pool that has autoscaling: { minNodes, maxNodes }",
    ]);
    expect(problems(p([base, group("{ minNodes: 2, maxNodes: 3 }")].join("\n")))).toEqual([
      "cluster.nodePools[1].count: expected a count from minNodes 2 to maxNodes 3",
    ]);
    expect(problems(p([base, group("{ minNodes: 4, maxNodes: 3 }")].join("\n")))[0]).toBe(
      "cluster.nodePools[1].autoscaling.maxNodes: expected at least minNodes (4)",
    );
    expect(problems(p([base, group("{ maxNodes: 3 }")].join("\n"), "  expander: price"))).toEqual([
      "cluster.nodePools[1].costPerHour: expected a costPerHour for every autoscaled pool (the price expander compares them)",
    ]);
    expect(problems(p([base, group("{ maxNodes: 3 }")].join("\n"), "  expander: priority"))).toEqual([
      "clusterAutoscaler.priorities: expected the priority expander's table, e.g. { 10: [.*], 50: [big-.*] }",
    ]);
    expect(problems(p([base, group("{ maxNodes: 3 }", ", costPerHour: -1")].join("\n")))[0]).toMatch(
      /^cluster.nodePools\[1\].costPerHour: expected a number/,
    );
    expect(problems(p([base, group("{ maxNodes: 3 }")].join("\n"), "  expander: fastest"))[0]).toMatch(
      /^clusterAutoscaler.expander: expected one of random, most-pods, least-waste, priority, price/,
    );
  });
});
