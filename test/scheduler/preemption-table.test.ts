import { describe, expect, test } from "vitest";
import type { Rng } from "../../src/core/random.js";
import { explainSchedule } from "../../src/scheduler/explain.js";
import type { BoundPod, PdbInput } from "../../src/scheduler/k8s-objects.js";
import { DefaultPreemption } from "../../src/scheduler/plugins/default-preemption.js";
import type { PodInput } from "../../src/scheduler/standalone.js";
import { args, cluster, makeNode, makePod, ref } from "./fixtures/cluster.js";

// Cases after upstream's plugins/defaultpreemption/default_preemption_test.go (TestSelectBestCandidate,
// TestPostFilter, TestDryRunPreemption), run through explainSchedule: what `simctl schedule
// --explain --json` prints. Our own table: the same clusters, the decision upstream expects.
const NEG = -100;
const LOW = 0;
const MID = 100;
const HIGH = 1000;
const VERY_HIGH = 10000;
const RES = {
  small: { cpu: "100m", memory: 100 },
  medium: { cpu: "200m", memory: 200 },
  large: { cpu: "300m", memory: 300 },
  veryLarge: { cpu: "500m", memory: 500 },
} as const;
type Size = keyof typeof RES;

const pod = (name: string, priority: number, size?: Size, start?: number): PodInput => {
  const b = makePod(name).priority(priority);
  if (size !== undefined) b.req(RES[size]);
  else b.container({});
  if (start !== undefined) b.set("startTimeNs", start);
  return b.get();
};
/** An existing pod "pN.M" on nodeN. */
const on = (name: string, priority: number, size: Size, start = 0): BoundPod => ({
  pod: pod(name, priority, size, start),
  nodeName: `node${name.slice(1, name.indexOf("."))}`,
});
const PRIORITY: Record<string, number> = { neg: NEG, low: LOW, mid: MID, high: HIGH, veryHigh: VERY_HIGH };
/** Existing pods as a table: "p1.1 mid medium 2, ..." (name, priority, size, start time). */
const pods = (table: string): BoundPod[] =>
  table.split(", ").map((row) => {
    const [name, p, size, start] = row.split(" ");
    return on(name!, PRIORITY[p!]!, size as Size, Number(start ?? 0));
  });
const nodes = (n: number) => Array.from({ length: n }, (_, i) => makeNode(`node${i + 1}`, RES.veryLarge));

/**
 * One case per row: name | nodes | the preemptor's priority and size | the existing pods (see
 * {@link pods}) | the nodes upstream accepts as its pick.
 */
const BEST_CANDIDATE = `
a pod that fits on both nodes when lower priority pods are preempted | 2 | high large | p1.1 mid large, p2.1 mid large | node1 node2
node with min highest priority pod is picked | 3 | high veryLarge | p1.1 mid medium, p1.2 mid large, p2.1 mid medium, p2.2 low medium, p3.1 low medium, p3.2 low medium | node3
when highest priorities are the same, minimum sum of priorities is picked | 3 | high veryLarge | p1.1 mid medium, p1.2 mid large, p2.1 mid large, p2.2 low medium, p3.1 mid medium, p3.2 mid medium | node2
when highest priority and sum are the same, minimum number of pods is picked | 3 | high veryLarge | p1.1 mid small, p1.2 neg small, p1.3 mid small, p1.4 neg small, p2.1 mid large, p2.2 neg medium, p3.1 mid medium, p3.2 neg small, p3.3 low small | node2
sum of adjusted priorities is considered | 3 | high veryLarge | p1.1 mid small, p1.2 neg small, p1.3 neg small, p2.1 mid large, p2.2 neg medium, p3.1 mid medium, p3.2 neg small, p3.3 low small | node2
non-overlapping lowest high priority, sum priorities, and number of pods | 4 | veryHigh veryLarge | p1.1 mid small, p1.2 low small, p1.3 low small, p2.1 high large, p3.1 mid medium, p3.2 low small, p3.3 low small, p3.4 low medium, p4.1 mid medium, p4.2 mid small, p4.3 mid small, p4.4 neg small | node1
same priority, same number of victims, different start time for each node's pod | 3 | high veryLarge | p1.1 mid medium 2, p1.2 mid medium 2, p2.1 mid medium 3, p2.2 mid medium 3, p3.1 mid medium 1, p3.2 mid medium 1 | node2
same priority, same number of victims, different start time for all pods | 3 | high veryLarge | p1.1 mid medium 4, p1.2 mid medium 2, p2.1 mid medium 5, p2.2 mid medium 1, p3.1 mid medium 3, p3.2 mid medium 6 | node3
different priority, same number of victims, different start time for all pods | 3 | high veryLarge | p1.1 low medium 4, p1.2 mid medium 2, p2.1 mid medium 6, p2.2 low medium 1, p3.1 low medium 3, p3.2 mid medium 5 | node2
`
  .trim()
  .split("\n")
  .map((row) => {
    const [name, n, preemptor, existing, expected] = row.split(" | ");
    const [p, size] = preemptor!.split(" ");
    return {
      name: name!,
      nodes: Number(n),
      pod: pod("p", PRIORITY[p!]!, size as Size),
      existing: pods(existing!),
      expected: expected!.split(" "),
    };
  });

