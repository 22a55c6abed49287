import { describe, expect, test } from "vitest";
import { formatSummary } from "../../src/metrics/format-summary.js";
import { summarize } from "../../src/metrics/summary.js";
import { Simulation } from "../../src/sim/simulation.js";
import { clusterScenario } from "./cluster.js";

const s = 1e9;

function run(walFsync: string) {
  const sim = new Simulation(
    clusterScenario({ nodes: 500, pods: 200, seconds: 200, controlPlane: `  etcd: { walFsync: ${walFsync} }` }),
  );
  const result = sim.run();
  return { sim, summary: summarize(sim, result) };
}

describe("failure from overload: NotReady nodes emerge from delayed Lease renewals", () => {
  test("an etcd whose fsync takes seconds delays renewals past the 40 s grace period: nodes go NotReady and come back", () => {
    const { sim, summary } = run("{ dist: lognormal, p50: 5s, p99: 20s }");
    const b = summary.background;
    expect(b.leaseRenewalLatency.maxNs).toBeGreaterThan(30 * s);
    expect(b.notReadyTransitions).toBeGreaterThan(50);
    // A node Ready again renewed its Lease; the rest are still NotReady at the end.
    let notReady = 0;
    for (let n = 0; n < sim.nodes.size; n++) if (sim.nodes.ready[n] === 0) notReady++;
    expect(b.readyTransitions + notReady).toBe(b.notReadyTransitions);
    // NotReady nodes had their pods marked NotReady (one status write per pod) and were queued for the taint.
    expect(sim.nodeLifecycle.podsMarkedNotReady).toBeGreaterThan(0);
    const text = formatSummary(summary, { wallMs: 1, events: 1, eventsPerSec: 1, peakRssBytes: 1 }, undefined, []);
    expect(text).toContain(`NotReady transitions: ${b.notReadyTransitions}`);
  });

  // So is it in a real 3-member etcd with every fsync delayed 50 ms (bench/data/etcd-slow-disk: p99
  // 245 ms at 2,000 nodes' renewal rate, no leader change); test/etcd/slow-disk.test.ts replays it.
  test("fsync x100 (50 ms p50) is absorbed by group commit: renewals stay well under the grace period", () => {
    const { summary } = run("{ dist: lognormal, p50: 50ms, p99: 200ms }");
    expect(summary.background.leaseRenewalLatency.p99Ns).toBeLessThan(1 * s);
    expect(summary.background.notReadyTransitions).toBe(0);
  });
});
