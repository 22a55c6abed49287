import { describe, expect, test } from "vitest";
import { Engine } from "../../src/core/engine.js";
import { Resource, Status, Verb } from "../../src/apiserver/request-table.js";
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

/** A 10-replica Deployment behind one validating webhook on pod CREATE that always fails. */
function runBehindFailingWebhook(failurePolicy: "Fail" | "Ignore", failure: "timeout" | "error"): Simulation {
  // A timeout: the webhook answers in 2 s, past its 1 s timeout. An error: it answers in 5 ms
  // with a failure (failureRate 1).
  const call = failure === "timeout" ? "latency: 2s, timeout: 1s, failureRate: 0" : "latency: 5ms, failureRate: 1";
  const sim = new Simulation(
    parseScenario(
      "webhook.yaml",
      `
name: webhook-${failurePolicy}-${failure}
seed: 4
cluster:
  nodePools:
    - { name: n, count: 4, allocatable: { cpu: 16, memory: 64Gi } }
images:
  - { name: app:1, size: 10Mi }
controlPlane:
  apiserver:
    webhooks:
      - { name: policy, type: validating, ${call}, failurePolicy: ${failurePolicy}, resources: [pods], operations: [CREATE] }
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
              containers: [{ name: c, image: app:1, resources: { requests: { cpu: 100m } } }]
stop: { timeLimit: 60s }
`,
    ),
  );
  sim.run();
  return sim;
}

/** Pod CREATE requests of a run: how many got 201 and 500, and the least server time of a 201. */
function podCreates(sim: Simulation): { created: number; rejected: number; minServedNs: number } {
  const r = sim.api.requests;
  let created = 0;
  let rejected = 0;
  let minServedNs = Infinity;
  for (let i = 0; i < r.size; i++) {
    if (r.resource[i] !== Resource.pods || r.verb[i] !== Verb.create) continue;
    if (r.status[i] === Status.internalError) rejected++;
    if (r.status[i] === Status.created) {
      created++;
      minServedNs = Math.min(minServedNs, r.doneNs[i]! - r.submitNs[i]! - r.limiterWaitNs[i]!);
    }
  }
  return { created, rejected, minServedNs };
}

describe("admission webhook failurePolicy (Fail rejects, Ignore admits)", () => {
  for (const failure of ["timeout", "error"] as const) {
    test(`a webhook ${failure}: Ignore admits every pod create, after the call's cost`, () => {
      const sim = runBehindFailingWebhook("Ignore", failure);
      const creates = podCreates(sim);
      expect(creates).toMatchObject({ created: 10, rejected: 0 });
      expect(sim.api.webhookRejections).toBe(0);
      expect(sim.allRunning.atNs).toBeGreaterThan(0);
      // model: a timed-out call costs its timeout (1 s), not the webhook's 2 s answer; a failed
      // call costs its latency. Each admitted create carries that time.
      if (failure === "timeout") {
        expect(creates.minServedNs).toBeGreaterThanOrEqual(1e9);
        expect(creates.minServedNs).toBeLessThan(2e9);
      } else {
        expect(creates.minServedNs).toBeGreaterThanOrEqual(5e6);
      }
    });

    test(`a webhook ${failure}: Fail rejects every pod create with a 500, and no pod runs`, () => {
      const sim = runBehindFailingWebhook("Fail", failure);
      const creates = podCreates(sim);
      expect(creates.created).toBe(0);
      expect(creates.rejected).toBeGreaterThanOrEqual(10);
      expect(sim.api.webhookRejections).toBe(creates.rejected);
      expect(sim.allRunning.atNs).toBeNaN();
      expect(sim.store.replicaSets[0]!.observedPods).toBe(0);
    });
  }
});
