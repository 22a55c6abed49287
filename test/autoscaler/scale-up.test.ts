import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { Resource, Verb } from "../../src/apiserver/request-table.js";
import { REASON_NAMES } from "../../src/autoscaler/decision-log.js";
import { NS_PER } from "../../src/core/time.js";
import { Simulation } from "../../src/sim/simulation.js";
import { CONSTANT_LATENCIES, caScenario } from "./ca-scenario.js";

const S = NS_PER.s;
const M = 60 * S;
const pool = (name: string, count: number, cpu: number, extra = "") =>
  `    - { name: ${name}, count: ${count}, allocatable: { cpu: ${cpu}, memory: ${cpu * 4}Gi, pods: 110 }, images: [registry.k8s.io/pause:3.9]${extra} }`;
const group = (name: string, cpu: number, max: number, extra = "") =>
  pool(name, 0, cpu, `, autoscaling: { minNodes: 0, maxNodes: ${max}, provisionTime: 30s }${extra}`);

/** The decisions of a finished run: [time, group, change, reason]. */
function decisions(sim: Simulation): [number, string, number, string][] {
  const ca = sim.clusterAutoscaler!;
  const log = ca.decisions;
  const out: [number, string, number, string][] = [];
  for (let i = 0; i < log.size; i++)
    out.push([log.timeNs[i]!, ca.groups.groups[log.group[i]!]!.name, log.change[i]!, REASON_NAMES[log.reason[i]!]!]);
  return out;
}

function present(sim: Simulation, prefix: string): number {
  let n = 0;
  for (let i = 0; i < sim.nodes.size; i++)
    if (sim.nodes.present[i] === 1 && sim.nodes.names[i]!.startsWith(prefix)) n++;
  return n;
}

