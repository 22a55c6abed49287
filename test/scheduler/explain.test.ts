import { describe, expect, test } from "vitest";
import { loadSchedulerConfig } from "../../src/scheduler/config.js";
import { explainSchedule, formatExplainTable } from "../../src/scheduler/explain.js";
import { readBoundPods, readNodes, readPod } from "../../src/scheduler/k8s-objects.js";
import { ScenarioError } from "../../src/scenario/scenario-error.js";

const F = "test/scheduler/fixtures";

describe("simctl schedule --explain", () => {
  const nodes = readNodes(`${F}/nodes.yaml`);
  const pod = readPod(`${F}/pod.yaml`);
  const existing = readBoundPods(`${F}/pods.yaml`);

  test("reports upstream's LeastAllocated scores and filter statuses per node", () => {
    const r = explainSchedule({ nodes, pod, existing });
    expect(Object.keys(r).sort()).toEqual([
      "feasibleNodesToFind",
      "message",
      "nodes",
      "nodesFiltered",
      "pod",
      "selectedNode",
    ]);
    expect([r.pod, r.feasibleNodesToFind, r.nodesFiltered]).toEqual(["web", 3, 3]);
    const byName = Object.fromEntries(r.nodes.map((n) => [n.name, n]));
    // least_allocated_test.go: node1 57, node2 60 (memory 50000).
    expect(byName.node1!.scores.NodeResourcesFit).toEqual({ raw: 57, normalized: 57, weight: 1 });
    expect(byName.node2!.scores.NodeResourcesFit).toEqual({ raw: 60, normalized: 60, weight: 1 });
    expect(byName.node3!.filters.TaintToleration).toEqual({
      code: "UnschedulableAndUnresolvable",
      reasons: ["node(s) had untolerated taint {dedicated: batch}"],
    });
    expect(byName.node3!.scores).toEqual({});
    expect(byName.node1!.filters.NodeResourcesFit).toEqual({ code: "Success", reasons: [] });
    expect(byName.node1!.scores.TaintToleration).toEqual({ raw: 0, normalized: 100, weight: 3 });
    for (const n of [byName.node1!, byName.node2!])
      expect(n.total).toBe(Object.values(n.scores).reduce((s, x) => s + x.normalized * x.weight, 0));
    expect(r.selectedNode).toBe(byName.node1!.total > byName.node2!.total ? "node1" : "node2");
    expect(formatExplainTable(r, true)).toContain("NodeResourcesFit (w1)");
  });
  test("a KubeSchedulerConfiguration switches the scoring strategy", () => {
    const config = loadSchedulerConfig(`${F}/most-allocated.yaml`);
    const r = explainSchedule({ nodes, pod, existing, config });
    const byName = Object.fromEntries(r.nodes.map((n) => [n.name, n]));
    // most_allocated_test.go: node1 cpu 60 memory 25 -> 42; node2 cpu 60, memory 10000*100/50000 = 20 -> 40
    expect(byName.node1!.scores.NodeResourcesFit!.raw).toBe(42);
    expect(byName.node2!.scores.NodeResourcesFit!.raw).toBe(40);
  });
  test("an unschedulable pod reports upstream's FitError message", () => {
    const big = { ...pod, name: "big", containers: [{ requests: { cpu: "20000" } }] };
    const r = explainSchedule({ nodes, pod: big, existing });
    expect(r.selectedNode).toBeNull();
    expect(r.message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: batch}, 2 Insufficient cpu.",
    );
  });
  test("bad input is reported with file and line", () => {
    let err: unknown;
    try {
      explainSchedule({ nodes, pod: readPod(`${F}/bad-pod.yaml`) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const i = (err as ScenarioError).issues[0]!;
    expect([i.file, i.path, i.line]).toEqual([`${F}/bad-pod.yaml`, "spec.tolerations[0].operator", 9]);
  });
});
