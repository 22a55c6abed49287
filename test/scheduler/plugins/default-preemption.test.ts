import { describe, expect, test } from "vitest";
import { CycleState } from "../../../src/scheduler/cycle-state.js";
import { DefaultPreemption } from "../../../src/scheduler/plugins/default-preemption.js";
import { cluster, makeNode, makePod, ref } from "../fixtures/cluster.js";

const cpuPod = (name: string, cpu: string, priority: number) =>
  makePod(name).req({ cpu, memory: "1Gi" }).priority(priority).get();

// Behaviour after upstream plugins/defaultpreemption/default_preemption_test.go (no PDBs).
describe("DefaultPreemption", () => {
  test("evicts the minimal set of lower priority pods on the best node", () => {
    const { c, fw } = cluster(
      [makeNode("n1", { cpu: "4", memory: "16Gi" }), makeNode("n2", { cpu: "4", memory: "16Gi" })],
      [
        [cpuPod("low-1", "2", 1), "n1"],
        [cpuPod("low-2", "2", 1), "n1"],
        [cpuPod("high", "3", 1000), "n2"],
      ],
    );
    const res = fw.schedule(ref(c, cpuPod("pre", "2", 100)), { next: 0 }, 0);
    expect(res.code).toBe(2);
    const pf = res.postFilter!;
    expect(pf.status.codeName).toBe("Success");
    expect(c.nodes.names[pf.nominatedNode]).toBe("n1");
    // One 2-cpu victim frees enough: the other is reprieved.
    expect(pf.victims.length).toBe(1);
    // The cache is unchanged by the dry run.
    expect(c.cache.podCount(0)).toBe(2);
  });
  test("prefers the node whose highest victim priority is lowest", () => {
    const { c, fw } = cluster(
      [makeNode("n1", { cpu: "2", memory: "16Gi" }), makeNode("n2", { cpu: "2", memory: "16Gi" })],
      [
        [cpuPod("a", "2", 50), "n1"],
        [cpuPod("b", "2", 10), "n2"],
      ],
    );
    const pf = fw.schedule(ref(c, cpuPod("pre", "2", 100)), { next: 0 }, 0).postFilter!;
    expect(c.nodes.names[pf.nominatedNode]).toBe("n2");
  });
  test("no preemption for preemptionPolicy Never, nor when only unresolvable nodes fail", () => {
    const { c, fw } = cluster([makeNode("n1", { cpu: "2", memory: "16Gi" })], [[cpuPod("a", "2", 1), "n1"]]);
    const never = makePod("never").req({ cpu: "2" }).priority(100).set("preemptionPolicy", "Never").get();
    expect(fw.schedule(ref(c, never), { next: 0 }, 0).postFilter!.status.reasons).toEqual([
      "not eligible due to preemptionPolicy=Never.",
    ]);
    const pinned = makePod("pinned").req({ cpu: "2" }).priority(100).set("nodeName", "elsewhere").get();
    expect(fw.schedule(ref(c, pinned), { next: 0 }, 0).postFilter!.nominatedNode).toBe(-1);
  });
  test("numCandidates: max(10% of nodes, 100), at most the nodes", () => {
    const { fw } = cluster([makeNode("n", { cpu: "1" })]);
    const dp = new DefaultPreemption(fw, null);
    expect([dp.numCandidates(50), dp.numCandidates(500), dp.numCandidates(5000)]).toEqual([50, 100, 500]);
    void CycleState;
  });
});
