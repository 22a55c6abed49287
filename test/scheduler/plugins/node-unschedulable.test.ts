import { describe, expect, test } from "vitest";
import { NodeUnschedulable } from "../../../src/scheduler/plugins/node-unschedulable.js";
import { cluster, makeNode, makePod, runFilter } from "../fixtures/cluster.js";

// Cases after upstream plugins/nodeunschedulable/node_unschedulable_test.go.
describe("NodeUnschedulable", () => {
  test("a cordoned node rejects a pod without the toleration", () => {
    const { c, fw } = cluster([makeNode("n", { cpu: "1" }, { unschedulable: true }), makeNode("m", { cpu: "1" })]);
    const r = runFilter(c, new NodeUnschedulable(fw), makePod().get()).statuses;
    expect(r.map((s) => [s.codeName, s.reasons])).toEqual([
      ["UnschedulableAndUnresolvable", ["node(s) were unschedulable"]],
      ["Success", []],
    ]);
  });
  test("the unschedulable:NoSchedule toleration admits the pod", () => {
    const { c, fw } = cluster([makeNode("n", { cpu: "1" }, { unschedulable: true })]);
    const pod = makePod()
      .set("tolerations", [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }])
      .get();
    expect(runFilter(c, new NodeUnschedulable(fw), pod).statuses[0]!.codeName).toBe("Success");
  });
});
