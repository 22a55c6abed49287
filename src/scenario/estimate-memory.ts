import { NS_PER } from "../core/time.js";
import type { WorkloadStep } from "./sections/workload.js";
import type { Scenario } from "./types.js";

/** What a run's peak memory is estimated from, and the estimate. */
export interface MemoryEstimate {
  /** Pods the workload may create (see {@link podsCreatedBound}). */
  pods: number;
  /** Nodes at the end: the pools plus every addNodes step. */
  nodes: number;
  /** Pod templates the workload and the existing pods may have (see {@link podTemplatesBound}). */
  podTemplates: number;
  /** Simulated time the estimate assumes: stop.timeLimit (a run that stops earlier uses less). */
  simulatedNs: number;
  /**
   * nodes.arrow rows: one per node, then one per node and sample where something changed, so at
   * most nodes x (simulated time / kubelet.sampleInterval + 1), and about a few per pod.
   */
  nodeSampleRows: number;
  /** timeseries.arrow rows: simulated time / 1 s + 1. */
  timeSeriesRows: number;
  /** Estimated peak resident memory in bytes. */
  bytes: number;
  /** The term of the estimate that is largest, to name in a refusal. */
  largest: "pods" | "nodes" | "podTemplates" | "nodeSampleRows" | "background";
}

// Per-row costs of the estimate, fitted to the peak RSS ("Maximum resident set size" of
// `/usr/bin/time -v node bin/simctl.js run X.yaml --max-memory 20Gi`, Node 20, 2026-12-04) of
// runs of one or more Deployments of pause pods, stop.when: timeLimit (background load on, in
// aggregate mode; change-only node rows):
//   20,000 nodes, 101 pods, 1 h ......................... measured 233 MB, estimate 250 MB
//   20,000 nodes, 101 pods, 4 h ......................... measured 282 MB, estimate 304 MB
//   4,000 nodes, 101 pods, 4 h .......................... measured 234 MB, estimate 233 MB
//   2,000 nodes, 50,000 pods (1,000 Deployments), 1 h ... measured 309 MB, estimate 343 MB
//   20,000 nodes, 2,000 pods (2,000 Deployments), 1 h ... measured 445 MB
//   50,000 nodes, 1,000,000 pods (1,000 Deployments), all Running at 2.7 h of a 4 h limit
//     (bench/scenarios/1m-pods-50k-nodes.yaml) ......... measured 2.78 GB
// and, as checks: 2,000 nodes and 10,001 pods for 2 h, measured 209 MB, estimate 242 MB;
// bench/scenarios/2m-pods-100k-nodes.yaml (100,000 nodes, 2,000 Deployments) all Running at
// 10.8 h of a 12 h limit, measured 6.51 GB, and the same stopped at 2 h (370,000 of its
// 2,000,000 pods Running), measured 2.70 GB, estimate 5.69 GB (pods created is an upper bound).
// Measured again after the pod templates' counts became 16-bit and the logs append-only (same
// command, 2-vCPU AMD EPYC): the 2,000-Deployment 20,000-node run 470 MB, estimate 335 MB (its
// template term halved, its peak did not: V8 collects later with less external memory), the
// 1M-pod run 2.56 GB, estimate 2.94 GB, the 2M-pod run 5.58 and 5.74 GB (two runs), estimate
// 6.53 GB; and with 32-bit watch delivery latencies, the 2M-pod run 5.59 GB.
/** Bytes of Node, the modules, the worker's heap and the run's fixed structures. */
const BASE_BYTES = 200 * 2 ** 20;
/** Bytes per pod: PodTable columns, API requests and objects, watch events, etcd batches and scheduler rows of its lifecycle, pods.arrow. */
const BYTES_PER_POD = 2000;
/** Bytes per node: NodeTable, kubelet state, image cache, IPAM. */
const BYTES_PER_NODE = 1000;
/**
 * Bytes per pod template and node: the scheduler cache's count of the template's pods on each
 * node (a Uint16Array per template that has pods, SchedulerCache.groupCounts), which spreading
 * and inter-pod affinity read.
 */
const BYTES_PER_TEMPLATE_NODE = 2;
/** Bytes per nodes.arrow row: 63 bytes of columns, grown by doubling, then converted for Arrow. */
const BYTES_PER_NODE_SAMPLE = 100;
/** nodes.arrow rows a pod adds at most, about: its node's admission, pulls, Running, end (measured 1.2). */
const NODE_ROWS_PER_POD = 4;
/**
 * Bytes the background load (controlPlane.background) keeps per node and simulated second:
 * its aggregate api.arrow and etcd.arrow rows and the etcd batches they join, fitted to the
 * 20,000-node runs above (1 h and 4 h: 0.23). perRequest mode writes a row per request, about
 * 0.2 per node-second (Lease renewals and status GETs), each an api.arrow and an etcd.arrow row
 * of about 200 bytes: 40 (assumed, not measured).
 */
const BACKGROUND_BYTES_PER_NODE_SECOND = { aggregate: 0.23, perRequest: 40 } as const;
/** Bytes per timeseries.arrow row: about 25 float64 gauges, grown by doubling. */
const BYTES_PER_TIME_SERIES_ROW = 400;
/** timeseries.arrow's sample period (src/sim/simulation.ts TIME_SERIES_PERIOD_NS). */
const TIME_SERIES_PERIOD_NS = NS_PER.s;

