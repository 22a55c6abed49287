import { expect, test } from "vitest";
import { PodStage } from "../../src/cluster/pod-table.js";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { Simulation } from "../../src/sim/simulation.js";

test("pods that fit nowhere wait as unschedulable, then land on nodes an addNodes step brings", () => {
  const sim = new Simulation(
    parseScenario(
      "add-nodes.yaml",
      `
name: add-nodes
seed: 5
cluster:
  nodePools:
    - { name: small, count: 2, allocatable: { cpu: 1, memory: 4Gi } }
images:
  - { name: app:1, size: 10Mi }
workload:
  - at: 0s
    deployments:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: 10
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: c, image: app:1, resources: { requests: { cpu: 500m } } }]
  - at: 2m
    addNodes: { pool: small, count: 3 }
`,
    ),
  );
  expect(sim.nodes.size).toBe(5);
  sim.run();
  expect(sim.allRunning.atNs).toBeGreaterThan(120e9);
  const perNode = new Map<string, number>();
  let late = 0;
  for (let p = 0; p < sim.pods.size; p++) {
    const name = sim.nodes.names[sim.pods.node[p]!]!;
    perNode.set(name, (perNode.get(name) ?? 0) + 1);
    if (sim.pods.time(p, PodStage.scheduled) > 120e9) late++;
  }
  // Two 1-cpu nodes hold 4 pods of 500m; the other 6 wait for the 3 new nodes.
  expect(late).toBe(6);
  expect([...perNode.values()].every((n) => n === 2)).toBe(true);
  expect(perNode.size).toBe(5);
});
