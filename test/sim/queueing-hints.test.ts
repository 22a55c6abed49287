import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/sim/run-scenario.js";
import { smallScenario } from "./node-scenario.js";
import { tmpDir } from "../tmp-dir.js";

/** Each pod's scheduling attempts and node, from pods.arrow. */
function attempts(dir: string): { attempts: number; node: string | null }[] {
  const t = tableFromIPC(readFileSync(join(dir, "pods.arrow")));
  return Array.from({ length: t.numRows }, (_, i) => ({
    attempts: Number(t.getChild("attempts")!.get(i)),
    node: t.getChild("node")!.get(i) as string | null,
  }));
}

describe("QueueingHints: an unschedulable pod is requeued only by events that can make it schedulable", () => {
  it("NodeResourcesFit: cordons and uncordons do not requeue a pod waiting for room; a node joining does (6 attempts before the hints, 2 now)", () => {
    // Two 2-CPU nodes, three 1.5-CPU pods: the third waits (NodeResourcesFit). The node events on
    // n-0 cannot give it room; the node that joins at 60 s can (its allocatable fits the pod).
    const steps = [
      "  - at: 20s\n    cordon: { names: [n-0] }",
      "  - at: 30s\n    uncordon: { names: [n-0] }",
      "  - at: 40s\n    cordon: { names: [n-1] }",
      "  - at: 50s\n    uncordon: { names: [n-1] }",
      "  - at: 60s\n    addNodes: { pool: n, count: 1 }",
    ].join("\n");
    const out = tmpDir("simctl-hints-");
    const scenario = smallScenario({ name: "hints-fit", nodes: 2, replicas: 3, cpu: "1500m", nodeCpu: 2, steps });
    const { summary } = runScenario(scenario, { outRoot: out });
    expect(summary.pods.running).toBe(3);
    const pods = attempts(join(out, "hints-fit-1"));
    const late = pods.filter((p) => p.node === "n-2");
    expect(late).toHaveLength(1);
    // Its first attempt, and the one after the node joined: the four node updates moved it not once.
    expect(late[0]!.attempts).toBe(2);
  });

  it("NodeUnschedulable: with every node cordoned, the uncordon requeues the pod (3 attempts before the hints, 2 now)", () => {
    const steps = ["  - at: 20s\n    cordon: { names: [n-1] }", "  - at: 40s\n    uncordon: { names: [n-0] }"].join(
      "\n",
    );
    const scenario = smallScenario({
      name: "hints-unsched",
      nodes: 2,
      replicas: 1,
      pool: "      unschedulable: true",
      steps,
    });
    const out = tmpDir("simctl-hints-");
    const { summary } = runScenario(scenario, { outRoot: out });
    expect(summary.pods.running).toBe(1);
    const [pod] = attempts(join(out, "hints-unsched-1"));
    expect(pod).toEqual({ attempts: 2, node: "n-0" });
  });
});