/**
 * An upper bound on the pods a workload creates: every Deployment's replicas, each scale-up,
 * a full new ReplicaSet per image update, and on a drain or node failure every pod again
 * (evicted pods are replaced).
 */
export function podsCreatedBound(steps: readonly WorkloadStep[]): number {
  const replicas = new Map<string, number>();
  let current = 0;
  let created = 0;
  for (const s of steps) {
    const a = s.action;
    if (a.kind === "create") {
      for (const d of a.deployments) {
        replicas.set(d.name, d.replicas);
        created += d.replicas;
        current += d.replicas;
      }
    } else if (a.kind === "update") {
      const before = replicas.get(a.deployment) ?? 0;
      const after = a.replicas ?? before;
      replicas.set(a.deployment, after);
      current += after - before;
      created += a.image !== undefined ? after : Math.max(0, after - before);
    } else if (a.kind === "drain" || a.kind === "failNodes") created += current;
  }
  return created;
}

/**
 * An upper bound on the pod templates a workload creates: one per workload object, and one
 * more per image update (a new ReplicaSet's template).
 */
export function podTemplatesBound(steps: readonly WorkloadStep[]): number {
  let templates = 0;
  for (const s of steps) {
    const a = s.action;
    if (a.kind === "create") templates += a.deployments.length;
    else if (a.kind === "update" && a.image !== undefined) templates++;
  }
  return templates;
}

/** An upper bound on the pods DaemonSets create on `nodes` nodes: one per node each, again at each of their updates. */
export function daemonPodsBound(steps: readonly WorkloadStep[], nodes: number): number {
  const daemonSets = new Set<string>();
  let created = 0;
  for (const s of steps) {
    const a = s.action;
    if (a.kind === "create") {
      for (const d of a.deployments) {
        if (d.kind !== "DaemonSet") continue;
        daemonSets.add(d.name);
        created += nodes;
      }
    } else if (a.kind === "update" && daemonSets.has(a.deployment)) created += nodes;
  }
  return created;
}

/**
 * Estimates the peak resident memory of running `s` to its time limit. It is an estimate for
 * refusing runs that cannot fit (`--max-memory`) and for sizing the V8 heap, not a promise:
 * within a factor of two for the fitted runs.
 */
export function estimateMemory(s: Scenario): MemoryEstimate {
  let nodes = 0;
  // An autoscaled pool's rows go up to maxNodes (build-cluster.ts poolRows).
  for (const p of s.nodePools) nodes += Math.max(p.count, p.autoscaling?.maxNodes ?? 0);
  for (const st of s.workload) {
    if (st.action.kind === "addNodes") nodes += st.action.count;
    else if (st.action.kind === "upgradePool") nodes += st.action.nodes;
  }
  const pods = podsCreatedBound(s.workload) + daemonPodsBound(s.workload, nodes) + (s.existingPods?.length ?? 0);
  // Existing pods: one template per owner (pods of one owner that differ in spec have more).
  const owners = new Set((s.existingPods ?? []).map((p) => `${p.ownerKind}/${p.namespace}/${p.ownerName}`));
  const podTemplates = podTemplatesBound(s.workload) + owners.size;
  const simulatedNs = s.stop.timeLimitNs;
  const nodeSampleRows = Math.min(
    nodes * (Math.floor(simulatedNs / s.kubelet.sampleInterval) + 1),
    nodes + NODE_ROWS_PER_POD * pods,
  );
  const timeSeriesRows = Math.floor(simulatedNs / TIME_SERIES_PERIOD_NS) + 1;
  const bg = s.background;
  const backgroundOn = bg.nodeLeases.enabled || bg.nodeStatus.enabled;
  const terms = {
    pods: pods * BYTES_PER_POD,
    nodes: nodes * BYTES_PER_NODE,
    podTemplates: podTemplates * nodes * BYTES_PER_TEMPLATE_NODE,
    nodeSampleRows: nodeSampleRows * BYTES_PER_NODE_SAMPLE,
    background: backgroundOn ? nodes * (simulatedNs / NS_PER.s) * BACKGROUND_BYTES_PER_NODE_SECOND[bg.mode] : 0,
  };
  const bytes =
    BASE_BYTES +
    terms.pods +
    terms.nodes +
    terms.podTemplates +
    terms.nodeSampleRows +
    terms.background +
    timeSeriesRows * BYTES_PER_TIME_SERIES_ROW;
  let largest: MemoryEstimate["largest"] = "pods";
  if (terms.nodes > terms[largest]) largest = "nodes";
  if (terms.podTemplates > terms[largest]) largest = "podTemplates";
  if (terms.nodeSampleRows > terms[largest]) largest = "nodeSampleRows";
  if (terms.background > terms[largest]) largest = "background";
  return { pods, nodes, podTemplates, simulatedNs, nodeSampleRows, timeSeriesRows, bytes, largest };
}

/** Bytes as `1.5 GiB` / `300 MiB`, for messages. */
export function formatBytes(b: number): string {
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(1)} GiB`;
  return `${Math.round(b / 2 ** 20)} MiB`;
}
