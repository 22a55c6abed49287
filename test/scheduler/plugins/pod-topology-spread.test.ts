import { describe, expect, test } from "vitest";
import { PodTopologySpread } from "../../../src/scheduler/plugins/pod-topology-spread.js";
import { args, cluster, makeNode, makePod, runFilter, runScore } from "../fixtures/cluster.js";

const zoneNode = (name: string, zone: string | null) =>
  makeNode(name, { cpu: "100", memory: "100Gi" }, { labels: zone === null ? {} : { zone } });
const foo = (name: string) => makePod(name).labels({ foo: "" }).get();
const spread = (
  topologyKey: string,
  maxSkew: number,
  when: "DoNotSchedule" | "ScheduleAnyway",
  extra: Record<string, unknown> = {},
) => [
  {
    maxSkew,
    topologyKey,
    whenUnsatisfiable: when,
    labelSelector: { matchExpressions: [{ key: "foo", operator: "Exists" }] },
    ...extra,
  },
];

// Cases after upstream plugins/podtopologyspread/filtering_test.go and scoring_test.go.
describe("PodTopologySpread Filter", () => {
  const nodes = [
    zoneNode("node-a", "zone1"),
    zoneNode("node-b", "zone1"),
    zoneNode("node-x", "zone2"),
    zoneNode("node-y", "zone2"),
  ];
  test("no existing pods: every node fits", () => {
    const { c, fw } = cluster(nodes);
    const pod = makePod()
      .labels({ foo: "" })
      .set("topologySpreadConstraints", spread("zone", 1, "DoNotSchedule"))
      .get();
    expect(runFilter(c, new PodTopologySpread(fw, null), pod).statuses.map((s) => s.codeName)).toEqual([
      "Success",
      "Success",
      "Success",
      "Success",
    ]);
  });
  test("zone skew: zone1 holds 2 matching pods, zone2 none, maxSkew 1", () => {
    const { c, fw } = cluster(nodes, [
      [foo("p-a"), "node-a"],
      [foo("p-b"), "node-b"],
    ]);
    const pod = makePod()
      .labels({ foo: "" })
      .set("topologySpreadConstraints", spread("zone", 1, "DoNotSchedule"))
      .get();
    const r = runFilter(c, new PodTopologySpread(fw, null), pod).statuses;
    expect(r.map((s) => s.codeName)).toEqual(["Unschedulable", "Unschedulable", "Success", "Success"]);
    expect(r[0]!.reasons).toEqual(["node(s) didn't match pod topology spread constraints"]);
  });
  test("a pod that does not match its own selector adds no self match", () => {
    const { c, fw } = cluster(nodes, [[foo("p-a"), "node-a"]]);
    const pod = makePod()
      .labels({ bar: "" })
      .set("topologySpreadConstraints", spread("zone", 1, "DoNotSchedule"))
      .get();
    // zone1: 1 + 0 - 0 = 1 <= 1
    expect(runFilter(c, new PodTopologySpread(fw, null), pod).statuses.every((s) => s.codeName === "Success")).toBe(
      true,
    );
  });
  test("a node without the topology key is UnschedulableAndUnresolvable", () => {
    const { c, fw } = cluster([...nodes, zoneNode("node-z", null)]);
    const pod = makePod()
      .labels({ foo: "" })
      .set("topologySpreadConstraints", spread("zone", 1, "DoNotSchedule"))
      .get();
    const st = runFilter(c, new PodTopologySpread(fw, null), pod).statuses[4]!;
    expect([st.codeName, st.reasons]).toEqual([
      "UnschedulableAndUnresolvable",
      ["node(s) didn't match pod topology spread constraints (missing required label)"],
    ]);
  });
  test("hostname constraint with maxSkew 1", () => {
    const { c, fw } = cluster(nodes, [
      [foo("p-a"), "node-a"],
      [foo("p-b"), "node-b"],
      [foo("p-x"), "node-x"],
    ]);
    const pod = makePod()
      .labels({ foo: "" })
      .set("topologySpreadConstraints", spread("kubernetes.io/hostname", 1, "DoNotSchedule"))
      .get();
    expect(runFilter(c, new PodTopologySpread(fw, null), pod).statuses.map((s) => s.codeName)).toEqual([
      "Unschedulable",
      "Unschedulable",
      "Unschedulable",
      "Success",
    ]);
  });
  test("minDomains above the number of domains makes the global minimum 0", () => {
    const { c, fw } = cluster(nodes, [
      [foo("p-a"), "node-a"],
      [foo("p-x"), "node-x"],
    ]);
    const pod = makePod()
      .labels({ foo: "" })
      .set("topologySpreadConstraints", spread("zone", 1, "DoNotSchedule", { minDomains: 3 }))
      .get();
    // each zone: 1 + 1 - 0 = 2 > 1
    expect(runFilter(c, new PodTopologySpread(fw, null), pod).statuses.map((s) => s.codeName)).toEqual([
      "Unschedulable",
      "Unschedulable",
      "Unschedulable",
      "Unschedulable",
    ]);
  });
  test("nodeAffinityPolicy Honor: nodes the pod cannot use do not count", () => {
    const { c, fw } = cluster(nodes, [
      [foo("p-x"), "node-x"],
      [foo("p-y"), "node-y"],
    ]);
    const pod = makePod()
      .labels({ foo: "" })
      .set("nodeSelector", { zone: "zone2" })
      .set("topologySpreadConstraints", spread("zone", 1, "DoNotSchedule"))
      .get();
    // only zone2 is eligible: min 2, zone2 2 + 1 - 2 = 1 <= 1
    expect(
      runFilter(c, new PodTopologySpread(fw, null), pod)
        .statuses.map((s) => s.codeName)
        .slice(2),
    ).toEqual(["Success", "Success"]);
    const ignore = makePod()
      .labels({ foo: "" })
      .set("nodeSelector", { zone: "zone2" })
      .set("topologySpreadConstraints", spread("zone", 1, "DoNotSchedule", { nodeAffinityPolicy: "Ignore" }))
      .get();
    // zone1 counts too: min 0, zone2 2 + 1 - 0 = 3 > 1
    expect(
      runFilter(c, new PodTopologySpread(fw, null), ignore)
        .statuses.map((s) => s.codeName)
        .slice(2),
    ).toEqual(["Unschedulable", "Unschedulable"]);
  });
  test("terminating pods are excluded (upstream: terminating Pods should be excluded)", () => {
    const hostNodes = [
      makeNode("node-a", { cpu: "100", memory: "100Gi" }, { labels: { node: "node-a" } }),
      makeNode("node-b", { cpu: "100", memory: "100Gi" }, { labels: { node: "node-b" } }),
    ];
    const { c, fw } = cluster(hostNodes, [
      [makePod("p-a").labels({ foo: "" }).set("terminating", true).get(), "node-a"],
      [foo("p-b"), "node-b"],
    ]);
    const pod = makePod("p")
      .labels({ foo: "" })
      .set("topologySpreadConstraints", spread("node", 1, "DoNotSchedule"))
      .get();
    expect(runFilter(c, new PodTopologySpread(fw, null), pod).statuses.map((s) => s.codeName)).toEqual([
      "Success",
      "Unschedulable",
    ]);
  });
  test("pods of another namespace do not count", () => {
    const { c, fw } = cluster(nodes, [
      [makePod("o").labels({ foo: "" }).ns("other").get(), "node-a"],
      [makePod("o2").labels({ foo: "" }).ns("other").get(), "node-b"],
    ]);
    const pod = makePod()
      .labels({ foo: "" })
      .set("topologySpreadConstraints", spread("zone", 1, "DoNotSchedule"))
      .get();
    expect(runFilter(c, new PodTopologySpread(fw, null), pod).statuses.every((s) => s.codeName === "Success")).toBe(
      true,
    );
  });
});

