import { Bench } from "tinybench";
import { parseSchedulerConfig, type SchedulerConfig } from "../src/scheduler/config.js";
import type { Framework } from "../src/scheduler/framework.js";
import type { PodRef } from "../src/scheduler/plugin.js";
import { StandaloneCluster, type NodeInput, type PodInput } from "../src/scheduler/standalone.js";

/** Nodes of the filter+score pass cases and of the throughput case. */
export const BENCH_NODES = 5000;
/** Pods scheduled per iteration of the throughput case. */
export const BENCH_PODS = 10_000;

/** A profile with only NodeResourcesFit (filter + LeastAllocated score) around PrioritySort and DefaultBinder. */
const RESOURCES_ONLY = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 100
profiles:
  - schedulerName: default-scheduler
    plugins:
      multiPoint:
        enabled: [{ name: PrioritySort }, { name: NodeResourcesFit, weight: 1 }, { name: DefaultBinder }]
        disabled: [{ name: "*" }]
`;
const FULL_DEFAULT = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 100
`;

/** 5,000 nodes in 3 zones, 8 cpu / 32 GiB / 110 pods, a third tainted dedicated=batch:NoSchedule. */
export function benchNodes(n = BENCH_NODES): NodeInput[] {
  const zones = ["zone-a", "zone-b", "zone-c"];
  return Array.from({ length: n }, (_, i) => ({
    name: `node-${i}`,
    allocatable: { cpu: 8, memory: "32Gi", pods: 110 },
    labels: {
      "kubernetes.io/hostname": `node-${i}`,
      "topology.kubernetes.io/zone": zones[i % 3]!,
      "node.kubernetes.io/instance-type": i % 2 === 0 ? "m5.2xlarge" : "c5.2xlarge",
    },
    taints: i % 3 === 0 ? [{ key: "dedicated", value: "batch", effect: "NoSchedule" as const }] : [],
    images: [{ names: ["registry.k8s.io/pause:3.9"], sizeBytes: 300_000 }],
  }));
}

/** The measured pod: requests, a toleration, a required node affinity and a zone spread constraint. */
export const BENCH_POD: PodInput = {
  name: "bench",
  labels: { app: "bench" },
  containers: [{ image: "registry.k8s.io/pause:3.9", requests: { cpu: "100m", memory: "128Mi" } }],
  tolerations: [{ key: "dedicated", operator: "Equal", value: "batch", effect: "NoSchedule" }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.2xlarge", "c5.2xlarge"] },
            ],
          },
        ],
      },
    },
  },
  topologySpreadConstraints: [
    {
      maxSkew: 5,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: { matchLabels: { app: "bench" } },
    },
  ],
};

/** A cluster with 2 pods already on every node (one of the bench app), and a framework for `config`. */
export function benchCluster(
  config: string,
  nodes = BENCH_NODES,
): { cluster: StandaloneCluster; fw: Framework; pod: PodRef; config: SchedulerConfig } {
  const cluster = new StandaloneCluster(benchNodes(nodes));
  const cfg = parseSchedulerConfig("bench.yaml", config);
  const fw = cluster.framework(cfg);
  const other: PodInput = {
    name: "other",
    labels: { app: "other" },
    containers: [{ requests: { cpu: "500m", memory: "1Gi" } }],
  };
  for (let i = 0; i < nodes; i++) {
    cluster.addExistingPod(other, `node-${i}`);
    cluster.addExistingPod(BENCH_POD, `node-${i}`);
  }
  const g = cluster.groupFor(BENCH_POD);
  return { cluster, fw, pod: { pod: -1, group: g, spec: cluster.cache.groups[g]! }, config: cfg };
}

/**
 * Filter + score pass of {@link BENCH_POD} over all 5,000 nodes (percentageOfNodesToScore 100),
 * resources-only profile and full default profile; report mean / 5,000 as ns per node.
 *
 * The cluster does not change between passes, so the per-node score memos (NodeScoreMemo) hit on
 * every node, as they do on most nodes of a real cycle (only nodes that received or lost a pod
 * since they were last scored miss). The "every node changed" cases invalidate every node before
 * each pass (outside the timed window) and measure the pass with no memo hit.
 */
export function schedulerBench(): Bench {
  const bench = new Bench({ name: "scheduler filter+score pass", time: 1500, warmup: true });
  for (const [name, cfg] of [
    ["resources-only profile (NodeResourcesFit)", RESOURCES_ONLY],
    ["full default profile", FULL_DEFAULT],
  ] as const) {
    const { fw, pod, config } = benchCluster(cfg);
    const rotation = { next: 0 };
    bench.add(`scheduler pass over ${BENCH_NODES} nodes, ${name}`, () => {
      const r = fw.schedule(pod, rotation, config.percentageOfNodesToScore);
      if (r.node < 0) throw new Error("bench pod did not fit");
    });
  }
  for (const [name, cfg] of [
    ["resources-only profile (NodeResourcesFit)", RESOURCES_ONLY],
    ["full default profile", FULL_DEFAULT],
  ] as const) {
    const { cluster, fw, pod, config } = benchCluster(cfg);
    const rotation = { next: 0 };
    bench.add(
      `scheduler pass over ${BENCH_NODES} nodes, ${name}, every node changed`,
      () => {
        const r = fw.schedule(pod, rotation, config.percentageOfNodesToScore);
        if (r.node < 0) throw new Error("bench pod did not fit");
      },
      {
        // Re-reading every node's hot line bumps its version: no memoized score stays valid.
        beforeEach: () => {
          for (let i = 0; i < BENCH_NODES; i++) cluster.cache.refreshHot(i);
        },
      },
    );
  }
  return bench;
}

/**
 * SchedulingBasic-like throughput: 10,000 pods (requests only, adaptive percentageOfNodesToScore)
 * scheduled and assumed one after another onto 5,000 empty nodes with the default profile; report
 * BENCH_PODS / mean as pods/s of wall time. Two warm-up iterations run first (each on a fresh
 * cluster, as the timed ones), so that the figure is the steady state of a long run rather than
 * the first seconds of a process, whose code is not yet optimized.
 */
export function schedulerThroughputBench(): Bench {
  const bench = new Bench({
    name: "scheduler throughput",
    time: 3000,
    iterations: 3,
    warmup: true,
    warmupIterations: 2,
    warmupTime: 0,
  });
  let cluster: StandaloneCluster;
  let fw: Framework;
  let ref: PodRef;
  bench.add(
    `schedule ${BENCH_PODS} pods on ${BENCH_NODES} nodes, default profile (SchedulingBasic-like)`,
    () => {
      const rotation = { next: 0 };
      for (let i = 0; i < BENCH_PODS; i++) {
        ref.pod = i;
        const r = fw.schedule(ref, rotation, 0);
        cluster.cache.addPod(i, ref.group, r.node, 0);
      }
    },
    {
      // A fresh, empty cluster for every iteration, built outside the timed window.
      beforeEach: () => {
        cluster = new StandaloneCluster(benchNodes().map((n) => ({ ...n, taints: [] })));
        fw = cluster.framework(
          parseSchedulerConfig(
            "bench.yaml",
            "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n",
          ),
        );
        const g = cluster.groupFor({
          name: "basic",
          containers: [{ image: "registry.k8s.io/pause:3.9", requests: { cpu: "100m", memory: "128Mi" } }],
        });
        ref = { pod: 0, group: g, spec: cluster.cache.groups[g]! };
      },
    },
  );
  return bench;
}
