import { describe, expect, test } from "vitest";
import { TaintToleration } from "../../../src/scheduler/plugins/taint-toleration.js";
import { cluster, makeNode, makePod, runFilter, runScore } from "../fixtures/cluster.js";

type Effect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";
const taint = (key: string, value: string, effect: Effect) => ({ key, value, effect });
const node = (name: string, taints: ReturnType<typeof taint>[]) =>
  makeNode(name, { cpu: "1", memory: "1Gi" }, { taints });

// Cases after upstream plugins/tainttoleration/taint_toleration_test.go.
describe("TaintToleration Score", () => {
  test("a node whose taints are tolerated beats one with an intolerable taint", () => {
    const { c, fw } = cluster([
      node("nodeA", [taint("foo", "bar", "PreferNoSchedule")]),
      node("nodeB", [taint("foo", "blah", "PreferNoSchedule")]),
    ]);
    const pod = makePod()
      .set("tolerations", [{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }])
      .get();
    const r = runScore(c, new TaintToleration(fw), pod);
    expect(r.raw).toEqual([0, 1]);
    expect(r.normalized).toEqual([100, 0]);
  });
  test("all taints tolerated: same score whatever the number of taints", () => {
    const { c, fw } = cluster([
      node("nodeA", []),
      node("nodeB", [taint("foo", "bar", "PreferNoSchedule")]),
      node("nodeC", [taint("foo", "bar", "PreferNoSchedule"), taint("foo", "blah", "PreferNoSchedule")]),
    ]);
    const pod = makePod()
      .set("tolerations", [{ key: "foo", operator: "Exists", effect: "PreferNoSchedule" }])
      .get();
    expect(runScore(c, new TaintToleration(fw), pod).normalized).toEqual([100, 100, 100]);
  });
  test("the more intolerable taints, the lower the score (100, 50, 0)", () => {
    const { c, fw } = cluster([
      node("nodeA", []),
      node("nodeB", [taint("cpu-type", "arm64", "PreferNoSchedule")]),
      node("nodeC", [taint("cpu-type", "arm64", "PreferNoSchedule"), taint("disk-type", "ssd", "PreferNoSchedule")]),
    ]);
    const pod = makePod()
      .set("tolerations", [{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }])
      .get();
    expect(runScore(c, new TaintToleration(fw), pod).normalized).toEqual([100, 50, 0]);
  });
  test("only PreferNoSchedule taints and tolerations with an empty or PreferNoSchedule effect count", () => {
    const { c, fw } = cluster([
      node("nodeA", []),
      node("nodeB", [taint("cpu-type", "arm64", "NoSchedule")]),
      node("nodeC", [taint("cpu-type", "arm64", "PreferNoSchedule")]),
    ]);
    // The NoSchedule toleration does not tolerate the PreferNoSchedule taint for scoring.
    const pod = makePod()
      .set("tolerations", [{ key: "cpu-type", operator: "Equal", value: "arm64", effect: "NoSchedule" }])
      .get();
    expect(runScore(c, new TaintToleration(fw), pod).normalized).toEqual([100, 100, 0]);
    const any = makePod()
      .set("tolerations", [{ key: "cpu-type", operator: "Equal", value: "arm64" }])
      .get();
    expect(runScore(c, new TaintToleration(fw), any).normalized).toEqual([100, 100, 100]);
  });
});

describe("TaintToleration Filter", () => {
  const cases: [string, ReturnType<typeof taint>[], unknown, string, string[]][] = [
    [
      "a pod with no tolerations cannot land on a tainted node",
      [taint("dedicated", "user1", "NoSchedule")],
      undefined,
      "UnschedulableAndUnresolvable",
      ["node(s) had untolerated taint {dedicated: user1}"],
    ],
    [
      "a pod tolerating the dedicated taint fits",
      [taint("dedicated", "user1", "NoSchedule")],
      [{ key: "dedicated", value: "user1", effect: "NoSchedule" }],
      "Success",
      [],
    ],
    [
      "a toleration for another value does not help",
      [taint("dedicated", "user1", "NoSchedule")],
      [{ key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" }],
      "UnschedulableAndUnresolvable",
      ["node(s) had untolerated taint {dedicated: user1}"],
    ],
    [
      "operator Exists tolerates any value",
      [taint("foo", "bar", "NoSchedule")],
      [{ key: "foo", operator: "Exists", effect: "NoSchedule" }],
      "Success",
      [],
    ],
    [
      "an empty key with Exists tolerates everything",
      [taint("foo", "bar", "NoExecute"), taint("x", "", "NoSchedule")],
      [{ operator: "Exists" }],
      "Success",
      [],
    ],
    [
      "NoExecute taints also filter",
      [taint("foo", "", "NoExecute")],
      [{ key: "foo", operator: "Exists", effect: "NoSchedule" }],
      "UnschedulableAndUnresolvable",
      ["node(s) had untolerated taint {foo: }"],
    ],
    ["PreferNoSchedule taints do not filter", [taint("foo", "bar", "PreferNoSchedule")], undefined, "Success", []],
  ];
  for (const [name, taints, tolerations, code, reasons] of cases) {
    test(name, () => {
      const { c, fw } = cluster([node("n", taints)]);
      const st = runFilter(c, new TaintToleration(fw), makePod().set("tolerations", tolerations).get()).statuses[0]!;
      expect(st.codeName).toBe(code);
      expect(st.reasons).toEqual(reasons);
    });
  }
  test("a NotReady node carries the not-ready NoSchedule taint", () => {
    const { c, fw } = cluster([makeNode("n", { cpu: "1" }, { ready: false })]);
    expect(runFilter(c, new TaintToleration(fw), makePod().get()).statuses[0]!.reasons).toEqual([
      "node(s) had untolerated taint {node.kubernetes.io/not-ready: }",
    ]);
    const tolerant = makePod()
      .set("tolerations", [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoSchedule" }])
      .get();
    expect(runFilter(c, new TaintToleration(fw), tolerant).statuses[0]!.codeName).toBe("Success");
  });
});
