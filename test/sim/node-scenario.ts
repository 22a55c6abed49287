import { parseScenario } from "../../src/scenario/load-scenario.js";
import type { Scenario } from "../../src/scenario/types.js";

/** Options of a small inline scenario for node-side tests. */
export interface SmallScenario {
  name?: string;
  seed?: number;
  nodes?: number;
  /** Extra lines under the node pool (indented 6 spaces), e.g. `podCIDRPrefix: 28`. */
  pool?: string;
  /** The `images:` list entries (YAML, indented 2 spaces). */
  images?: string;
  /** Lines of the `kubelet:` section (indented 2 spaces). */
  kubelet?: string;
  /** Lines of the `registry:` section (indented 2 spaces). */
  registry?: string;
  replicas: number;
  image?: string;
  /** Extra lines of the pod spec (indented 14 spaces), e.g. init containers. */
  podSpec?: string;
  /** Extra lines of the container (indented 18 spaces), e.g. a readinessProbe. */
  container?: string;
  cpu?: string;
  /** Extra workload steps (YAML list items, indented 2 spaces). */
  steps?: string;
  timeLimit?: string;
  /** Each node's allocatable CPU in cores (default 16). */
  nodeCpu?: number;
  /** Stop condition (default allRunning). */
  stopWhen?: "allRunning" | "timeLimit";
  /** Node pools (YAML list items, indented 4 spaces) instead of the pool `n` of `nodes` nodes. */
  pools?: string;
  /** The pods' memory request (default 64Mi). */
  memory?: string;
  /** web's pod template annotations, as a YAML flow mapping. */
  annotations?: string;
  /** More top-level sections (YAML, e.g. `controlPlane:` or `clusterAutoscaler:`). */
  sections?: string;
  /** The directory the scenario is read as being in (its relative paths start there; default test/sim). */
  dir?: string;
}

/** Builds and parses a small scenario; everything not given takes the defaults. */
export function smallScenario(o: SmallScenario): Scenario {
  const image = o.image ?? "registry.example/app:1";
  const text = `name: ${o.name ?? "small"}
seed: ${o.seed ?? 1}
cluster:
  nodePools:
${
  o.pools ??
  `    - name: n
      count: ${o.nodes ?? 1}
      allocatable: { cpu: ${o.nodeCpu ?? 16}, memory: 64Gi, pods: 110 }
      labels: { topology.kubernetes.io/zone: [zone-a, zone-b, zone-c] }`
}
${o.pool ?? ""}
images:
  - { name: registry.k8s.io/pause:3.9, size: 268Ki }
${o.images ?? `  - { name: ${image}, size: 100Mi }`}
${o.kubelet === undefined ? "" : `kubelet:\n${o.kubelet}`}
${o.registry === undefined ? "" : `registry:\n${o.registry}`}
${o.sections ?? ""}
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
${o.podSpec ?? ""}
              containers:
                - name: app
                  image: ${image}
                  resources: { requests: { cpu: ${o.cpu ?? "100m"}, memory: ${o.memory ?? "64Mi"} } }
${o.container ?? ""}
${o.steps ?? ""}
stop: { when: ${o.stopWhen ?? "allRunning"}, timeLimit: ${o.timeLimit ?? "1h"} }
`;
  return parseScenario(`${o.dir ?? "test/sim"}/${o.name ?? "small"}.yaml`, text);
}