describe("preemption node choice (pickOneNodeForPreemption) through schedule --explain", () => {
  test.each(BEST_CANDIDATE.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const r = explainSchedule({ nodes: nodes(c.nodes), pod: c.pod, existing: c.existing });
    expect(r.selectedNode).toBeNull();
    expect(r.preemption?.code).toBe("Success");
    expect(c.expected).toContain(r.preemption!.nominatedNode);
  });

  test("the victims are the minimal set, most important first: the higher-priority pod on the node is reprieved", () => {
    const r = explainSchedule({
      nodes: nodes(1),
      pod: pod("p", HIGH, "large"),
      existing: [on("p1.1", MID, "medium", 5), on("p1.2", LOW, "small", 2), on("p1.3", LOW, "medium", 1)],
    });
    // 500m with 500m used: 300m must go. Reprieving MID (200m) first leaves both LOW pods as
    // victims, listed by importance: same priority, the one that started earlier first.
    expect(r.preemption).toMatchObject({ nominatedNode: "node1", victims: ["p1.3", "p1.2"], pdbViolations: 0 });
  });
});

const ONE_POD = { pods: 1 };
const pdb = (name: string, match: Record<string, string>, disruptionsAllowed: number, disrupted: string[] = []) =>
  ({
    spec: {
      name,
      namespace: "default",
      selector: { matchLabels: new Map(Object.entries(match)), matchExpressions: [] },
      minAvailable: undefined,
      maxUnavailable: undefined,
    },
    disruptionsAllowed,
    disruptedPods: disrupted,
  }) satisfies PdbInput;
const labelled = (name: string, priority: number, labels: Record<string, string>, size?: Size): PodInput => {
  const b = makePod(name).priority(priority).labels(labels);
  if (size === undefined) b.container({});
  else b.req(RES[size]);
  return b.get();
};

describe("PDB-aware preemption (filterPodsWithPDBViolation, fewest violations first)", () => {
  test("pod can be made schedulable on minHighestPriority node: both candidates violate one PDB", () => {
    const r = explainSchedule({
      nodes: [makeNode("node1", ONE_POD), makeNode("node2", ONE_POD)],
      pod: makePod("p").priority(VERY_HIGH).container({}).get(),
      existing: [
        { pod: labelled("p1", HIGH, { pdb: "non-violating" }), nodeName: "node1" },
        { pod: labelled("p2", LOW, { pdb: "violating" }), nodeName: "node1" },
        { pod: labelled("p3", MID, { pdb: "violating" }), nodeName: "node2" },
      ],
      pdbs: [pdb("violating", { pdb: "violating" }, 0), pdb("non-violating", { pdb: "non-violating" }, 2147483647)],
    });
    expect(r.preemption).toMatchObject({ nominatedNode: "node2", victims: ["p3"], pdbViolations: 1 });
  });

  test("a node whose victims violate no PDB wins over one with a lower-priority victim that does", () => {
    const r = explainSchedule({
      nodes: nodes(2),
      pod: pod("p", HIGH, "veryLarge"),
      existing: [
        { pod: labelled("p1.1", LOW, { app: "foo" }, "veryLarge"), nodeName: "node1" },
        { pod: labelled("p2.1", MID, { app: "bar" }, "veryLarge"), nodeName: "node2" },
      ],
      pdbs: [pdb("foo", { app: "foo" }, 0)],
    });
    expect(r.preemption).toMatchObject({ nominatedNode: "node2", victims: ["p2.1"], pdbViolations: 0 });
  });

  const samePdb = (disrupted: string[]) =>
    explainSchedule({
      nodes: nodes(1),
      pod: pod("p", HIGH, "large"),
      existing: [
        { pod: labelled("p1.1", MID, { app: "foo" }, "medium"), nodeName: "node1" },
        { pod: labelled("p1.2", MID, { app: "foo" }, "medium"), nodeName: "node1" },
      ],
      pdbs: [pdb("foo", { app: "foo" }, 1, disrupted)],
    }).preemption;

  test("preemption with violation of the same PDB: the violating pod is reprieved first, so no violation", () => {
    // Either pod frees enough. The budget allows one disruption: p1.2 (the second) would violate
    // it, so it is tried first and stays; p1.1 goes.
    expect(samePdb([])).toMatchObject({ victims: ["p1.1"], pdbViolations: 0 });
  });

  test("a pod already in the PDB's disruptedPods does not count against it", () => {
    // p1.1 in disruptedPods: only p1.2 decrements the budget (to 0): no pod violates it, so the
    // more important p1.1 is reprieved first and p1.2 goes.
    expect(samePdb(["p1.1"])).toMatchObject({ victims: ["p1.2"], pdbViolations: 0 });
  });

  test("an empty selector matches no pod for preemption", () => {
    const empty = pdb("all", {}, 0);
    const r = explainSchedule({
      nodes: nodes(1),
      pod: pod("p", HIGH, "veryLarge"),
      existing: [{ pod: labelled("p1.1", LOW, { app: "foo" }, "veryLarge"), nodeName: "node1" }],
      pdbs: [empty],
    });
    expect(r.preemption).toMatchObject({ victims: ["p1.1"], pdbViolations: 0 });
  });
});

