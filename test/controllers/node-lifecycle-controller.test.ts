import { describe, expect, it } from "vitest";
import { PodPhase, PodReason, PodStage } from "../../src/cluster/pod-table.js";
import { NS_PER } from "../../src/core/time.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { smallScenario } from "../sim/node-scenario.js";

const S = NS_PER.s;
const FAIL_AT = 600 * S;

/** A reduced scenarios/zone-outage.yaml: 9 nodes in 3 zones, zone-a fails at t = 10 min. */
function zoneOutage(selector: string) {
  return smallScenario({
    name: "zone-outage-small",
    seed: 11,
    nodes: 9,
    replicas: 45,
    pool: "      images: [registry.k8s.io/pause:3.9, registry.example/app:1]",
    steps: `  - at: 10m\n    failNodes: ${selector}`,
    timeLimit: "40m",
  });
}

describe("zone outage: a third of the nodes fail at t = 10 min", () => {
  const { simulation: sim, summary } = runScenario(zoneOutage("{ labels: { topology.kubernetes.io/zone: zone-a } }"), {
    write: false,
  });
  const lc = sim.nodeLifecycle;
  const failed = [0, 3, 6]; // round-robin zones: n-0, n-3, n-6 are zone-a

  it("the failed nodes turn NotReady 30-45 s later (lease every 10 s, 5 s monitor, 40 s grace)", () => {
    for (let n = 0; n < 9; n++) {
      if (failed.includes(n)) {
        expect(lc.failedAtNs[n]).toBe(FAIL_AT);
        const d = lc.notReadyAtNs[n]! - FAIL_AT;
        expect(d).toBeGreaterThanOrEqual(30 * S);
        expect(d).toBeLessThanOrEqual(45 * S);
        expect(sim.nodes.ready[n]).toBe(0);
      } else {
        expect(lc.failedAtNs[n]).toBeNaN();
        expect(sim.nodes.ready[n]).toBe(1);
      }
    }
  });

  it("NoExecute taints in the zone are rate limited to one per 10 s (--node-eviction-rate 0.1)", () => {
    const t = failed.map((n) => lc.taintedAtNs[n]!).sort((a, b) => a - b);
    expect(t[0]! - Math.min(...failed.map((n) => lc.notReadyAtNs[n]!))).toBeLessThanOrEqual(100 * NS_PER.ms);
    for (let i = 1; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBeGreaterThanOrEqual(10 * S - NS_PER.ms);
  });

  it("pods on the failed nodes are deleted after the 300 s toleration and recreated Running elsewhere", () => {
    const pods = sim.pods;
    let evicted = 0;
    let live = 0;
    for (let p = 0; p < pods.size; p++) {
      const node = pods.node[p]!;
      if (failed.includes(node)) {
        expect(pods.reason[p]).toBe(PodReason.DeletionByTaintManager);
        expect(pods.deletionNs[p]! - lc.taintedAtNs[node]!).toBeGreaterThanOrEqual(300 * S);
        expect(pods.deletedNs[p]).toBeNaN(); // Terminating for good: their kubelet is gone
        evicted++;
      } else if (!pods.isTerminating(p)) {
        live++;
        expect(pods.phase[p]).toBe(PodPhase.Running);
      }
    }
    expect(evicted).toBeGreaterThan(0);
    expect(evicted).toBe(summary.node.evictions.taintManager);
    expect(live).toBe(45);
    expect(pods.size).toBe(45 + evicted);
    expect(summary.stopReason).toBe("stopped");
  });

  it("the summary reports the time to recovery: grace + tainting + toleration + restart", () => {
    expect(summary.node.recovery).toHaveLength(1);
    const r = summary.node.recovery[0]!;
    expect(r.kind).toBe("failNodes");
    expect(r.nodes).toBe(3);
    const ttr = r.timeToRecoveryNs!;
    expect(ttr).toBeGreaterThanOrEqual(30 * S + 20 * S + 300 * S);
    expect(ttr).toBeLessThanOrEqual(45 * S + 21 * S + 300 * S + 60 * S);
    expect(r.recoveredAtNs).toBe(
      Math.max(...Array.from({ length: sim.pods.size }, (_, p) => sim.pods.time(p, PodStage.running))),
    );
  });

  it("when every zone is fully disrupted the controller stops tainting and evicting", () => {
    const all = runScenario(
      smallScenario({
        name: "all-down",
        seed: 11,
        nodes: 3,
        replicas: 6,
        pool: "      images: [registry.k8s.io/pause:3.9, registry.example/app:1]",
        steps: "  - at: 1m\n    failNodes: { pool: n }",
        timeLimit: "15m",
      }),
      { write: false },
    );
    const lc2 = all.simulation.nodeLifecycle;
    for (let n = 0; n < 3; n++) {
      expect(all.simulation.nodes.ready[n]).toBe(0);
      expect(lc2.taintedAtNs[n]).toBeNaN();
    }
    expect(all.summary.node.evictions.taintManager).toBe(0);
    expect(all.summary.stopReason).not.toBe("stopped"); // never all Running again: the run drains or times out
    expect(all.summary.node.recovery[0]!.timeToRecoveryNs).toBeNull();
  });
});
