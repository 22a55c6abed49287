import { describe, expect, test } from "vitest";
import { parseSchedulerConfig } from "../../src/scheduler/config.js";
import { CycleState } from "../../src/scheduler/cycle-state.js";
import { ExplainRecord } from "../../src/scheduler/framework.js";
import type { PodRef } from "../../src/scheduler/plugin.js";
import { Code } from "../../src/scheduler/status.js";
import { seededRng, StandaloneCluster, type NodeInput, type PodInput } from "../../src/scheduler/standalone.js";
import { makeNode, makePod } from "./fixtures/cluster.js";

/**
 * The fast paths (scoreInto kernels, per-node score memos, table-driven spread scoring, constant
 * scores, word-wide filter scans) must choose exactly as the plain plugin path does. Explain mode
 * runs every Score plugin through score + normalizeScore + the framework's weighted sum, so two
 * identical clusters scheduled in lockstep, one with explain and one without, must agree on every
 * cycle: node, total score, nodes examined and feasible, and the rotation.
 */

const ZONES = ["zone-a", "zone-b", "zone-c"];
const MiB = 1024 * 1024;

/** A varied cluster: zones, capacities, taints, cordons, pre-pulled images, one node without a zone. */
function nodes(n: number): NodeInput[] {
  return Array.from({ length: n }, (_, i) =>
    makeNode(
      `n${i}`,
      { cpu: String(2 + (i % 5) * 2), memory: `${4 + (i % 4) * 4}Gi`, pods: i % 11 === 0 ? 6 : 110 },
      {
        labels: {
          "kubernetes.io/hostname": `n${i}`,
          ...(i === 7 ? {} : { "topology.kubernetes.io/zone": ZONES[i % 3]! }),
          tier: i % 4 === 0 ? "gold" : "std",
        },
        taints:
          i % 9 === 4
            ? [{ key: "spot", value: "true", effect: "PreferNoSchedule" }]
            : i % 13 === 5
              ? [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }]
              : [],
        unschedulable: i % 17 === 3,
        images: [
          { names: ["registry.k8s.io/pause:3.9"], sizeBytes: 300_000 },
          ...(i % 3 === 0 ? [{ names: ["example.com/big:1"], sizeBytes: 2000 * MiB }] : []),
          ...(i % 5 === 1 ? [{ names: ["example.com/mid:1"], sizeBytes: 60 * MiB }] : []),
        ],
      },
    ),
  );
}

const owned = (app: string, cpu: string, mem: string, image = "registry.k8s.io/pause:3.9"): PodInput =>
  makePod(app)
    .labels({ app })
    .set("ownerSelector", { app })
    .container({ image, requests: { cpu, memory: mem } })
    .get();

