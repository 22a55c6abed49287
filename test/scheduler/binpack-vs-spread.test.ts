import { describe, expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { loadSchedulerConfig } from "../../src/scheduler/config.js";
import { Simulation } from "../../src/sim/simulation.js";

/** Runs scenarios/binpack-vs-spread.yaml with a scheduler profile; returns the nodes holding pods. */
function nodesUsed(profile: string): { nodes: number; running: number; maxPerNode: number } {
  const s = loadScenario("scenarios/binpack-vs-spread.yaml");
  const config = loadSchedulerConfig(`scenarios/profiles/${profile}.yaml`);
  const sim = new Simulation({ ...s, scheduler: { ...s.scheduler, config } });
  sim.run();
  const perNode = new Map<number, number>();
  for (let p = 0; p < sim.pods.size; p++) {
    const n = sim.pods.node[p]!;
    if (n >= 0) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  return { nodes: perNode.size, running: sim.store.runningPods, maxPerNode: Math.max(...perNode.values()) };
}

describe("binpack-vs-spread", () => {
  test("MostAllocated packs the same workload onto fewer nodes than LeastAllocated", () => {
    const spread = nodesUsed("least-allocated");
    const pack = nodesUsed("most-allocated");
    expect(spread.running).toBe(120);
    expect(pack.running).toBe(120);
    // 120 pods of 500m on 4-cpu nodes: packed, 8 per node need 15 nodes; spread, nearly all 60.
    expect(pack.nodes).toBeLessThan(spread.nodes);
    expect(pack.nodes).toBeLessThanOrEqual(20);
    expect(spread.nodes).toBeGreaterThanOrEqual(50);
    expect(pack.maxPerNode).toBe(8);
    console.log(`binpack-vs-spread: LeastAllocated ${spread.nodes} nodes, MostAllocated ${pack.nodes} nodes`);
  }, 60_000);
  test("RequestedToCapacityRatio with a rising shape also packs", () => {
    expect(nodesUsed("requested-to-capacity-ratio").nodes).toBeLessThanOrEqual(20);
  }, 60_000);
});
