import { parseScenario } from "../../src/scenario/load-scenario.js";
import type { Scenario } from "../../src/scenario/types.js";

/** Options of a small inline scenario with one fixed pool and autoscaled pools. */
export interface CaScenario {
  name: string;
  /** Node pools, YAML list items indented 4 spaces. */
  pools: string;
  /** Lines of the clusterAutoscaler: section, indented 2 spaces. */
  autoscaler?: string;
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

/** A scenario of one Deployment `web` (pods of `cpu` / `memory`) on the given pools. */
export function caScenario(o: CaScenario): Scenario {
  return parseScenario(
    `test/autoscaler/${o.name}.yaml`,
    `name: ${o.name}
seed: 1
cluster:
  nodePools:
${o.pools}
${o.autoscaler === undefined ? "" : `clusterAutoscaler:\n${o.autoscaler}`}
images:
  - { name: registry.k8s.io/pause:3.9, size: 268Ki }
${o.constant === true ? CONSTANT_LATENCIES : ""}
workload:
  - at: 0s
    deployments:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: ${o.replicas}
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web }${o.annotations === undefined ? "" : `, annotations: ${o.annotations}`} }
            spec:
              containers:
                - name: c
                  image: registry.k8s.io/pause:3.9
                  resources: { requests: { cpu: ${o.cpu ?? "1"}, memory: ${o.memory ?? "1Gi"} } }
${o.steps ?? ""}
stop:
  when: ${o.stopWhen ?? "allRunning"}
  timeLimit: ${o.timeLimit ?? "1h"}
`,
  );
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
