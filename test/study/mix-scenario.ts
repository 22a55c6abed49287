import { deployment } from "../scenario/fixture.js";

// 20 pods of 1 CPU on two pools: small nodes of 2 CPU at 1 USD/h, big nodes of 8 CPU at 3 USD/h.
// The mixes that hold every pod (2a + 8b >= 20, a and b >= 1) and their price a + 3b:
//   (1,3) 10   (2,2) 8   (3,2) 9   (4,2) 10   (6,1) 9   (10,1) 13
// The cheapest is 2 small + 2 big at 8 USD/h.
/** web: 20 pods of 1 CPU. */
export const MIX_WEB = deployment("web", 20).replace("cpu: 100m", "cpu: 1");
/** The scenario (s.yaml) applying web.yaml on the two pools. */
export const MIX_SCENARIO = `name: mix
seed: 1
cluster:
  nodePools:
    - name: small
      count: 1
      allocatable: { cpu: 2, memory: 8Gi }
      costPerHour: 1
    - name: big
      count: 1
      allocatable: { cpu: 8, memory: 32Gi }
      costPerHour: 3
images:
  - { name: registry.k8s.io/pause:3.9, size: 300Ki }
workload:
  - at: 0s
    apply: web.yaml
stop: { when: allRunning, timeLimit: 10m }
`;
