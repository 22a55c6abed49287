import { describe, expect, test } from "vitest";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { Simulation } from "../../src/sim/simulation.js";

/**
 * A small cluster where the informer lags far behind the creates (watch lag up to seconds),
 * so many syncs run while created pods are not yet observed: only the expectations stop the
 * controller from creating them again.
 */
function scenario(seed: number, lagP50: string, lagP99: string, burstReplicas: number): string {
  return `
name: rs-property
seed: ${seed}
cluster:
  nodePools:
    - { name: n, count: 40, allocatable: { cpu: 16, memory: 64Gi, pods: 110 } }
images:
  - { name: app:1, size: 10Mi }
controlPlane:
  watch:
    cacheLag: { dist: lognormal, p50: ${lagP50}, p99: ${lagP99} }
  controllerManager: { qps: 200, burst: 300, burstReplicas: ${burstReplicas}, concurrentReplicaSetSyncs: 3 }
workload:
  - at: 0s
    copies: 3
    deployments:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: 250
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: c, image: app:1, resources: { requests: { cpu: 100m, memory: 100Mi } } }]
`;
}

describe("replicaset controller", () => {
  test("never creates more pods than desired, under any seed (expectations hold back re-creation)", () => {
    let syncsWhileUnobserved = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const lag = seed % 2 === 0 ? ["50ms", "3s"] : ["500ms", "8s"];
      const sim = new Simulation(
        parseScenario("rs-property.yaml", scenario(seed, lag[0]!, lag[1]!, 1 + (seed % 7) * 40)),
      );
      sim.run();
      expect(sim.replicaSetController.creates).toBe(750);
      expect(sim.pods.size).toBe(750);
      for (const rs of sim.store.replicaSets) expect(rs.observedPods).toBe(rs.replicas);
      expect(sim.store.runningPods).toBe(750);
      syncsWhileUnobserved += sim.replicaSetController.syncsAwaitingExpectations;
    }
    // The property is only meaningful if syncs did run with creations still unobserved.
    expect(syncsWhileUnobserved).toBeGreaterThan(100);
  }, 120_000);
});
