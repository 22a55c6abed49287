import type { Table } from "apache-arrow";
import type { Scenario } from "../../src/scenario/types.js";
import { smallScenario } from "../sim/node-scenario.js";

/** Options of a small inline scenario with one fixed pool and autoscaled pools. */
export interface CaScenario {
  name: string;
  /** Node pools, YAML list items indented 4 spaces. */
  pools: string;
  /** Lines of the clusterAutoscaler: section, indented 2 spaces. */
  autoscaler?: string;
  /** Lines of the karpenter: section, indented 2 spaces. */
  karpenter?: string;
  replicas: number;
  /** web's pod template annotations, as a YAML flow mapping. */
  annotations?: string;
  cpu?: string;
  memory?: string;
  /** Extra workload steps (YAML list items, indented 2 spaces). */
  steps?: string;
  stopWhen?: "allRunning" | "timeLimit";
  /** Every latency of the control plane and the kubelets constant (no random draws to shift). */
  constant?: boolean;
  timeLimit?: string;
}

/** A scenario of one Deployment `web` (pods of `cpu` / `memory`) on the given pools (test/sim's small scenario). */
export function caScenario(o: CaScenario): Scenario {
  const sections = [
    o.autoscaler === undefined ? "" : `clusterAutoscaler:\n${o.autoscaler}`,
    o.karpenter === undefined ? "" : `karpenter:\n${o.karpenter}`,
    o.constant === true ? CONSTANT_LATENCIES : "",
  ].join("\n");
  return smallScenario({
    name: o.name,
    dir: "test/autoscaler",
    pools: o.pools,
    image: "registry.k8s.io/pause:3.9",
    images: "",
    sections,
    replicas: o.replicas,
    cpu: o.cpu ?? "1",
    memory: o.memory ?? "1Gi",
    ...(o.annotations === undefined ? {} : { annotations: o.annotations }),
    ...(o.steps === undefined ? {} : { steps: o.steps }),
    stopWhen: o.stopWhen ?? "allRunning",
    timeLimit: o.timeLimit ?? "1h",
  });
}

/** Constant latencies for every distribution of the control plane and the kubelets. */
export const CONSTANT_LATENCIES = `controlPlane:
  apiserver: { authentication: 200us, authorization: 200us, validation: 300us, network: 500us }
  etcd: { peerRtt: 500us, walFsync: 2ms, backendCommit: 1ms }
  watch: { cacheLag: 1ms, delivery: 2ms }
  scheduler: { cycleCost: 1ms, perNodeCost: 10us }
  controllerManager: { syncCost: 500us }
kubelet:
  sandbox: 1s
  containerStart: 500ms
  containerStop: 500ms
  appStartup: 0s
  probeLatency: 1ms
  statusGet: 2ms
`;

/** The fewest pods of `deployment` Running at any instant after `afterNs` (pods.arrow: running_ns to deletion_ns). */
export function minRunning(pods: Table, deployment: string, afterNs: number): number {
  const col = (n: string) => Array.from({ length: pods.numRows }, (_, i) => pods.getChild(n)!.get(i) as unknown);
  const dep = col("deployment");
  const running = col("running_ns");
  const deletion = col("deletion_ns");
  const events: [number, number][] = [];
  for (let i = 0; i < pods.numRows; i++) {
    if (running[i] === null || dep[i] !== deployment) continue;
    events.push([Number(running[i]), 1]);
    if (deletion[i] !== null) events.push([Number(deletion[i]), -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let k = 0; k < events.length; k++) {
    now += events[k]![1];
    const at = events[k]![0];
    if (k + 1 < events.length && events[k + 1]![0] === at) continue;
    if (at > afterNs) min = Math.min(min, now);
  }
  return min;
}

/** 18 more one-CPU pods (Deployment `load`) that no budget covers, created at 0s. */
const LOAD = `  - at: 0s
    deployments:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: load }
        spec:
          replicas: 18
          selector: { matchLabels: { app: load } }
          template:
            metadata: { labels: { app: load } }
            spec:
              containers:
                - { name: c, image: registry.k8s.io/pause:3.9, resources: { requests: { cpu: "1", memory: 1Gi } } }`;

/** Steps: web's PodDisruptionBudget (minAvailable 4) and {@link LOAD} at 0s; load scaled to 0 at 3m. */
export const PDB_AND_LOAD = [
  "  - at: 0s\n    apply: pdb/web-pdb.yaml",
  LOAD,
  "  - at: 3m\n    update: { deployment: load, replicas: 0 }",
].join("\n");
