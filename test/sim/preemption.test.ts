import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, test } from "vitest";
import { Resource, Verb } from "../../src/apiserver/request-table.js";
import { NS_PER } from "../../src/core/time.js";
import { parseScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { tmpDir } from "../tmp-dir.js";

const S = NS_PER.s;

const deployment = (name: string, cpu: string, priority: number, extra = "") => `      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: ${name} }
        spec:
          replicas: 1
          selector: { matchLabels: { app: ${name} } }
          template:
            metadata: { labels: { app: ${name} } }
            spec:
              priority: ${priority}
${extra}              containers:
                - { name: c, image: registry.k8s.io/pause:3.9, resources: { requests: { cpu: ${cpu}, memory: 64Mi } } }`;
/** A scenario's head: one-node pools of `cpu` CPUs named `pools`, containers that take `stop` to stop. */
const head = (name: string, seed: number, pools: string[], cpu: number, stop: string, extra = "") => `name: ${name}
seed: ${seed}
images:
  - { name: registry.k8s.io/pause:3.9, size: 268Ki }
cluster:
  nodePools:
${pools.map((p) => `    - { name: ${p}, count: 1, allocatable: { cpu: ${cpu}, memory: 4Gi, pods: 110 }, images: [registry.k8s.io/pause:3.9] }`).join("\n")}
${extra}kubelet:
  containerStop: { dist: constant, value: ${stop} }
`;
/** A workload step creating these Deployments at `at`. */
const step = (at: string, ...deployments: string[]) => `  - at: ${at}\n    deployments:\n${deployments.join("\n")}\n`;
const on = (node: string) => `              nodeSelector: { kubernetes.io/hostname: ${node} }\n`;

/**
 * Two 2-CPU nodes. a-0 runs two 1-CPU pods of priority 100; b-0 one of priority 10 (its
 * containers take 60 s to stop, its grace period is `grace`) and one of priority 100. At 20 s a
 * 1-CPU filler of priority 10 arrives (it fits nowhere and may preempt nothing); at 30 s a 1-CPU
 * pod of priority 1000.
 */
function run(asyncPreemption: boolean, grace: number) {
  const text = `${head("preempt-e2e", 5, ["a", "b"], 2, "60s", `controlPlane:\n  scheduler: { asyncPreemption: ${asyncPreemption} }\n`)}workload:
${step(
  "0s",
  deployment("mid-a1", "1", 100, on("a-0")),
  deployment("mid-a2", "1", 100, on("a-0")),
  deployment("low-b", "1", 10, `${on("b-0")}              terminationGracePeriodSeconds: ${grace}\n`),
  deployment("mid-b", "1", 100, on("b-0")),
)}${step("20s", deployment("filler", "1", 10))}${step("30s", deployment("high", "1", 1000))}stop: { when: timeLimit, timeLimit: 2m }
`;
  const scenario = parseScenario("test/sim/preempt-e2e.yaml", text);
  const out = tmpDir("simctl-preempt-");
  const { summary, simulation: sim } = runScenario(scenario, { outRoot: out });
  const t = tableFromIPC(readFileSync(join(out, "preempt-e2e-5", "pods.arrow")));
  const rows = Array.from({ length: t.numRows }, (_, i) => {
    const get = (c: string) => t.getChild(c)!.get(i) as unknown;
    const ns = (c: string) => (get(c) === null ? null : Number(get(c)));
    return {
      deployment: get("deployment") as string,
      node: get("node") as string | null,
      nominated: get("nominated_node") as string | null,
      reason: get("reason") as string,
      deletion: ns("deletion_ns"),
      terminated: ns("terminated_ns"),
      running: ns("running_ns"),
    };
  });
  /** The scheduler's requests on pod `pod` of `verb` and `resource`: [submit, answered]. */
  const calls = (pod: number, verb: number, resource: number) => {
    const r = sim.api.requests;
    const client = sim.clients.names.indexOf("system:kube-scheduler");
    const out: [number, number][] = [];
    for (let i = 0; i < r.size; i++)
      if (r.client[i] === client && r.object[i] === pod && r.verb[i] === verb && r.resource[i] === resource)
        out.push([r.submitNs[i]!, r.doneNs[i]!]);
    return out;
  };
  return { summary, rows, by: (d: string) => rows.filter((r) => r.deployment === d), calls };
}

describe("preemption end to end (pods.arrow)", () => {
  // Grace period 0: the victim is gone while the preemptor still waits out its 1 s backoff, and
  // the filler, moved to activeQ by the deletion, is tried first: only the nomination keeps it out.
  const { summary, rows, by, calls } = run(true, 0);

  test("the preemptor takes the node whose highest victim priority is lowest, and only the minimal victim", () => {
    const [high] = by("high");
    expect(high).toMatchObject({ node: "b-0", nominated: "b-0" });
    // One victim: low-b. mid-b (more important) is reprieved; a-0's pods are untouched.
    const victims = rows.filter((r) => r.reason === "PreemptionByScheduler");
    expect(victims.map((v) => v.deployment)).toEqual(["low-b"]);
    for (const d of ["mid-a1", "mid-a2", "mid-b"]) expect(by(d)[0]!.deletion).toBeNull();
    expect(summary.preemption).toMatchObject({
      preemptions: 1,
      victims: 1,
      preemptors: 1,
      boundToNominatedNode: 1,
      pdbViolatingVictims: 0,
    });
  });

  test("the victim stops within its grace period (8 s, not the 60 s its containers would take) and holds its CPU until then", () => {
    const { rows, by } = run(true, 8);
    const v = rows.find((r) => r.reason === "PreemptionByScheduler")!;
    // From the deletionTimestamp: the kubelet's watch delivery, then SIGKILL at the grace period's end.
    const stop = v.terminated! - v.deletion!;
    expect(stop).toBeGreaterThanOrEqual(8 * S);
    expect(stop).toBeLessThan(9 * S);
    const [high] = by("high");
    // The preemptor runs only after the victim is gone.
    expect(high!.running!).toBeGreaterThan(v.terminated!);
  });

  test("a lower-priority pod never takes the nominated room meanwhile", () => {
    const [filler] = by("filler");
    const [high] = by("high");
    const victim = rows.find((r) => r.reason === "PreemptionByScheduler")!;
    // The room was free before the preemptor's next cycle...
    expect(victim.terminated!).toBeLessThan(31 * S);
    expect(high!.running!).toBeGreaterThan(31 * S);
    // ...and the filler was never bound.
    expect(filler!.node).toBeNull();
    // Nor did the victim's replacement (priority 10, like the filler): no second pod of low-b bound.
    expect(by("low-b").filter((r) => r.node !== null)).toHaveLength(1);
  });

  test("synchronous preemption (the path before v1.33) makes the same decision", () => {
    const sync = run(false, 0);
    expect(sync.by("high")[0]).toMatchObject({ node: "b-0", nominated: "b-0" });
    expect(sync.rows.filter((r) => r.reason === "PreemptionByScheduler").map((r) => r.deployment)).toEqual(["low-b"]);
    expect(sync.by("filler")[0]!.node).toBeNull();
  });

  test("the API calls: the victim's DisruptionTarget patch, then its delete; the nominatedNodeName patch after them (sync) or beside them (async)", () => {
    for (const async of [true, false]) {
      const r = async ? { rows, calls } : run(false, 0);
      const victim = r.rows.findIndex((x) => x.reason === "PreemptionByScheduler");
      const high = r.rows.findIndex((x) => x.deployment === "high");
      const [patch] = r.calls(victim, Verb.patch, Resource.podsStatus);
      const [del] = r.calls(victim, Verb.delete, Resource.pods);
      const [nomination] = r.calls(high, Verb.patch, Resource.podsStatus);
      expect(del![0]).toBeGreaterThanOrEqual(patch![1]);
      if (async) expect(nomination![0]).toBeLessThan(del![1]);
      else expect(nomination![0]).toBeGreaterThanOrEqual(del![1]);
    }
  });
});

describe("nominated pods in the filters of other pods (RunFilterPluginsWithNominatedPods)", () => {
  test("a pod of higher priority ignores a lower pod's nomination, preempts for itself and clears that nomination", () => {
    // One 1-CPU node: low (800m) runs, its containers take 20 s to stop. mid (priority 500)
    // preempts low at 30 s and is nominated; high (priority 1000) arrives at 35 s while low still
    // terminates. For high, mid's nomination does not count, so it preempts too (low, already
    // terminating, needs no second delete), and mid's nomination is cleared: high runs there.
    const text = `${head("preempt-nominated", 2, ["n"], 1, "20s")}workload:
${step("0s", deployment("low", "800m", 0))}${step("30s", deployment("mid", "800m", 500))}${step("35s", deployment("high", "800m", 1000))}stop: { when: timeLimit, timeLimit: 2m }
`;
    const { simulation: sim } = runScenario(parseScenario("test/sim/preempt-nominated.yaml", text), { write: false });
    const t = (name: string) => sim.templates.findIndex((x) => x.priority === { low: 0, mid: 500, high: 1000 }[name]);
    const podOf = (name: string) => {
      for (let p = 0; p < sim.pods.size; p++) if (sim.pods.template[p] === t(name)) return p;
      return -1;
    };
    const [mid, high] = [podOf("mid"), podOf("high")];
    expect(sim.scheduler.preemptions).toBe(2);
    expect(sim.scheduler.victimsDeleted).toBe(1);
    expect([sim.pods.node[high], sim.pods.nominatedNode[high]]).toEqual([0, 0]);
    expect([sim.pods.node[mid], sim.pods.nominatedNode[mid]]).toEqual([-1, -1]);
  });
});
