import { describe, expect, test } from "vitest";
import { RandomStreams } from "../../src/core/random.js";
import { SCHEDULER_DEFAULTS } from "../../src/scenario/sections/scheduler.js";
import { CycleCostModel, SCAN_NODE_WEIGHT } from "../../src/scheduler/cost-model.js";
import { StandaloneCluster } from "../../src/scheduler/standalone.js";
import { makeNode, makePod, ref } from "./fixtures/cluster.js";

describe("cycle cost model", () => {
  test("SchedulingBasic on 5,000 nodes runs at scheduler_perf's 680-810 pods/s", () => {
    const nodes = Array.from({ length: 5000 }, (_, i) =>
      makeNode(`n${i}`, { cpu: "4", memory: "32Gi" }, { labels: { "topology.kubernetes.io/zone": `z${i % 3}` } }),
    );
    const c = new StandaloneCluster(nodes);
    const fw = c.framework();
    const cost = new CycleCostModel(
      {
        cycleCost: SCHEDULER_DEFAULTS.cycleCost,
        perNodeCost: SCHEDULER_DEFAULTS.perNodeCost,
        parallelism: SCHEDULER_DEFAULTS.parallelism,
      },
      new RandomStreams(1),
    );
    // scheduler_perf pod-default.yaml: a bare pod with small requests.
    const pod = ref(c, makePod().req({ cpu: "100m", memory: "500Mi" }).get());
    const rot = { next: 0 };
    let totalNs = 0;
    const n = 300;
    for (let i = 0; i < n; i++) {
      const r = fw.schedule({ ...pod, pod: i }, rot, 0);
      c.cache.addPod(i, pod.group, r.node, 0);
      expect([r.examined, r.clusterScans]).toEqual([500, 0]);
      totalNs += cost.cost(r, 5000);
    }
    const podsPerSec = (n * 1e9) / totalNs;
    expect(podsPerSec).toBeGreaterThanOrEqual(680);
    expect(podsPerSec).toBeLessThanOrEqual(810);
  });
  test("full-cluster scans (spread, inter-pod affinity) add their per-node share", () => {
    const cost = new CycleCostModel(
      {
        cycleCost: { kind: "constant", value: 300_000 },
        perNodeCost: { kind: "constant", value: 34_000 },
        parallelism: 16,
      },
      new RandomStreams(1),
    );
    const r = { examined: 500, clusterScans: 2 } as Parameters<CycleCostModel["cost"]>[0];
    expect(cost.cost(r, 5000)).toBe(300_000 + Math.round(((500 + 2 * 5000 * SCAN_NODE_WEIGHT) * 34_000) / 16));
  });
});
