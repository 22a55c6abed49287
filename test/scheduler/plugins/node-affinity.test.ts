import { describe, expect, test } from "vitest";
import { CycleState } from "../../../src/scheduler/cycle-state.js";
import { NodeAffinity } from "../../../src/scheduler/plugins/node-affinity.js";
import { args, cluster, makeNode, makePod, ref, runFilter, runScore } from "../fixtures/cluster.js";

const required = (...terms: unknown[]) => ({
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
});
const expr = (key: string, operator: string, values?: string[]) => ({ key, operator, ...(values ? { values } : {}) });
const labelled = (labels: Record<string, string>) => [makeNode("n", { cpu: "1" }, { labels })];

// Cases after upstream plugins/nodeaffinity/node_affinity_test.go (TestNodeAffinity).
describe("NodeAffinity Filter", () => {
  const cases: [
    string,
    Record<string, string>,
    Partial<{ nodeSelector: Record<string, string>; affinity: unknown }>,
    boolean,
  ][] = [
    ["no selector fits", { foo: "bar" }, {}, true],
    ["nodeSelector missing label", {}, { nodeSelector: { foo: "bar" } }, false],
    ["nodeSelector matches", { foo: "bar" }, { nodeSelector: { foo: "bar" } }, true],
    ["nodeSelector wrong value", { foo: "baz" }, { nodeSelector: { foo: "bar" } }, false],
    [
      "In matches",
      { foo: "bar" },
      { affinity: required({ matchExpressions: [expr("foo", "In", ["value1", "bar"])] }) },
      true,
    ],
    [
      "Gt with an integer label",
      { kernel: "6" },
      { affinity: required({ matchExpressions: [expr("kernel", "Gt", ["5"])] }) },
      true,
    ],
    [
      "Gt with a non-integer label",
      { kernel: "six" },
      { affinity: required({ matchExpressions: [expr("kernel", "Gt", ["5"])] }) },
      false,
    ],
    ["Lt", { kernel: "4" }, { affinity: required({ matchExpressions: [expr("kernel", "Lt", ["5"])] }) }, true],
    [
      "NotIn matches an absent label",
      {},
      { affinity: required({ matchExpressions: [expr("foo", "NotIn", ["bar"])] }) },
      true,
    ],
    [
      "DoesNotExist",
      { foo: "bar" },
      { affinity: required({ matchExpressions: [expr("foo", "DoesNotExist")] }) },
      false,
    ],
    ["Exists", { foo: "bar" }, { affinity: required({ matchExpressions: [expr("foo", "Exists")] }) }, true],
    [
      "expressions of one term are ANDed",
      { foo: "bar" },
      { affinity: required({ matchExpressions: [expr("foo", "In", ["bar"]), expr("diffkey", "In", ["wrong"])] }) },
      false,
    ],
    [
      "terms are ORed",
      { foo: "bar" },
      {
        affinity: required(
          { matchExpressions: [expr("diffkey", "In", ["wrong"])] },
          { matchExpressions: [expr("foo", "In", ["bar"])] },
        ),
      },
      true,
    ],
    ["an empty term matches nothing", { foo: "bar" }, { affinity: required({}) }, false],
    [
      "nodeSelector and affinity must both hold",
      { foo: "bar" },
      { nodeSelector: { foo: "baz" }, affinity: required({ matchExpressions: [expr("foo", "Exists")] }) },
      false,
    ],
    [
      "matchFields on the node name",
      {},
      { affinity: required({ matchFields: [expr("metadata.name", "In", ["n"])] }) },
      true,
    ],
    [
      "invalid Gt value makes the term match nothing",
      { kernel: "6" },
      { affinity: required({ matchExpressions: [expr("kernel", "Gt", ["x"])] }) },
      false,
    ],
  ];
  for (const [name, labels, fields, fits] of cases) {
    test(name, () => {
      const { c, fw } = cluster(labelled(labels));
      const pod = makePod();
      if (fields.nodeSelector) pod.set("nodeSelector", fields.nodeSelector);
      if (fields.affinity) pod.set("affinity", fields.affinity);
      const st = runFilter(c, new NodeAffinity(fw, null), pod.get()).statuses[0]!;
      expect(st.codeName).toBe(fits ? "Success" : "UnschedulableAndUnresolvable");
      if (!fits) expect(st.reasons).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
    });
  }
  test("PreFilter narrows to nodes named by metadata.name In, and rejects conflicting terms", () => {
    const { c, fw } = cluster([
      makeNode("node1", { cpu: "1" }),
      makeNode("node2", { cpu: "1" }),
      makeNode("node3", { cpu: "1" }),
    ]);
    const na = new NodeAffinity(fw, null);
    const st = new CycleState();
    const pod = makePod()
      .set(
        "affinity",
        required(
          { matchFields: [expr("metadata.name", "In", ["node1"])] },
          { matchFields: [expr("metadata.name", "In", ["node3"])] },
        ),
      )
      .get();
    expect(na.preFilter(st, ref(c, pod)).codeName).toBe("Success");
    expect(Array.from(st.nodeSubset!)).toEqual([0, 2]);
    const conflict = makePod()
      .set(
        "affinity",
        required({ matchFields: [expr("metadata.name", "In", ["node1"]), expr("metadata.name", "In", ["node2"])] }),
      )
      .get();
    const s2 = na.preFilter(new CycleState(), ref(c, conflict));
    expect([s2.codeName, s2.reasons]).toEqual(["UnschedulableAndUnresolvable", ["pod affinity terms conflict"]]);
  });
  test("PreFilter skips pods without node affinity or selector", () => {
    const { c, fw } = cluster(labelled({}));
    expect(new NodeAffinity(fw, null).preFilter(new CycleState(), ref(c, makePod().get())).codeName).toBe("Skip");
  });
  test("addedAffinity is enforced first", () => {
    const { c, fw } = cluster([
      makeNode("a", { cpu: "1" }, { labels: { zone: "foo" } }),
      makeNode("b", { cpu: "1" }, { labels: { zone: "bar" } }),
    ]);
    const na = new NodeAffinity(
      fw,
      args({
        addedAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [expr("zone", "In", ["foo"])] }],
          },
        },
      }),
    );
    const r = runFilter(c, na, makePod().get());
    expect(r.statuses.map((s) => s.reasons)).toEqual([[], ["node(s) didn't match scheduler-enforced node affinity"]]);
  });
});

