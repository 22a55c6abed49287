import { parseScenario } from "../../src/scenario/load-scenario.js";
import type { Scenario } from "../../src/scenario/types.js";

/**
 * A cluster of `nodes` nodes running `pods` pods for `seconds` of simulated time (stop on the
 * time limit, so every variant simulates the same span), with `controlPlane` lines added
 * (indented two spaces under controlPlane:).
 */
export function clusterScenario(opts: {
  nodes: number;
  pods: number;
  seconds: number;
  controlPlane?: string;
  seed?: number;
}): Scenario {
  const text = `
name: background
seed: ${opts.seed ?? 3}
cluster:
  nodePools:
    - name: n
      count: ${opts.nodes}
      allocatable: { cpu: 8, memory: 32Gi, pods: 110 }
      labels: { topology.kubernetes.io/zone: [a, b, c] }
      images: [registry.k8s.io/pause:3.9]
images:
  - { name: registry.k8s.io/pause:3.9, size: 268Ki }
controlPlane:
${opts.controlPlane ?? "  {}"}
workload:
  - at: 0s
    deployments:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: ${opts.pods}
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers:
                - name: app
                  image: registry.k8s.io/pause:3.9
                  resources: { requests: { cpu: 10m, memory: 16Mi } }
stop: { when: timeLimit, timeLimit: ${opts.seconds}s }
`;
  return parseScenario("background.yaml", text);
}
