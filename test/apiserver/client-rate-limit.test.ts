import { describe, expect, test } from "vitest";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { Simulation } from "../../src/sim/simulation.js";
import { shapedReleaseNs } from "../sync/greedy-shaper.js";

// Controllers with a tight client limit, so that their creates queue, idle and burst again
// (the ReplicaSet controller's slow-start batches).
const SCENARIO = `
name: client-rate-limit
seed: 5
cluster:
  nodePools:
    - { name: n, count: 20, allocatable: { cpu: 16, memory: 64Gi } }
images:
  - { name: app:1, size: 10Mi }
controlPlane:
  controllerManager: { qps: 10, burst: 15 }
workload:
  - at: 0s
    deployments:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: 300
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: c, image: app:1, resources: { requests: { cpu: 100m } } }]
`;

describe("client-side rate limits through the API client path", () => {
  test("every request of the controllers, the scheduler and kubectl leaves its client's token bucket at the shaper's closed form", () => {
    const sim = new Simulation(parseScenario("client-rate-limit.yaml", SCENARIO));
    sim.run();
    const r = sim.api.requests;
    const clients = sim.api.clients;
    const checked: string[] = [];
    for (let c = 0; c < clients.size; c++) {
      const name = clients.names[c]!;
      // Kubelets also spend tokens on status GETs that are not request rows; the other clients
      // send every call through ApiServer.submit.
      if (name.startsWith("system:node:")) continue;
      const arrivals: number[] = [];
      const released: number[] = [];
      for (let i = 0; i < r.size; i++) {
        if (r.client[i] !== c) continue;
        arrivals.push(r.submitNs[i]!);
        released.push(r.submitNs[i]! + r.limiterWaitNs[i]!);
      }
      if (arrivals.length === 0) continue;
      const limiter = clients.limiters[c]!;
      const expected = shapedReleaseNs(arrivals, limiter.qps, limiter.burst);
      let waited = 0;
      for (let i = 0; i < arrivals.length; i++) {
        // No earlier and no later than the closed form, within 2 ns (the bucket rounds waits up to a
        // nanosecond; times are floats of about 1e10).
        expect(Math.abs(released[i]! - expected[i]!), `${name} request ${i}`).toBeLessThanOrEqual(2);
        if (released[i]! > arrivals[i]!) waited++;
      }
      checked.push(`${name}:${arrivals.length}:${waited > 0 ? "waited" : "free"}`);
    }
    // The ReplicaSet controller's 300 creates (and 16 status updates, as pods turn Running) at 10 qps queue in its
    // bucket, so the check above is not vacuous; the scheduler's binds never wait.
    expect(checked).toContain("system:serviceaccount:kube-system:replicaset-controller:316:waited");
    expect(checked).toContain("system:kube-scheduler:300:free");
    expect(sim.allRunning.atNs).toBeGreaterThan(0);
  });
});
