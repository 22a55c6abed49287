import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { Resource, Verb } from "../../src/apiserver/request-table.js";
import { KARPENTER_REASON_NAMES, type Karpenter } from "../../src/autoscaler/karpenter.js";
import { NS_PER } from "../../src/core/time.js";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { Simulation } from "../../src/sim/simulation.js";
import { caScenario, minRunning, PDB_AND_LOAD } from "./ca-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const S = NS_PER.s;
const M = 60 * S;
const PAUSE = "images: [registry.k8s.io/pause:3.9]";
/** A fixed pool no pod can use, and one with a 4-CPU node. */
const CORDONED = `    - { name: base, count: 1, allocatable: { cpu: 1, memory: 4Gi }, unschedulable: true, ${PAUSE} }`;
const BASE4 = `    - { name: base, count: 1, allocatable: { cpu: 4, memory: 16Gi }, ${PAUSE} }`;

/** One NodePool `default` of three instance types (4, 8, 16 CPUs), with extra NodePool keys. */
function nodePool(extra = "", settings = ""): string {
  return `${settings}  nodePools:
    - name: default
      provisionTime: 30s
${extra}      instanceTypes:
        - { name: small, allocatable: { cpu: 4, memory: 16Gi }, costPerHour: 0.2 }
        - { name: medium, allocatable: { cpu: 8, memory: 32Gi }, costPerHour: 0.35 }
        - { name: large, allocatable: { cpu: 16, memory: 64Gi }, costPerHour: 0.8 }`;
}

/** The decisions of a finished run: [time, group, change, reason]. */
function decisions(sim: Simulation): [number, string, number, string][] {
  const k = sim.clusterAutoscaler!;
  const log = k.decisions;
  const out: [number, string, number, string][] = [];
  for (let i = 0; i < log.size; i++)
    out.push([
      log.timeNs[i]!,
      k.groups.groups[log.group[i]!]!.name,
      log.change[i]!,
      KARPENTER_REASON_NAMES[log.reason[i]!]!,
    ]);
  return out;
}

describe("Karpenter provisioning", () => {
  it("time to all Running = batch idle window after the last pending pod + provisionTime + registration + startup", () => {
    // The 4-CPU node holds 4 of the 10 one-CPU pods; the other 6 go on one new node.
    const sim = new Simulation(
      caScenario({ name: "karpenter-closed-form", pools: BASE4, karpenter: nodePool(), replicas: 10, constant: true }),
    );
    sim.run();
    const k = sim.clusterAutoscaler as Karpenter;
    const launch = k.lastPendingNs + 1 * S;
    // The largest type holds the 6 pods; the cheapest that does is medium.
    expect(decisions(sim)).toEqual([[launch, "default-medium", 1, "Launched"]]);
    const row = sim.nodes.names.indexOf("default-medium-0");
    const req = sim.api.requests;
    let registration = Number.NaN;
    for (let i = 0; i < req.size; i++)
      if (req.verb[i] === Verb.create && req.resource[i] === Resource.nodes)
        registration = req.doneNs[i]! - req.submitNs[i]!;
    const joined = k.joinedAtNs[row]!;
    expect(joined).toBe(launch + 30 * S + registration);
    // The control: the same node joins by an addNodes step at that instant (batches never close).
    const c = new Simulation(
      caScenario({
        name: "karpenter-closed-form",
        pools: BASE4,
        karpenter: nodePool("", "  batchIdleDuration: 10h\n  batchMaxDuration: 10h\n"),
        replicas: 10,
        constant: true,
        steps: `  - at: ${joined}ns\n    addNodes: { pool: default-medium, count: 1 }`,
      }),
    );
    c.run();
    const startup = c.allRunning.atNs - joined;
    expect(startup).toBeGreaterThan(0);
    expect(sim.allRunning.atNs).toBe(launch + 30 * S + registration + startup);
  });

  it("pods arriving faster than the idle window are batched up to batchMaxDuration", () => {
    // A new pending pod every 0.5 s for 30 s: the window closes 10 s after it opened.
    const steps = Array.from(
      { length: 60 },
      (_, i) => `  - at: ${(i + 1) * 500}ms\n    update: { deployment: web, replicas: ${i + 2} }`,
    ).join("\n");
    const sim = new Simulation(
      caScenario({ name: "karpenter-batch", pools: CORDONED, karpenter: nodePool(), replicas: 1, steps }),
    );
    sim.run();
    const k = sim.clusterAutoscaler as Karpenter;
    const first = decisions(sim)[0]![0];
    expect(first).toBeGreaterThan(10 * S);
    expect(first).toBeLessThan(11 * S);
    expect(sim.store.runningPods).toBe(61);
    expect(k.nodesAdded).toBeGreaterThan(1);
  });

  // Pods of 1 CPU on new nodes only: the cheapest instance type that holds each node's pods.
  const table: [number, string[]][] = [
    [3, ["default-small"]],
    [6, ["default-medium"]],
    [12, ["default-large"]],
    [20, ["default-large", "default-small"]],
  ];
  for (const [replicas, types] of table) {
    it(`${replicas} pods: launches ${types.join(" + ")}`, () => {
      const sim = new Simulation(
        caScenario({ name: "karpenter-types", pools: CORDONED, karpenter: nodePool(), replicas }),
      );
      sim.run();
      expect(decisions(sim).map(([, g]) => g)).toEqual(types);
      expect(sim.store.runningPods).toBe(replicas);
    });
  }

  it("limits.cpu caps the NodePool: pods beyond it stay pending", () => {
    const sim = new Simulation(
      caScenario({
        name: "karpenter-limit",
        pools: CORDONED,
        karpenter: nodePool("      limits: { cpu: 12 }\n"),
        replicas: 20,
        stopWhen: "timeLimit",
        timeLimit: "5m",
      }),
    );
    sim.run();
    // 16-CPU nodes exceed the limit: one medium (8) and one small (4) node, 12 pods Running.
    expect(
      decisions(sim)
        .map(([, g]) => g)
        .sort(),
    ).toEqual(["default-medium", "default-small"]);
    expect(sim.store.runningPods).toBe(12);
  });
});

