import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import { Reason } from "../../src/autoscaler/decision-log.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { caScenario, minRunning, PDB_AND_LOAD } from "./ca-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const S = NS_PER.s;
const M = 60 * S;

function scaleDownScenario(annotations?: string) {
  return caScenario({
    name: "ca-scale-down",
    pools: [
      "    - { name: base, count: 1, allocatable: { cpu: 1, memory: 4Gi }, images: [registry.k8s.io/pause:3.9] }",
      "    - name: burst",
      "      count: 0",
      "      allocatable: { cpu: 8, memory: 32Gi }",
      "      images: [registry.k8s.io/pause:3.9]",
      "      autoscaling: { minNodes: 0, maxNodes: 10, provisionTime: 30s }",
    ].join("\n"),
    replicas: 6,
    steps: PDB_AND_LOAD,
    stopWhen: "timeLimit",
    timeLimit: "30m",

    ...(annotations === undefined ? {} : { annotations }),
  });
}

describe("Cluster Autoscaler scale-down", () => {
  // web (6 one-CPU pods, a PodDisruptionBudget minAvailable 4) and load (18 more) need 3 burst
  // nodes of 8 CPUs; load ends at 3m. Then one node is empty and one holds 2 of web's pods, which
  // the third can take (the budget allows their 2 disruptions); the third holds 3 plus 2 = 5
  // (utilization 0.625, over the threshold) and stays.
  const scenario = scaleDownScenario();
  const out = tmpDir("simctl-ca-down-");
  const { summary } = runScenario(scenario, { outRoot: out });
  const dir = join(out, "ca-scale-down-1");
  const read = (f: string) => tableFromIPC(readFileSync(join(dir, f)));
  const col = (t: ReturnType<typeof read>, n: string) =>
    Array.from({ length: t.numRows }, (_, i) => t.getChild(n)!.get(i) as unknown);

  it("starts no earlier than scale-down-unneeded-time after the load ends, and goes down to what the pods need", () => {
    const t = read("autoscaler.arrow");
    const reason = col(t, "reason");
    const time = col(t, "time_ns").map(Number);
    const ups = reason.flatMap((r, i) => (r === "ScaleUp" ? [time[i]!] : []));
    const downs = reason.flatMap((r, i) =>
      r === "ScaleDownUnderutilized" || r === "ScaleDownEmpty" ? [time[i]!] : [],
    );
    expect(ups).toEqual([10 * S]);
    expect(reason.filter((r) => r === "ScaleDownEmpty")).toHaveLength(1);
    expect(reason.filter((r) => r === "ScaleDownUnderutilized")).toHaveLength(1);
    // The load ends at 3m: the nodes are unneeded from the next scan on, removable 10m later.
    expect(Math.min(...downs)).toBeGreaterThanOrEqual(3 * M + 10 * M);
    expect(summary.autoscaler!.nodesRemoved).toBe(2);
    const burst = summary.autoscaler!.pools.find((p) => p.pool === "burst")!;
    expect([burst.finalNodes, burst.peakNodes]).toEqual([1, 3]);
  });

  it("never has fewer Running pods than the PodDisruptionBudget's minAvailable (pods.arrow, at every instant)", () => {
    const pods = read("pods.arrow");
    const web = col(pods, "deployment");
    const deletion = col(pods, "deletion_ns");
    // web's pods only (load's are deleted at 3m): the budget's 4 must always be Running once all 6 were.
    const min = minRunning(pods, "web", 60 * S);
    // The drains did evict pods (after 13m): the check is not vacuous.
    const late = deletion.filter((d, i) => web[i] === "web" && d !== null && Number(d) > 13 * M).length;
    expect(late).toBeGreaterThan(0);
    expect(late).toBe(2);
    expect(summary.api["create pods/eviction"]?.count).toBe(2);
    expect(min).toBeGreaterThanOrEqual(4);
    expect(summary.pods.running).toBe(6);
  });
});

describe("cluster-autoscaler.kubernetes.io/safe-to-evict", () => {
  it('"false" keeps the node of such a pod: only the empty node goes', () => {
    const { summary, simulation } = runScenario(
      scaleDownScenario('{ cluster-autoscaler.kubernetes.io/safe-to-evict: "false" }'),
      {
        write: false,
      },
    );
    const log = simulation.clusterAutoscaler!.decisions;
    expect(Array.from(log.reason.subarray(0, log.size))).toEqual([Reason.ScaleUp, Reason.ScaleDownEmpty]);
    expect(summary.autoscaler!.pools.find((p) => p.pool === "burst")!.finalNodes).toBe(2);
    expect(summary.api["create pods/eviction"]).toBeUndefined();
  });
});