/** Pods of every shape the fast paths special-case, and some they do not. */
function workload(): PodInput[] {
  return [
    makePod("basic")
      .container({ image: "registry.k8s.io/pause:3.9", requests: { cpu: "100m", memory: "128Mi" } })
      .get(),
    owned("web", "200m", "256Mi"),
    owned("api", "500m", "1Gi", "example.com/big:1"),
    makePod("besteffort")
      .labels({ app: "be" })
      .set("ownerSelector", { app: "be" })
      .container({ image: "example.com/mid:1" })
      .get(),
    makePod("spread")
      .labels({ app: "spread" })
      .container({ image: "registry.k8s.io/pause:3.9", requests: { cpu: "300m", memory: "512Mi" } })
      .set("topologySpreadConstraints", [
        {
          maxSkew: 2,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: { app: "spread" } },
        },
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: { app: "spread" } },
        },
      ])
      .get(),
    makePod("hard")
      .labels({ app: "hard" })
      .req({ cpu: "250m", memory: "256Mi" })
      .set("topologySpreadConstraints", [
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: { matchLabels: { app: "hard" } },
        },
      ])
      .get(),
    // Tolerates every taint, requires a label every node has and spreads loosely over hostnames:
    // the whole-chunk passes of TaintToleration, NodeAffinity and PodTopologySpread.
    makePod("tolerant")
      .labels({ app: "tolerant" })
      .req({ cpu: "120m", memory: "100Mi" })
      .set("tolerations", [{ operator: "Exists" }])
      .set("affinity", {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "Exists" }] }],
          },
        },
      })
      .set("topologySpreadConstraints", [
        {
          maxSkew: 50,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: { matchLabels: { app: "tolerant" } },
        },
      ])
      .get(),
    makePod("gold").req({ cpu: "100m", memory: "100Mi" }).set("nodeSelector", { tier: "gold" }).get(),
    makePod("prefer")
      .req({ cpu: "150m", memory: "200Mi" })
      .set("tolerations", [{ key: "spot", operator: "Exists", effect: "PreferNoSchedule" }])
      .set("affinity", {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 40, preference: { matchExpressions: [{ key: "tier", operator: "In", values: ["gold"] }] } },
          ],
        },
      })
      .get(),
    makePod("near")
      .labels({ app: "near" })
      .container({ image: "example.com/mid:1", requests: { cpu: "100m", memory: "64Mi" } })
      .set("affinity", {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 50,
              podAffinityTerm: {
                labelSelector: { matchLabels: { app: "web" } },
                topologyKey: "topology.kubernetes.io/zone",
              },
            },
          ],
        },
      })
      .get(),
    makePod("twoimg")
      .container({ image: "example.com/big:1", requests: { cpu: "50m", memory: "64Mi" } })
      .init({ image: "example.com/mid:1" })
      .get(),
  ];
}

const DEFAULT = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n";
const strategy = (type: string, extra = "") =>
  `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
    plugins:
      score:
        enabled: [{ name: NodeResourcesFit, weight: 3 }, { name: NodeResourcesBalancedAllocation, weight: 2 }]
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: ${type}
            resources: [{ name: cpu, weight: 2 }, { name: memory, weight: 1 }]
${extra}`;
const RTCR = strategy(
  "RequestedToCapacityRatio",
  "            requestedToCapacityRatio:\n              shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }]\n",
);

/** Schedules `pods` (cycling through `shapes`) in two identical clusters, with and without explain. */
function lockstep(config: string, n: number, pods: number, shapes: PodInput[], pct = 0): void {
  const cfg = parseSchedulerConfig("t.yaml", config);
  const [a, b] = [new StandaloneCluster(nodes(n)), new StandaloneCluster(nodes(n))];
  const fa = a.framework(cfg, 0, seededRng(11));
  const fb = b.framework(cfg, 0, seededRng(11));
  const refsA: PodRef[] = shapes.map((p) => ({ pod: 0, group: a.groupFor(p), spec: undefined as never }));
  const refsB: PodRef[] = shapes.map((p) => ({ pod: 0, group: b.groupFor(p), spec: undefined as never }));
  for (const r of refsA) r.spec = a.cache.groups[r.group]!;
  for (const r of refsB) r.spec = b.cache.groups[r.group]!;
  const rotA = { next: 0 };
  const rotB = { next: 0 };
  for (let i = 0; i < pods; i++) {
    const k = (i * 7 + (i >> 3)) % shapes.length;
    const ra = refsA[k]!;
    const rb = refsB[k]!;
    ra.pod = i;
    rb.pod = i;
    const x = fa.schedule(ra, rotA, pct);
    const got = [x.code, x.node, x.score, x.examined, x.feasible, rotA.next];
    const e = new ExplainRecord();
    const y = fb.schedule(rb, rotB, pct, e);
    expect(got, `pod ${i} (${shapes[k]!.name})`).toEqual([y.code, y.node, y.score, y.examined, y.feasible, rotB.next]);
    // The Filter kernels (and their whole-chunk passes) keep exactly the nodes that pass every
    // plugin's per-node Filter.
    if (y.code === Code.Success && e.examinedNodes.length > 1) {
      const kept = new Set(e.feasible);
      for (const node of e.examinedNodes)
        expect(fb.runFilters(fb.state, rb, node).code === Code.Success, `pod ${i} node ${node}`).toBe(kept.has(node));
    }
    if (x.node >= 0) {
      a.cache.addPod(i, ra.group, x.node, i);
      b.cache.addPod(i, rb.group, y.node, i);
    }
    // Now and then a pod leaves, so that nodes the memos saw change back.
    if (i % 10 === 9 && a.cache.nodeOf(i - 5) >= 0) {
      a.cache.removePod(i - 5);
      b.cache.removePod(i - 5);
    }
  }
}

