import { describe, expect, test } from "vitest";
import { Res } from "../../src/cluster/resources.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { smallScenario } from "../sim/node-scenario.js";

const COLUMNS = [
  "cpuMilli",
  "memBytes",
  "podsAdmitted",
  "podsRunning",
  "pullQueue",
  "pullsActive",
  "ipsUsed",
  "bytesPulled",
  "ready",
  "cordoned",
  "present",
] as const;

/** Runs 5 nodes and 12 pods for 10 simulated minutes (a 10 s sample interval: 61 samples), a node failing at 3 min. */
function sampled() {
  const { simulation } = runScenario(
    smallScenario({
      name: "sampler",
      nodes: 5,
      replicas: 12,
      steps: "  - { at: 3m, failNodes: { names: [n-0] } }",
      timeLimit: "10m",
      stopWhen: "timeLimit",
    }),
    { write: false },
  );
  return simulation;
}

describe("nodes.arrow rows grow with change, not with nodes x samples", () => {
  const sim = sampled();
  const s = sim.nodeSampler;
  const rowsOf = (node: number) => Array.from({ length: s.size }, (_, i) => i).filter((i) => s.node[i] === node);

  test("every node has a first row at t = 0, and far fewer rows than samples", () => {
    for (let n = 0; n < 5; n++) expect(s.timeNs[rowsOf(n)[0]!]).toBe(0);
    expect(s.size).toBeLessThan(5 * 61);
    expect(s.size).toBeGreaterThan(5);
  });

  test("no row of a node repeats the node's previous row: each row is a change", () => {
    for (let n = 0; n < 5; n++) {
      const rows = rowsOf(n);
      for (let j = 1; j < rows.length; j++)
        expect(COLUMNS.some((c) => s[c][rows[j]!] !== s[c][rows[j - 1]!])).toBe(true);
    }
  });

  test("a node's last row holds its state at the end of the run", () => {
    const R = sim.nodes.resourceCount;
    for (let n = 1; n < 5; n++) {
      const last = rowsOf(n).at(-1)!;
      expect(s.podsRunning[last]).toBe(sim.kubelets.perNode.runningOn[n]);
      expect(s.podsAdmitted[last]).toBe(sim.kubelets.perNode.admitted[n * R + Res.pods]);
      expect(s.ready[last]).toBe(sim.nodes.ready[n]);
    }
    // The failed node: NotReady from the lifecycle controller's judgement on, in its last row.
    expect(s.ready[rowsOf(0).at(-1)!]).toBe(0);
  });
});
