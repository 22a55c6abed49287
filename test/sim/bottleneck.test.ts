import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";

test("raising kube-controller-manager's QPS to 1000 moves the bottleneck to the scheduler's client", () => {
  const text = readFileSync("scenarios/10k-pods.yaml", "utf8")
    .replace(/qps: 20 /, "qps: 1000 ")
    .replace(/burst: 30 /, "burst: 1500 ");
  expect(text).toContain("qps: 1000");
  const { summary } = runScenario(parseScenario("scenarios/10k-pods.yaml", text), { write: false });
  expect(summary.pods.running).toBe(10_000);
  // Pod creation no longer takes (10000 - 30) / 20 s ...
  expect(summary.timeToAllRunningNs!).toBeLessThan(((10_000 - 30) / 20) * 1e9 * 0.5);
  // ... the largest wait is now the scheduler's 50 qps client binding pods, which bounds the
  // run from below by (10000 - 100) / 50 s.
  expect(summary.waits[0]!.component).toBe(
    "client rate limiter: system:kube-scheduler (controlPlane.scheduler.qps = 50, burst 100)",
  );
  expect(summary.timeToAllRunningNs!).toBeGreaterThanOrEqual(((10_000 - 100) / 50) * 1e9);
}, 60_000);