describe("Cluster Autoscaler scale-up", () => {
  it("time to all Running = scan interval + provisioning time + registration + the same startup as nodes an addNodes step brings at that instant", () => {
    // One 4-CPU node holds 4 of the 10 one-CPU pods; the other 6 need one 8-CPU node.
    const pools = [pool("base", 1, 4), group("burst", 8, 5)].join("\n");
    const ca = new Simulation(caScenario({ name: "ca-closed-form", pools, replicas: 10, constant: true }));
    ca.run();
    expect(decisions(ca)).toEqual([[10 * S, "burst", 1, "ScaleUp"]]);
    const row = ca.nodes.names.indexOf("burst-0");
    const joined = ca.clusterAutoscaler!.joinedAtNs[row]!;
    // Registration: the kubelet's Node create, submitted when the VM is up (scan + 30 s).
    const req = ca.api.requests;
    let registration = Number.NaN;
    for (let i = 0; i < req.size; i++)
      if (req.verb[i] === Verb.create && req.resource[i] === Resource.nodes)
        registration = req.doneNs[i]! - req.submitNs[i]!;
    expect(joined).toBe(10 * S + 30 * S + registration);
    // The control: the same node joins by an addNodes step at that very instant.
    // (The autoscaler is there but never scans: the runs differ only in how the node joins.)
    const control = caScenario({
      name: "ca-closed-form",
      pools,
      autoscaler: "  scanInterval: 10h",
      replicas: 10,
      constant: true,
      steps: `  - at: ${joined}ns\n    addNodes: { pool: burst, count: 1 }`,
    });
    const c = new Simulation(control);
    c.run();
    const startup = c.allRunning.atNs - joined;
    expect(startup).toBeGreaterThan(0);
    expect(ca.allRunning.atNs).toBe(10 * S + 30 * S + registration + startup);
  });

  // small: 4 CPU / 16 GiB nodes, at most 2; large: 16 CPU / 64 GiB, at most 2. 20 pods of 1 CPU, 1 GiB.
  // least-waste: small 2 nodes hold 8 pods, waste 0 + (32-8)/32 = 0.75; large 2 nodes hold 20,
  // waste (32-20)/32 + (128-20)/128 = 1.22: small first (2 nodes), then 12 pods on 1 large node.
  // most-pods: large (20 pods) against small (8): 2 large nodes.
  const pools = [
    pool("base", 1, 1),
    group("small", 4, 2, ", costPerHour: 0.2"),
    group("large", 16, 2, ", costPerHour: 1"),
  ].join("\n");
  const rows: [string, string, [string, number][], number, number][] = [
    [
      "least-waste",
      "expander: least-waste",
      [
        ["small", 2],
        ["large", 1],
      ],
      2,
      1,
    ],
    ["most-pods", "expander: most-pods", [["large", 2]], 0, 2],
    [
      "priority (large above small)",
      "expander: priority\n  priorities: { 10: [sma], 20: ['^lar'] }",
      [["large", 2]],
      0,
      2,
    ],
    // price: small 2 x 0.2 / 8 pods = 0.05 per pod, large 2 x 1 / 20 = 0.1: small, then large.
    [
      "price",
      "expander: price",
      [
        ["small", 2],
        ["large", 1],
      ],
      2,
      1,
    ],
  ];
  for (const [name, cfg, ups, small, large] of rows) {
    it(`${name}: the node counts follow the expander's arithmetic`, () => {
      const sim = new Simulation(caScenario({ name: "ca-expander", pools, autoscaler: `  ${cfg}`, replicas: 20 }));
      sim.run();
      expect(decisions(sim).map(([, g, n]) => [g, n])).toEqual(ups);
      expect(present(sim, "small-")).toBe(small);
      expect(present(sim, "large-")).toBe(large);
      expect(sim.store.runningPods).toBe(20);
    });
  }

  it("max-nodes-total caps the scale-up", () => {
    const sim = new Simulation(
      caScenario({
        name: "ca-cap",
        pools,
        autoscaler: "  expander: most-pods\n  maxNodesTotal: 2",
        replicas: 20,
        stopWhen: "timeLimit",
        timeLimit: "5m",
      }),
    );
    sim.run();
    expect(decisions(sim).map(([, g, n]) => [g, n])).toEqual([["large", 1]]);
    // The base node's one pod, and 16 on the one large node max-nodes-total leaves room for.
    expect(sim.store.runningPods).toBe(17);
  });
});

