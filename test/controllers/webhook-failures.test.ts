import { describe, expect, test } from "vitest";
import { Engine } from "../../src/core/engine.js";
import { Status } from "../../src/apiserver/request-table.js";
import { WorkQueue } from "../../src/controllers/work-queue.js";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { Simulation } from "../../src/sim/simulation.js";

describe("work queue rate limiter (client-go DefaultControllerRateLimiter)", () => {
  test("an item's requeue delay doubles from 5 ms per failure and forget resets it", () => {
    const engine = new Engine();
    const synced: number[] = [];
    const k = engine.register("sync", () => synced.push(engine.now));
    const q = new WorkQueue(engine, "t", 1, k);
    for (const expected of [5e6, 10e6, 20e6, 40e6]) {
      const t0 = engine.now;
      q.addRateLimited(7);
      engine.run();
      expect(synced.at(-1)! - t0).toBe(expected);
      q.done(7);
    }
    q.forget(7);
    const t0 = engine.now;
    q.addRateLimited(7);
    engine.run();
    expect(synced.at(-1)! - t0).toBe(5e6);
  });

  test("the overall bucket (10 qps, burst 100) paces requeues of many items", () => {
    const engine = new Engine();
    const k = engine.register("sync", () => {});
    const q = new WorkQueue(engine, "t", 1000, k);
    for (let i = 0; i < 300; i++) q.addRateLimited(i);
    engine.run();
    // 100 pass at once (after the 5 ms item delay); the remaining 200 need 200 / 10 qps = 20 s.
    expect(engine.now).toBeGreaterThanOrEqual(20e9);
    expect(engine.now).toBeLessThan(20.1e9);
  });
});

describe("replicaset controller under a failing admission webhook", () => {
  test("pod creates rejected by a Fail-policy webhook are retried with back-off until every replica exists, never more", () => {
    const sim = new Simulation(
      parseScenario(
        "webhook.yaml",
        `
name: webhook-failures
seed: 3
cluster:
  nodePools:
    - { name: n, count: 20, allocatable: { cpu: 16, memory: 64Gi } }
images:
  - { name: app:1, size: 10Mi }
controlPlane:
  apiserver:
    webhooks:
      - { name: policy, type: validating, latency: 2ms, failurePolicy: Fail, failureRate: 0.3, resources: [pods], operations: [CREATE] }
workload:
  - at: 0s
    deployments:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: 200
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers: [{ name: c, image: app:1, resources: { requests: { cpu: 100m } } }]
`,
      ),
    );
    sim.run();
    const r = sim.api.requests;
    let rejected = 0;
    let created = 0;
    for (let i = 0; i < r.size; i++) {
      if (r.resource[i] !== 2 || r.verb[i] !== 0) continue; // create pods
      if (r.status[i] === Status.internalError) rejected++;
      if (r.status[i] === Status.created) created++;
    }
    expect(rejected).toBeGreaterThan(30);
    expect(created).toBe(200);
    expect(sim.allRunning.atNs).toBeGreaterThan(0);
    expect(sim.store.replicaSets[0]!.observedPods).toBe(200);
  });
});