describe("fast paths agree with the plain plugin path", () => {
  test("default profile, every pod shape, adaptive and full percentageOfNodesToScore", () => {
    lockstep(DEFAULT, 60, 400, workload());
    lockstep(DEFAULT, 60, 150, workload(), 100);
  });
  test("LeastAllocated, MostAllocated and RequestedToCapacityRatio with weights", () => {
    for (const cfg of [strategy("LeastAllocated"), strategy("MostAllocated"), RTCR]) lockstep(cfg, 40, 200, workload());
  });
  test("resources-only profiles (the fused filter + score kernel) with both strategies", () => {
    for (const type of ["LeastAllocated", "MostAllocated"]) {
      const cfg = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - plugins:
      multiPoint:
        enabled: [{ name: PrioritySort }, { name: NodeResourcesFit, weight: 2 }, { name: DefaultBinder }]
        disabled: [{ name: "*" }]
    pluginConfig:
      - name: NodeResourcesFit
        args: { scoringStrategy: { type: ${type} } }
`;
      lockstep(cfg, 50, 300, workload());
      lockstep(cfg, 50, 100, workload(), 100);
    }
  });
  test("many pods of one owner on few nodes (spread counts beyond the first table size)", () => {
    lockstep(DEFAULT, 6, 260, [owned("dense", "10m", "16Mi")]);
  });
  test("memoized filter verdicts follow the nodes as pods come and go", () => {
    // Small nodes fill up after a few pods; the memoized NodeResourcesFit verdicts must match the
    // plugin's per-node Filter after every assume and every removal.
    for (const cfg of [DEFAULT, strategy("LeastAllocated")]) {
      const c = new StandaloneCluster(
        Array.from({ length: 12 }, (_, i) =>
          makeNode(`s${i}`, { cpu: i % 3 === 0 ? "1" : "2", memory: "2Gi", pods: 6 }),
        ),
      );
      const fw = c.framework(parseSchedulerConfig("t.yaml", cfg), 0, seededRng(5));
      const fit = fw.plugins.find((p) => p.name === "NodeResourcesFit") as unknown as {
        filter(s: CycleState, r: PodRef, n: number): { code: number };
        preFilter(s: CycleState, r: PodRef): unknown;
      };
      const shapes = [
        makePod("a").req({ cpu: "300m", memory: "256Mi" }).get(),
        makePod("b").req({ cpu: "700m", memory: "128Mi" }).get(),
      ];
      const refs: PodRef[] = shapes.map((p) => {
        const g = c.groupFor(p);
        return { pod: 0, group: g, spec: c.cache.groups[g]! };
      });
      const rot = { next: 0 };
      let placed = 0;
      for (let i = 0; i < 120; i++) {
        const ref = refs[i % 2]!;
        ref.pod = i;
        const st = new CycleState();
        fit.preFilter(st, ref);
        let fits = 0;
        for (let node = 0; node < 12; node++) if (fit.filter(st, ref, node).code === 0) fits++;
        const r = fw.schedule(ref, rot, 100);
        expect([i, r.feasible]).toEqual([i, fits]);
        if (r.node >= 0) {
          expect(fit.filter(st, ref, r.node).code).toBe(0);
          c.cache.addPod(i, ref.group, r.node, i);
          placed++;
        }
        if (i % 7 === 6) for (let p = i - 6; p <= i; p += 3) if (c.cache.nodeOf(p) >= 0) c.cache.removePod(p);
      }
      expect(placed).toBeGreaterThan(20);
    }
  });
});
