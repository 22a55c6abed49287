import { describe, expect, test } from "vitest";
import { NS_PER } from "../../src/core/time.js";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { Simulation } from "../../src/sim/simulation.js";

const S = NS_PER.s;

function scenario(body: string): Simulation {
  const text = `name: sched-test
seed: 3
images:
  - { name: registry.k8s.io/pause:3.9, size: 268Ki }
controlPlane:
  scheduler: { qps: 500, burst: 1000 }
${body}`;
  return new Simulation(parseScenario("test/scheduler/sched-test.yaml", text));
}

const deployment = (name: string, replicas: number, cpu: string, extra = "") => `      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: ${name} }
        spec:
          replicas: ${replicas}
          selector: { matchLabels: { app: ${name} } }
          template:
            metadata: { labels: { app: ${name} } }
            spec:
${extra}              containers:
                - { name: c, image: registry.k8s.io/pause:3.9, resources: { requests: { cpu: ${cpu}, memory: 64Mi } } }`;

describe("KubeScheduler in a run", () => {
  test("pods that did not fit are scheduled when a node joins (NodeChange), not at the 5-minute flush", () => {
    const sim = scenario(`cluster:
  nodePools:
    - { name: small, count: 1, allocatable: { cpu: 1, memory: 4Gi, pods: 110 }, images: [registry.k8s.io/pause:3.9] }
workload:
  - at: 0s
    deployments:
${deployment("web", 4, "500m")}
  - at: 60s
    addNodes: { pool: small, count: 1 }
stop: { when: allRunning, timeLimit: 30m }
`);
    sim.run();
    expect(sim.store.runningPods).toBe(4);
    const rows = Array.from({ length: sim.scheduler.log.size }, (_, i) => sim.scheduler.log.row(i));
    const failed = rows.filter((r) => r.result === "Unschedulable");
    expect(failed.length).toBe(2);
    const retried = rows.filter((r) => r.attempt === 2 && r.result === "Scheduled");
    expect(retried.length).toBe(2);
    for (const r of retried) {
      expect(r.timeNs).toBeGreaterThanOrEqual(60 * S);
      expect(r.timeNs).toBeLessThan(65 * S);
    }
  }, 30_000);
  test("a pod no event can help is retried by the leftover flush about every 5 minutes", () => {
    const sim = scenario(`cluster:
  nodePools:
    - { name: n, count: 2, allocatable: { cpu: 4, memory: 4Gi, pods: 110 }, images: [registry.k8s.io/pause:3.9] }
workload:
  - at: 0s
    deployments:
${deployment("pinned", 1, "100m", "              nodeSelector: { disk: ssd }\n")}
stop: { when: timeLimit, timeLimit: 12m }
`);
    sim.run();
    const rows = Array.from({ length: sim.scheduler.log.size }, (_, i) => sim.scheduler.log.row(i));
    // Every node rejects it (NodeAffinity): three attempts in 12 minutes.
    expect(rows.map((r) => r.result)).toEqual(["Unschedulable", "Unschedulable", "Unschedulable"]);
    // Flushed at the first 30 s tick more than 5 minutes after it became unschedulable.
    const gaps = rows.slice(1).map((r, i) => r.timeNs - rows[i]!.timeNs);
    for (const g of gaps) {
      expect(g).toBeGreaterThan(300 * S);
      expect(g).toBeLessThanOrEqual(331 * S);
    }
    expect(sim.scheduler.pendingUnschedulable).toBe(1);
  }, 30_000);
  test("scheduler.arrow columns: one row per attempt", () => {
    const sim = scenario(`cluster:
  nodePools:
    - { name: n, count: 3, allocatable: { cpu: 4, memory: 4Gi, pods: 110 }, images: [registry.k8s.io/pause:3.9] }
workload:
  - at: 0s
    deployments:
${deployment("web", 5, "100m")}
stop: { when: allRunning, timeLimit: 10m }
`);
    sim.run();
    const { columns, rows } = sim.scheduler.attemptColumns();
    expect(rows).toBe(5);
    expect(columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      "time_ns:int64",
      "pod_row:int32",
      "attempt:int32",
      "profile:dict",
      "nodes_filtered:int32",
      "feasible:int32",
      "chosen_node:dict",
      "score:float64",
      "result:dict",
      "cycle_cost_ns:int64",
    ]);
    const dict = (name: string) => {
      const c = columns.find((x) => x.name === name)!;
      if (c.type !== "dict") throw new Error(`${name} is not a dictionary column`);
      return c;
    };
    const chosen = dict("chosen_node");
    for (const v of chosen.values) expect(chosen.dictionary[v]).toMatch(/^n-\d$/);
    const result = dict("result");
    for (const v of result.values) expect(result.dictionary[v]).toBe("Scheduled");
    for (const c of columns) expect(c.values.length).toBe(rows);
  }, 30_000);
});

describe("KubeScheduler preemption in a run", () => {
  const ONE_CPU_NODE = `cluster:
  nodePools:
    - { name: n, count: 1, allocatable: { cpu: 1, memory: 4Gi, pods: 110 }, images: [registry.k8s.io/pause:3.9] }
`;
  /** Nodes of the pods of the template with this priority and CPU request (-1: never bound). */
  const nodesOf = (sim: Simulation, priority: number, cpuMilli: number) => {
    const t = sim.templates.findIndex((x) => x.priority === priority && x.nonZeroCpuMilli === cpuMilli);
    const out: number[] = [];
    for (let p = 0; p < sim.pods.size; p++) if (sim.pods.template[p] === t) out.push(sim.pods.node[p]!);
    return out;
  };

  test("a high-priority pod preempts a low-priority one through the API and then runs", () => {
    const sim = scenario(`${ONE_CPU_NODE}workload:
  - at: 0s
    deployments:
${deployment("low", 1, "800m", "              priority: 0\n")}
  - at: 30s
    deployments:
${deployment("high", 1, "800m", "              priority: 1000\n")}
stop: { when: timeLimit, timeLimit: 5m }
`);
    sim.run();
    expect([sim.scheduler.preemptions, sim.scheduler.victimsDeleted]).toEqual([1, 1]);
    const rows = Array.from({ length: sim.scheduler.log.size }, (_, i) => sim.scheduler.log.row(i));
    expect(rows.map((r) => r.result)).toContain("Nominated");
    // The high-priority pod is bound to the node in the end.
    expect(nodesOf(sim, 1000, 800)).toContain(0);
  }, 30_000);

  test("the preemptor's nominated node keeps the freed room: a lower-priority pod never takes it meanwhile", () => {
    // One 1-CPU node: low (800m) runs; filler (300m) waits, unschedulable; high (800m) preempts
    // low. When low is gone, filler is in activeQ while high still waits out its backoff:
    // without the nomination filler would take the room and high would have to preempt again.
    const sim = scenario(`${ONE_CPU_NODE}workload:
  - at: 0s
    deployments:
${deployment("low", 1, "800m", "              priority: 0\n              terminationGracePeriodSeconds: 0\n")}
  - at: 20s
    deployments:
${deployment("filler", 1, "300m", "              priority: 0\n")}
  - at: 30s
    deployments:
${deployment("high", 1, "800m", "              priority: 1000\n")}
stop: { when: timeLimit, timeLimit: 3m }
`);
    sim.run();
    expect(sim.scheduler.preemptions).toBe(1);
    // high ends on the node; filler (priority 0, like the victim) was never bound there.
    expect(nodesOf(sim, 1000, 800)).toContain(0);
    expect(nodesOf(sim, 0, 300)).toEqual([-1]);
  }, 30_000);
});
