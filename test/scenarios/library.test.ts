import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { isEtcdBenchmark } from "../../src/scenario/etcd-benchmark-scenario.js";
import { finalReplicas } from "../../src/scenario/sections/workload.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { loadScaledScenario } from "../../src/study/scale.js";

/**
 * Every ready-made cluster scenario in scenarios/ runs in the suite at reduced scale: it must
 * validate, reach its stop condition (every pod Running after the last step) and account for
 * every pod it asked for. Full-scale runs are in the README.
 */
const SCALE: Record<string, number> = {
  "10k-pods.yaml": 0.05,
  "density-5k-nodes.yaml": 0.005,
  "image-pull-storm.yaml": 0.02,
  "rolling-update.yaml": 0.1,
  "zone-outage.yaml": 0.25,
  "binpack-vs-spread.yaml": 1,
  // 125 nodes are exactly enough for its 1,000 one-CPU pods: scaled down, rounding breaks that.
  "capacity-search.yaml": 1,
  "autoscale-burst.yaml": 0.1,
  "karpenter-burst.yaml": 0.1,
  "density-startup.yaml": 0.1,
  "kubemark-density.yaml": 0.02,
  "priority-preemption.yaml": 1,
  "node-pool-upgrade.yaml": 0.1,
};
const files = readdirSync("scenarios").filter(
  (f) => f.endsWith(".yaml") && !isEtcdBenchmark(`scenarios/${f}`) && !f.endsWith("-sweep.yaml"),
);

describe("scenario library at reduced scale", () => {
  test("every scenario has a reduced scale chosen for the suite", () => {
    for (const f of files) expect(SCALE[f], `scenarios/${f} needs a SCALE entry`).toBeDefined();
  });

  test.each(files)(
    "%s reaches all Running",
    (f) => {
      const scenario = loadScaledScenario(`scenarios/${f}`, SCALE[f] ?? 1);
      const { summary, simulation } = runScenario(scenario, { write: false });
      expect(summary.timeToAllRunningNs, `${f} stopped by ${summary.stopReason}`).not.toBeNull();
      expect(simulation.allRunning.atNs).toBeGreaterThan(0);
      expect(finalReplicas(scenario.workload)).toBeGreaterThan(0);
      expect(summary.pods.running).toBeGreaterThanOrEqual(finalReplicas(scenario.workload));
    },
    120_000,
  );
});
