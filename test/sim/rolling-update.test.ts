import { expect, test } from "vitest";
import { PodStage } from "../../src/cluster/pod-table.js";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";

test("rolling-update keeps available pods within maxUnavailable and total pods within maxSurge", () => {
  const { simulation: sim, summary } = runScenario(loadScenario("scenarios/rolling-update.yaml"), { write: false });
  expect(summary.timeToAllRunningNs).not.toBeNull();
  const pods = sim.pods;
  const updateAt = sim.scenario.workload[1]!.atNs;
  // Available: Running and not terminating. Live: created and not terminating.
  const changes: [number, number, number][] = []; // [time, d available, d live]
  for (let p = 0; p < pods.size; p++) {
    const created = pods.time(p, PodStage.created);
    const running = pods.time(p, PodStage.running);
    const gone = pods.deletionNs[p]!;
    if (!Number.isNaN(created)) changes.push([created, 0, 1]);
    if (!Number.isNaN(running) && !(gone <= running)) changes.push([running, 1, 0]);
    if (!Number.isNaN(gone))
      changes.push([gone, !Number.isNaN(running) && running < gone ? -1 : 0, !Number.isNaN(created) ? -1 : 0]);
  }
  changes.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  let available = 0;
  let live = 0;
  let minAvailable = Infinity;
  let maxLive = 0;
  for (const [t, da, dl] of changes) {
    available += da;
    live += dl;
    if (t >= updateAt) {
      minAvailable = Math.min(minAvailable, available);
      maxLive = Math.max(maxLive, live);
    }
  }
  // 1,000 replicas, maxUnavailable 25% (floor: 250), maxSurge 25% (ceil: 250).
  expect(minAvailable).toBeGreaterThanOrEqual(750);
  expect(maxLive).toBeLessThanOrEqual(1250);
  // The rollout really happened: 1,000 v1 pods replaced by 1,000 v2 pods.
  expect(pods.size).toBe(2000);
  expect(sim.replicaSetController.deletes).toBe(1000);
  expect(available).toBe(1000);
  // Pods Running now, not pods that ever ran: 1,000 at the end, never more than the surge allows.
  expect(summary.pods.running).toBe(1000);
  expect(sim.store.runningPods).toBe(1000);
  const ts = sim.timeSeries;
  const g = ts.gauges.findIndex((x) => x.name === "pods_running");
  const width = ts.gauges.length;
  let maxRunning = 0;
  for (let i = 0; i < ts.size; i++) maxRunning = Math.max(maxRunning, ts.values[i * width + g]!);
  expect(maxRunning).toBeGreaterThanOrEqual(1000);
  expect(maxRunning).toBeLessThanOrEqual(1250);
}, 60_000);