describe("Karpenter consolidation", () => {
  it("deletes an empty node once consolidateAfter has passed (at a 10 s disruption pass)", () => {
    const sim = new Simulation(
      caScenario({
        name: "karpenter-empty",
        pools: CORDONED,
        karpenter: nodePool("      consolidationPolicy: WhenEmpty\n      consolidateAfter: 30s\n"),
        replicas: 6,
        steps: "  - at: 2m\n    update: { deployment: web, replicas: 0 }",
        stopWhen: "timeLimit",
        timeLimit: "10m",
      }),
    );
    sim.run();
    const d = decisions(sim);
    expect(d.map(([, g, n, r]) => [g, n, r])).toEqual([
      ["default-medium", 1, "Launched"],
      ["default-medium", -1, "Empty"],
    ]);
    const at = d[1]![0];
    // Empty shortly after 2m (the pods stop in about a second), seen at the next pass, 30 s on.
    expect(at % (10 * S)).toBe(0);
    expect(at).toBeGreaterThanOrEqual(2 * M + 30 * S);
    expect(at).toBeLessThanOrEqual(2 * M + 30 * S + 20 * S);
    expect(sim.nodes.present[sim.nodes.names.indexOf("default-medium-0")]).toBe(0);
  });

  it("replaces a node whose pods fit nowhere else by the cheapest instance type that holds them", () => {
    // 12 pods on a large node; at 2m web drops to 3, which a small node holds.
    const sim = new Simulation(
      caScenario({
        name: "karpenter-replace",
        pools: CORDONED,
        karpenter: nodePool(),
        replicas: 12,
        steps: "  - at: 2m\n    update: { deployment: web, replicas: 3 }",
        stopWhen: "timeLimit",
        timeLimit: "10m",
      }),
    );
    sim.run();
    const d = decisions(sim);
    expect(d.map(([, g, n, r]) => [g, n, r])).toEqual([
      ["default-large", 1, "Launched"],
      ["default-small", 1, "Launched"],
      ["default-large", -1, "Underutilized"],
    ]);
    // The large node is drained only after its replacement registered.
    const k = sim.clusterAutoscaler!;
    expect(d[2]![0]).toBeGreaterThan(k.joinedAtNs[sim.nodes.names.indexOf("default-small-0")]!);
    expect(sim.nodes.present[sim.nodes.names.indexOf("default-large-0")]).toBe(0);
    expect(sim.store.runningPods).toBe(3);
  });

  // web (6 one-CPU pods, PodDisruptionBudget minAvailable 4) and load (18): 24 pods on a large
  // and a medium node; load ends at 3m. The node with fewer pods is then drained onto the other.
  const consolidation = (name: string, annotations?: string) => {
    const out = tmpDir("simctl-karpenter-");
    const { summary } = runScenario(
      caScenario({
        name,
        pools: CORDONED,
        karpenter: nodePool(),
        replicas: 6,
        steps: PDB_AND_LOAD,
        stopWhen: "timeLimit",
        timeLimit: "20m",
        ...(annotations === undefined ? {} : { annotations }),
      }),
      { outRoot: out },
    );
    const read = (f: string) => tableFromIPC(readFileSync(join(out, `${name}-1`, f)));
    return { summary, read };
  };

  it("consolidates onto fewer nodes and never violates the PodDisruptionBudget (pods.arrow)", () => {
    const { summary, read } = consolidation("karpenter-consolidate");
    const reasons = read("autoscaler.arrow").getChild("reason")!.toArray() as string[];
    // Two launches for the load, then the one left (6 pods on the large node) is replaced by a medium one.
    expect(reasons).toEqual(["Launched", "Launched", "Underutilized", "Launched", "Underutilized"]);
    const pools = summary.autoscaler!.pools.filter((p) => p.nodePool === "default");
    expect(pools.reduce((n, p) => n + p.finalNodes, 0)).toBe(1);
    expect(minRunning(read("pods.arrow"), "web", 60 * S)).toBeGreaterThanOrEqual(4);
    // The drained node held 3 of web's pods and the budget allowed 2 disruptions: an eviction
    // was refused and retried, so the check is not vacuous.
    expect(summary.api["create pods/eviction"]?.count).toBeGreaterThan(3);
    expect(summary.pods.running).toBe(6);
    expect(summary.autoscaler!.provisioner).toBe("karpenter");
    const large = pools.find((p) => p.instanceType === "large")!;
    expect(large.costUsd).toBeCloseTo(large.nodeHours * 0.8, 2);
  });

  it("karpenter.sh/do-not-disrupt keeps the nodes of such pods: no Underutilized consolidation", () => {
    const { read } = consolidation("karpenter-dnd", '{ karpenter.sh/do-not-disrupt: "true" }');
    const reasons = read("autoscaler.arrow").getChild("reason")!.toArray() as string[];
    expect(reasons).not.toContain("Underutilized");
  });
});

describe("karpenter: scenario section", () => {
  it("with the Cluster Autoscaler too is a located error", () => {
    const text = readFileSync("scenarios/karpenter-burst.yaml", "utf8").replace(
      "karpenter:",
      "clusterAutoscaler: { scanInterval: 10s }\nkarpenter:",
    );
    expect(() => parseScenario("scenarios/karpenter-burst.yaml", text)).toThrow(/karpenter.*one or the other/s);
  });
});
