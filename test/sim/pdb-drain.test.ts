import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { smallScenario } from "./node-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const S = NS_PER.s;

/**
 * Three pods of web on n-0 (n-1 is cordoned until they run), a PodDisruptionBudget
 * minAvailable 2 (replicas - 1), then n-0 is drained.
 */
function drainScenario(name: string, drain: string) {
  const steps = [
    "  - at: 0s\n    apply: pdb/web-pdb.yaml",
    "  - at: 0s\n    cordon: { names: [n-1] }",
    "  - at: 60s\n    uncordon: { names: [n-1] }",
    `  - at: 61s\n    drain: ${drain}`,
  ].join("\n");
  return smallScenario({ name, nodes: 2, replicas: 3, steps, stopWhen: "timeLimit", timeLimit: "4m" });
}

describe("drain through the Eviction API with a PodDisruptionBudget", () => {
  it("evicts one pod at a time: never more than 1 of web's 3 pods missing; refused evictions are retried", () => {
    const scenario = drainScenario("pdb-drain", "{ names: [n-0] }");
    expect(scenario.podDisruptionBudgets).toHaveLength(1);
    expect(scenario.inputs!.kindsNotModelled.map((e) => e.kind)).not.toContain("PodDisruptionBudget");
    expect(scenario.inputs!.fieldsNotModelled.map((e) => e.field)).toEqual(["spec.unhealthyPodEvictionPolicy"]);
    const out = tmpDir("simctl-pdb-");
    const { summary } = runScenario(scenario, { outRoot: out });
    const table = tableFromIPC(readFileSync(join(out, "pdb-drain-1", "pods.arrow")));
    const col = (n: string) => Array.from({ length: table.numRows }, (_, i) => table.getChild(n)!.get(i) as unknown);
    const running = col("running_ns");
    const deletion = col("deletion_ns");
    const node = col("node");
    // Sweep of Running intervals: [running, deletion).
    const events: [number, number][] = [];
    let onN0 = 0;
    for (let i = 0; i < table.numRows; i++) {
      if (running[i] === null) continue;
      const from = Number(running[i]);
      events.push([from, 1]);
      if (deletion[i] !== null) events.push([Number(deletion[i]), -1]);
      if (node[i] === "n-0" && from < 61 * S) onN0++;
    }
    expect(onN0).toBe(3);
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let min = Infinity;
    for (let k = 0; k < events.length; k++) {
      now += events[k]![1];
      const t = events[k]![0];
      if (k + 1 < events.length && events[k + 1]![0] === t) continue;
      if (t >= 61 * S) min = Math.min(min, now);
    }
    expect(min).toBeGreaterThanOrEqual(2);
    const drain = summary.node.drains![0]!;
    expect(drain.pods).toBe(3);
    expect(drain.evictionsRefused).toBeGreaterThan(0);
    expect(drain.blockedByPdbNs).toBe(drain.evictionsRefused * 5 * S);
    expect(drain.evictedAtNs).not.toBeNull();
    expect(drain.timedOut).toBe(false);
    expect(summary.node.evictions.drain).toBe(3);
    // The summary's lowest availability agrees with the sweep over pods.arrow.
    expect(summary.node.availability).toEqual([
      expect.objectContaining({ deployment: "web", replicas: 3, lowestRunning: 2, lowestAvailability: 0.667 }),
    ]);
    // Every eviction shows in api.arrow as a pods/eviction create; refusals answered 429.
    const api = tableFromIPC(readFileSync(join(out, "pdb-drain-1", "api.arrow")));
    let evictions = 0;
    let refused = 0;
    for (let i = 0; i < api.numRows; i++) {
      if (api.getChild("resource")!.get(i) !== "pods/eviction") continue;
      evictions++;
      if (api.getChild("status")!.get(i) === 429) refused++;
    }
    expect(evictions).toBe(drain.evictionRequests);
    expect(refused).toBe(drain.evictionsRefused);
  });

  it("a drain with a timeout stops retrying and is reported", () => {
    // A budget that allows nothing: minAvailable 2 with only 2 of... 3 pods and n-1 cordoned again.
    const steps = [
      "  - at: 0s\n    apply: pdb/web-pdb.yaml",
      "  - at: 0s\n    cordon: { names: [n-1] }",
      "  - at: 61s\n    drain: { names: [n-0], timeout: 20s }",
    ].join("\n");
    const scenario = smallScenario({
      name: "pdb-timeout",
      nodes: 2,
      replicas: 3,
      steps,
      stopWhen: "timeLimit",
      timeLimit: "3m",
    });
    const { summary } = runScenario(scenario, { write: false });
    const drain = summary.node.drains![0]!;
    expect(drain.timeoutNs).toBe(20 * S);
    expect(drain.timedOut).toBe(true);
    expect(drain.evictedAtNs).toBeNull();
    // One pod's eviction admitted; its replacement cannot run anywhere (both nodes cordoned), so the rest stay refused.
    expect(summary.node.evictions.drain).toBe(1);
    expect(drain.evictionsRefused).toBeGreaterThan(0);
    expect(drain.blockedByPdbNs).toBeLessThanOrEqual(2 * 25 * S);
  });
});
