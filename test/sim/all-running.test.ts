import { describe, expect, it } from "vitest";
import type { DeploymentState } from "../../src/cluster/workloads.js";
import { Engine } from "../../src/core/engine.js";
import type { DeploymentSpec } from "../../src/scenario/manifests.js";
import { AllRunningCondition } from "../../src/sim/all-running.js";

function deployment(template: number, replicas: number): DeploymentState {
  return {
    idx: 0,
    spec: {} as DeploymentSpec,
    template,
    replicas,
    replicaSets: [],
    exists: true,
    statusAvailable: 0,
  };
}

describe("AllRunningCondition", () => {
  it("is judged only once every registered source has settled, then holds when the rollout is done", () => {
    const engine = new Engine();
    const deps = [deployment(1, 2)];
    const c = new AllRunningCondition(engine, 2, true, deps);
    const work = { pending: 1 };
    c.awaitSettled(work);
    c.track(0);
    c.track(1);
    // Two old-template pods Running: the count matches, the template does not.
    c.count(0, 1, 1);
    c.count(0, 1, 1);
    c.settled(); // work still pending: not armed
    c.check();
    expect(c.atNs).toBeNaN();
    work.pending = 0;
    c.settled(); // armed and judged: old template, not done
    expect(c.atNs).toBeNaN();
    // The rollout: two new pods Running, the old ones deleted.
    c.count(1, 1, 1);
    c.count(1, 1, 1);
    c.check(); // 4 live: not yet
    expect(c.atNs).toBeNaN();
    c.count(0, -1, -1);
    c.count(0, -1, -1);
    c.check();
    expect(c.atNs).toBe(0);
    // Once held, later changes do not move it.
    c.count(1, -1, -1);
    c.check();
    expect(c.atNs).toBe(0);
  });

  it("a live pod not yet Running, or a disabled condition, never holds", () => {
    const engine = new Engine();
    const c = new AllRunningCondition(engine, 1, true, [deployment(0, 1)]);
    c.track(0);
    c.count(0, 1, 0);
    c.settled();
    expect(c.atNs).toBeNaN();
    const off = new AllRunningCondition(engine, 1, false, [deployment(0, 1)]);
    off.track(0);
    off.count(0, 1, 1);
    off.settled();
    off.check();
    expect(off.atNs).toBeNaN();
  });

  it("waits for every expected Job to finish, and does not count a Job's pods as the Deployments'", () => {
    const engine = new Engine();
    const job = { ...deployment(1, 0), spec: { kind: "Job" } as DeploymentSpec, ownerKind: "Job" };
    const c = new AllRunningCondition(engine, 1, true, [deployment(0, 1), job]);
    c.expectJobs(1);
    c.track(0);
    c.track(1);
    c.count(0, 1, 1);
    c.settled();
    expect(c.atNs).toBeNaN(); // the Job has not finished
    c.count(1, 1, 1); // its pod runs
    c.jobFinished();
    c.check();
    expect(c.atNs).toBeNaN(); // its pod is still live
    c.count(1, -1, -1); // it Succeeded
    c.check();
    expect(c.atNs).toBe(0);
  });
});