describe("scenarios/autoscale-burst.yaml", () => {
  it("with constant delays, at 1/10 scale: all Running at scan interval + provisioning time + registration + startup, exactly", () => {
    const file = "scenarios/autoscale-burst.yaml";
    const withConstantDelays = (edit: (doc: ReturnType<typeof parseDocument>) => void) => {
      const doc = parseDocument(readFileSync(file, "utf8"));
      const constant = parseDocument(CONSTANT_LATENCIES).toJS() as Record<string, Record<string, unknown>>;
      for (const [k, v] of Object.entries(constant.controlPlane!))
        for (const [kk, vv] of Object.entries(v as Record<string, unknown>)) doc.setIn(["controlPlane", k, kk], vv);
      doc.set("kubelet", constant.kubelet);
      edit(doc);
      return parseScenario(file, String(doc), { scale: 0.1 });
    };
    const ca = new Simulation(withConstantDelays(() => {}));
    ca.run();
    // 500 pods: the base node holds 16, the other 484 need ceil(484 / 32) = 16 burst nodes, in one scan.
    expect(decisions(ca)).toEqual([[10 * S, "burst", 16, "ScaleUp"]]);
    const req = ca.api.requests;
    let registration = 0;
    for (let i = 0; i < req.size; i++)
      if (req.verb[i] === Verb.create && req.resource[i] === Resource.nodes)
        registration = Math.max(registration, req.doneNs[i]! - req.submitNs[i]!);
    const joined = ca.clusterAutoscaler!.joinedAtNs;
    let last = 0;
    for (const t of joined) if (!Number.isNaN(t)) last = Math.max(last, t);
    expect(last).toBe(10 * S + 90 * S + registration);
    // The control: the autoscaler never scans. At scan interval + provisioning time each node's
    // kubelet registers as the autoscaler's do (the same Node create and Lease through the API),
    // and the node joins when its create is answered, as addNodes joins nodes (present, Ready,
    // the scheduler told). The startup is what follows in the control.
    const control = new Simulation(
      withConstantDelays((doc) => doc.setIn(["clusterAutoscaler", "scanInterval"], "10h")),
    );
    const e = control.engine;
    const client = (row: number) => control.clients.names.indexOf(`system:node:${control.nodes.names[row]}`);
    const reply = e.register("test.reply", () => {});
    const registered = e.register("test.registered", (row) => {
      control.nodes.present[row] = 1;
      control.nodes.ready[row] = 1;
      control.api.submit(client(row), Verb.create, Resource.leases, row, 0, 300, reply, row);
      control.scheduler.onNodeChanged(row);
    });
    const register = e.register("test.register", (row) =>
      control.api.submit(client(row), Verb.create, Resource.nodes, row, 0, 10_000, registered, row),
    );
    joined.forEach((t, row) => {
      if (!Number.isNaN(t)) e.scheduleAt(10 * S + 90 * S, register, row);
    });
    control.run();
    const startup = control.allRunning.atNs - last;
    expect(startup).toBeGreaterThan(0);
    expect(ca.allRunning.atNs).toBe(10 * S + 90 * S + registration + startup);
  });
});

describe("max-node-provision-time and determinism", () => {
  it("a node that does not register in time is deleted and its group backs off for 5 minutes", () => {
    const pools = [
      pool("base", 1, 1),
      "    - { name: slow, count: 0, allocatable: { cpu: 8, memory: 32Gi }, autoscaling: { maxNodes: 3, provisionTime: 20m } }",
    ].join("\n");
    const sim = new Simulation(
      caScenario({ name: "ca-slow", pools, replicas: 5, stopWhen: "timeLimit", timeLimit: "31m" }),
    );
    sim.run();
    // 10 s: scale-up; 15 m later the VM is given up; the next scan after the 5-minute backoff tries again.
    expect(decisions(sim)).toEqual([
      [10 * S, "slow", 1, "ScaleUp"],
      [10 * S + 15 * M, "slow", -1, "ScaleUpTimedOut"],
      [10 * S + 20 * M, "slow", 1, "ScaleUp"],
    ]);
    expect(sim.clusterAutoscaler!.provisionTimeouts).toBe(1);
  });

  it("the same scenario and seed give the same decisions and node-hours", () => {
    const run = () => {
      const sim = new Simulation(
        caScenario({ name: "ca-det", pools: [pool("base", 1, 4), group("burst", 8, 5)].join("\n"), replicas: 30 }),
      );
      sim.run();
      return [decisions(sim), sim.allRunning.atNs];
    };
    expect(run()).toEqual(run());
  });
});

describe("node join hook", () => {
  it("listeners hear of each node the autoscaler brings, once it is Registered and before the scheduler", () => {
    const sim = new Simulation(
      caScenario({ name: "ca-hook", pools: [pool("base", 1, 1), group("burst", 8, 5)].join("\n"), replicas: 17 }),
    );
    const heard: [string, number, number][] = [];
    sim.clusterAutoscaler!.joinListeners.push({
      onNodeJoined: (node) =>
        heard.push([sim.nodes.names[node]!, sim.nodes.present[node]!, sim.scheduler.cache.podsOn(node).length]),
    });
    sim.run();
    // 16 pods need 2 nodes of 8 CPUs; each is present when heard of, and has no pod yet.
    expect(heard).toEqual([
      ["burst-0", 1, 0],
      ["burst-1", 1, 0],
    ]);
  });
});
