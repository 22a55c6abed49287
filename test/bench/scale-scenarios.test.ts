import { describe, expect, test } from "vitest";
import { finalReplicas } from "../../src/scenario/sections/workload.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { loadScaledScenario } from "../../src/study/scale.js";

/**
 * The scale benchmarks of bench/scenarios/ (issue 18's 1M-pod and 2M-pod targets): at full size
 * they hold the pods and nodes their names say, 20 pods a node, with the controller-manager and
 * scheduler clients at 1,000 qps; a tiny scale of each runs to all Running in the suite.
 */
const CASES = [
  { file: "bench/scenarios/1m-pods-50k-nodes.yaml", pods: 1_000_000, nodes: 50_000 },
  { file: "bench/scenarios/2m-pods-100k-nodes.yaml", pods: 2_000_000, nodes: 100_000 },
];

describe("scale benchmark scenarios", () => {
  test.each(CASES)("$file: $pods pods on $nodes nodes", ({ file, pods, nodes }) => {
    const s = loadScaledScenario(file, 1);
    expect(finalReplicas(s.workload)).toBe(pods);
    expect(s.nodePools.reduce((n, p) => n + p.count, 0)).toBe(nodes);
    expect(s.controllerManager.qps).toBe(1000);
    expect(s.scheduler.qps).toBe(1000);
  });

  test.each(CASES)(
    "$file at 1/1000 scale reaches all Running",
    ({ file, pods }) => {
      const { summary } = runScenario(loadScaledScenario(file, 0.001), { write: false });
      expect(summary.timeToAllRunningNs, `stopped by ${summary.stopReason}`).not.toBeNull();
      expect(summary.pods.running).toBe(pods / 1000);
    },
    120_000,
  );
});