describe("DryRunPreemption's candidate sampling", () => {
  /** Offset 4 of 5 potential nodes, as upstream's test seeds getOffsetRand. */
  const offsetFour = { next: () => 0.8 } as Rng;
  const five = ["node1", "node2", "node3", "node4", "node5"].map((n) => makeNode(n, RES.veryLarge));
  const p = (name: string, node: string, priority: number, labels: Record<string, string> = {}) =>
    [labelled(name, priority, labels, "large"), node] as [PodInput, string];

  test("stops at numCandidates (40% of 5 = 2) from the offset", () => {
    const { c } = cluster(five, [
      p("p1", "node1", MID),
      p("p2", "node2", VERY_HIGH),
      p("p3", "node3", MID),
      p("p4", "node4", MID),
      p("p5", "node5", VERY_HIGH),
    ]);
    const fw = c.framework(undefined, 0, offsetFour);
    const dp = new DefaultPreemption(fw, args({ minCandidateNodesPercentage: 40, minCandidateNodesAbsolute: 1 }));
    const got = dp.dryRun(ref(c, labelled("p", HIGH, {}, "large")), [0, 1, 2, 3, 4]);
    // node5 (no), node1 (yes), node2 (no), node3 (yes): stop.
    expect(got.map((x) => c.nodes.names[x.node])).toEqual(["node1", "node3"]);
  });

  test("looks past numCandidates until a candidate that violates no PDB is found", () => {
    const foo = { app: "foo" };
    const { c } = cluster(five, [
      p("p1", "node1", MID, foo),
      p("p2", "node2", MID, foo),
      p("p3", "node3", MID),
      p("p4", "node4", MID),
      p("p5", "node5", MID, foo),
    ]);
    c.cache.budgets = {
      of: (x) => (x === 0 || x === 1 || x === 4 ? [0] : []),
      allowed: () => 0,
      isDisrupted: () => false,
    };
    const fw = c.framework(undefined, 0, offsetFour);
    const dp = new DefaultPreemption(fw, args({ minCandidateNodesPercentage: 40, minCandidateNodesAbsolute: 2 }));
    const got = dp.dryRun(ref(c, labelled("p", HIGH, {}, "large")), [0, 1, 2, 3, 4]);
    // node5 (pdb), node1 (pdb), node2 (pdb), node3 (clean): the clean one first, then the others
    // (each list holds at most numCandidates = 2).
    expect(got.map((x) => [c.nodes.names[x.node], x.pdbViolations])).toEqual([
      ["node3", 0],
      ["node5", 1],
      ["node1", 1],
    ]);
  });
});

describe("PodEligibleToPreemptOthers and the nominated node", () => {
  const victimOn = (terminating: boolean, byPreemption: boolean): BoundPod => ({
    pod: {
      ...pod("v", LOW, "veryLarge"),
      ...(terminating ? { terminating: true } : {}),
      ...(byPreemption ? { preemptedByScheduler: true } : {}),
    },
    nodeName: "node1",
  });
  const preemptor = { ...pod("p", HIGH, "veryLarge"), nominatedNodeName: "node1" };

  test("a pod whose nominated node has a lower-priority pod terminating by preemption waits: its nomination stays", () => {
    const r = explainSchedule({ nodes: nodes(1), pod: preemptor, existing: [victimOn(true, true)] });
    expect(r.preemption).toMatchObject({
      nominatedNode: null,
      victims: [],
      code: "Unschedulable",
      message: "not eligible due to a terminating pod on the nominated node.",
    });
  });

  test("a pod terminating for another reason (a plain delete) does not hold the preemptor back", () => {
    const r = explainSchedule({ nodes: nodes(1), pod: preemptor, existing: [victimOn(true, false)] });
    expect(r.preemption).toMatchObject({ nominatedNode: "node1", victims: ["v"], code: "Success" });
  });

  test("a nominated pod tries its nominated node first and takes it when it fits", () => {
    const r = explainSchedule({
      nodes: nodes(3),
      pod: { ...pod("p", HIGH, "small"), nominatedNodeName: "node3" },
      existing: [],
    });
    expect([r.selectedNode, r.nodesFiltered]).toEqual(["node3", 1]);
  });

  test("preemptionPolicy Never: no preemption, whatever the victims", () => {
    const r = explainSchedule({
      nodes: nodes(1),
      pod: { ...pod("p", HIGH, "veryLarge"), preemptionPolicy: "Never" },
      existing: [victimOn(false, false)],
    });
    expect(r.preemption).toMatchObject({ nominatedNode: null, message: "not eligible due to preemptionPolicy=Never." });
  });
});
