import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { smallScenario } from "./node-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const S = NS_PER.s;
const GATES =
  "              schedulingGates:\n                - name: example.com/quota\n                - name: example.com/tenant\n";

/** A scenario whose web pods carry two gates (see {@link smallScenario} for the options). */
function gated(name: string, nodes: number, replicas: number, steps: string, timeLimit?: string) {
  return smallScenario({
    name,
    nodes,
    replicas,
    podSpec: GATES,
    steps,
    ...(timeLimit === undefined ? {} : { timeLimit }),
  });
}

describe("schedulingGates: pods wait outside the scheduling queue until their gates are removed", () => {
  it("no gated pod takes a scheduling cycle; ungate at 2m queues them; pods.arrow and the summary show the wait", () => {
    const out = tmpDir("simctl-gates-");
    const scenario = gated("gates", 2, 5, "  - at: 2m\n    ungate: { deployment: web }");
    expect(scenario.inputs!.fieldsNotModelled).toEqual([]);
    const { summary } = runScenario(scenario, { outRoot: out });
    expect(summary.pods.running).toBe(5);
    expect(summary.schedulingGates).toMatchObject({ gatedPods: 5, stillGated: 0 });
    expect(summary.schedulingGates!.gatedWait.p50Ns).toBeGreaterThan(110 * S);
    const t = tableFromIPC(readFileSync(join(out, "gates-1", "pods.arrow")));
    const col = (n: string) => Array.from({ length: t.numRows }, (_, i) => Number(t.getChild(n)!.get(i)));
    const ungated = col("ungated_ns");
    const queued = col("queued_ns");
    const first = col("first_attempt_ns");
    const created = col("created_ns");
    for (let i = 0; i < t.numRows; i++) {
      expect(created[i]).toBeLessThan(10 * S);
      // The gate controller's patch commits after the step; only then is the pod queued and tried.
      expect(ungated[i]).toBeGreaterThanOrEqual(120 * S);
      expect(queued[i]).toBeGreaterThanOrEqual(ungated[i]!);
      expect(first[i]).toBeGreaterThanOrEqual(queued[i]!);
    }
    // Every scheduling attempt came after the gates went: no cycle was spent on a gated pod.
    const sched = tableFromIPC(readFileSync(join(out, "gates-1", "scheduler.arrow")));
    expect(sched.numRows).toBe(5);
  });

  it("removing one of two gates is not enough: the pods stay gated and the run ends at its time limit", () => {
    const scenario = gated(
      "gates-one",
      1,
      3,
      "  - at: 30s\n    ungate: { deployment: web, gates: [example.com/quota] }",
      "5m",
    );
    const { summary } = runScenario(scenario, { write: false });
    expect(summary.pods.running).toBe(0);
    expect(summary.timeToAllRunningNs).toBeNull();
    expect(summary.schedulingGates).toMatchObject({ gatedPods: 3, stillGated: 3 });
    expect(summary.scheduler.cycles).toBe(0);
  });

  it("pods created after the ungate step (a scale-up) lose their gates as the controller sees them", () => {
    const steps =
      "  - at: 10s\n    ungate: { deployment: web }\n  - at: 60s\n    update: { deployment: web, replicas: 6 }";
    const scenario = gated("gates-scale", 2, 2, steps);
    const { summary } = runScenario(scenario, { write: false });
    expect(summary.pods.running).toBe(6);
    expect(summary.schedulingGates).toMatchObject({ gatedPods: 6, stillGated: 0 });
  });

  it("an ungate step for a workload without gates, or a gate its pods lack, is a located error", () => {
    const bad =
      (steps: string, podSpec = GATES) =>
      () =>
        smallScenario({ name: "gates-bad", nodes: 1, replicas: 1, podSpec, steps });
    expect(bad("  - at: 1s\n    ungate: { deployment: web }", "")).toThrow(
      /workload\[1\]\.ungate\.deployment: expected a workload with spec.schedulingGates/,
    );
    expect(bad("  - at: 1s\n    ungate: { deployment: web, gates: [x.io/y] }")).toThrow(
      /a scheduling gate of web's pods \(example.com\/quota, example.com\/tenant\)/,
    );
  });
});