describe("PodTopologySpread Score", () => {
  const nodes = [
    zoneNode("node-a", "zone1"),
    zoneNode("node-b", "zone1"),
    zoneNode("node-x", "zone2"),
    zoneNode("node-y", "zone2"),
  ];
  test("no existing pods: every node scores MaxNodeScore", () => {
    const { c, fw } = cluster(nodes);
    const pod = makePod()
      .labels({ foo: "" })
      .set("topologySpreadConstraints", spread("zone", 1, "ScheduleAnyway"))
      .get();
    expect(runScore(c, new PodTopologySpread(fw, null), pod).normalized).toEqual([100, 100, 100, 100]);
  });
  test("zone counts weighted by log(domains + 2), normalized so fewer pods score higher", () => {
    const { c, fw } = cluster(nodes, [
      [foo("1"), "node-a"],
      [foo("2"), "node-b"],
    ]);
    const pod = makePod()
      .labels({ foo: "" })
      .set("topologySpreadConstraints", spread("zone", 1, "ScheduleAnyway"))
      .get();
    const r = runScore(c, new PodTopologySpread(fw, null), pod);
    // zone1: round(2 * log(4) + 0) = 3; zone2: 0. normalized 100 * (3 + 0 - s) / 3
    expect(r.raw).toEqual([3, 3, 0, 0]);
    expect(r.normalized).toEqual([0, 0, 100, 100]);
  });
  test("hostname and zone constraints add up", () => {
    const { c, fw } = cluster(nodes, [
      [foo("1"), "node-a"],
      [foo("2"), "node-a"],
      [foo("3"), "node-x"],
    ]);
    const pod = makePod()
      .labels({ foo: "" })
      .set("topologySpreadConstraints", [
        ...spread("zone", 2, "ScheduleAnyway"),
        ...spread("kubernetes.io/hostname", 1, "ScheduleAnyway"),
      ])
      .get();
    const r = runScore(c, new PodTopologySpread(fw, null), pod);
    const z = Math.log(4);
    const h = Math.log(6);
    const raw = [2 * z + 1 + 2 * h, 2 * z + 1, 1 * z + 1 + 1 * h, 1 * z + 1].map(Math.round);
    expect(r.raw).toEqual(raw);
    const max = Math.max(...raw);
    const min = Math.min(...raw);
    expect(r.normalized).toEqual(raw.map((s) => Math.trunc((100 * (max + min - s)) / max)));
  });
  test("system default constraints apply to pods their owners select (hostname 3, zone 5)", () => {
    const nodesZ = [
      makeNode("n1", { cpu: "1" }, { labels: { "topology.kubernetes.io/zone": "a" } }),
      makeNode("n2", { cpu: "1" }, { labels: { "topology.kubernetes.io/zone": "a" } }),
      makeNode("n3", { cpu: "1" }, { labels: { "topology.kubernetes.io/zone": "b" } }),
    ];
    const owned = (name: string) => makePod(name).labels({ app: "web" }).set("ownerSelector", { app: "web" }).get();
    const { c, fw } = cluster(nodesZ, [
      [owned("1"), "n1"],
      [owned("2"), "n1"],
      [owned("3"), "n2"],
    ]);
    const r = runScore(c, new PodTopologySpread(fw, null), owned("new"));
    const h = Math.log(5);
    const z = Math.log(4);
    const raw = [2 * h + 2 + 3 * z + 4, 1 * h + 2 + 3 * z + 4, 0 * h + 2 + 0 * z + 4].map(Math.round);
    expect(r.raw).toEqual(raw);
    expect(runScore(c, new PodTopologySpread(fw, null), makePod("bare").labels({ app: "web" }).get()).skipped).toBe(
      true,
    );
    expect(runScore(c, new PodTopologySpread(fw, args({ defaultingType: "List" })), owned("listed")).skipped).toBe(
      true,
    );
  });
  test("nodes missing a key of the pod's own constraints are scored 0", () => {
    const { c, fw } = cluster([...nodes, zoneNode("node-z", null)], [[foo("1"), "node-a"]]);
    const pod = makePod()
      .labels({ foo: "" })
      .set("topologySpreadConstraints", spread("zone", 1, "ScheduleAnyway"))
      .get();
    expect(runScore(c, new PodTopologySpread(fw, null), pod).normalized[4]).toBe(0);
  });
});