describe("NodeAffinity Score", () => {
  const preferred = {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 2, preference: { matchExpressions: [expr("foo", "In", ["bar"])] } },
        { weight: 4, preference: { matchExpressions: [expr("key", "In", ["value"])] } },
        { weight: 5, preference: { matchExpressions: [expr("az", "In", ["az1"])] } },
      ],
    },
  };
  test("sum of matching preferred weights, normalized by the maximum", () => {
    const { c, fw } = cluster([
      makeNode("node1", { cpu: "1" }, { labels: { foo: "bar" } }),
      makeNode("node2", { cpu: "1" }, { labels: { foo: "bar", key: "value" } }),
      makeNode("node3", { cpu: "1" }, { labels: { foo: "bar", key: "value", az: "az1" } }),
      makeNode("node4", { cpu: "1" }, { labels: {} }),
    ]);
    const r = runScore(c, new NodeAffinity(fw, null), makePod().set("affinity", preferred).get());
    expect(r.raw).toEqual([2, 6, 11, 0]);
    // 100 * 2 / 11 = 18, 100 * 6 / 11 = 54
    expect(r.normalized).toEqual([18, 54, 100, 0]);
  });
  test("PreScore skips pods without preferred terms", () => {
    const { c, fw } = cluster(labelled({ foo: "bar" }));
    expect(runScore(c, new NodeAffinity(fw, null), makePod().get()).skipped).toBe(true);
  });
});
