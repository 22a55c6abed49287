import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { tmpDir } from "../tmp-dir.js";

// A small EKS-like cluster as kubectl dumps it (test/fixtures/cluster-dump): five real Node
// objects (a tainted GPU node, a NotReady one), its pods (kube-proxy on every node, the web
// Deployment's six, CoreDNS, a Pending StatefulSet pod, a Succeeded Job pod), Deployments (one
// Recreate, one with a priorityClassName), PriorityClasses, a PDB, a Service and a ConfigMap in JSON.
const SCENARIO = "test/fixtures/cluster-dump/scenario.yaml";
const out = tmpDir("simctl-dump-");
const run = runScenario(loadScenario(SCENARIO), { outRoot: out });
const dir = join(out, "cluster-dump-1");
const pods = tableFromIPC(readFileSync(join(dir, "pods.arrow")));
const col = (name: string) => {
  const v = pods.getChild(name)!;
  return Array.from({ length: v.length }, (_, i) => v.get(i) as unknown);
};
const rows = Array.from({ length: pods.numRows }, (_, i) => ({
  pod: String(col("pod")[i]),
  scheduled: col("scheduled_ns")[i] === null ? null : Number(col("scheduled_ns")[i]),
  attempts: Number(col("attempts")[i]),
  deployment: String(col("deployment")[i]),
  replicaset: String(col("replicaset")[i]),
  node: col("node")[i] === null ? null : String(col("node")[i]),
  created: Number(col("created_ns")[i]),
  deletion: col("deletion_ns")[i] === null ? null : Number(col("deletion_ns")[i]),
  deleted: col("deleted_ns")[i] === null ? null : Number(col("deleted_ns")[i]),
  priority: Number(col("priority")[i]),
  ownerKind: String(col("owner_kind")[i]),
}));

describe("a kubectl dump of a real cluster runs end to end", () => {
  test("every pod reaches Running on a node of the dump, and the report names what was not simulated", () => {
    expect(run.summary.timeToAllRunningNs).not.toBeNull();
    // 11 of the Deployments (the web pods of the dump among them) + 5 kube-proxy, 2 CoreDNS, cache-0.
    expect(run.summary.pods.running).toBe(19);
    const inputs = JSON.parse(readFileSync(join(dir, "inputs.json"), "utf8"));
    // The PodDisruptionBudget is modelled (the disruption controller keeps its status).
    expect(inputs.kindsNotModelled.map((e: { kind: string }) => e.kind)).toEqual(["Service", "ConfigMap"]);
    expect(run.simulation.disruptionController!.budgets.budgets[0]!.expectedPods).toBe(6);
    expect(inputs.kindsNotModelled[1].first).toMatch(/web-config\.json:1$/);
    const fields = inputs.fieldsNotModelled.map((e: { kind: string; field: string }) => `${e.kind} ${e.field}`);
    expect(fields).toContain("Deployment spec.template.spec.containers[].env");
    // minReadySeconds, paused and progressDeadlineSeconds are modelled (deployment-controller.ts).
    expect(fields).not.toContain("Deployment spec.progressDeadlineSeconds");
    // Server-written fields (status, uid, resourceVersion, managedFields ...) are accepted silently.
    expect(fields.filter((f: string) => /status|uid|resourceVersion|creationTimestamp/.test(f))).toEqual([]);
    // nginx:1.25.3 is sized by the nodes' status.images (docker.io/library/nginx:1.25.3).
    expect(inputs.imagesDefaultSize.map((e: { image: string }) => e.image)).not.toContain("nginx:1.25.3");
    expect(inputs.imagesDefaultSize.map((e: { image: string }) => e.image)).toContain("ghcr.io/acme/ledger:2.4.1");
    expect(inputs.podsSkipped).toEqual([expect.objectContaining({ field: "status.phase=Succeeded", count: 1 })]);
    // The CronJob's finished Job in the dump is skipped: the CronJob, created anew, makes its own.
    expect(inputs.objectsSkipped).toEqual([
      expect.objectContaining({ kind: "Job", count: 1, first: expect.stringMatching(/cronjobs\.yaml:\d+$/) }),
    ]);
  });

  test("the GPU pod lands on the tainted GPU node; nothing is scheduled to the NotReady node or the GPU node otherwise", () => {
    const gpu = "ip-10-0-1-201.us-west-2.compute.internal";
    for (const r of rows.filter((x) => x.scheduled !== null && x.ownerKind === "Deployment")) {
      expect(r.node).not.toBe("ip-10-0-2-99.us-west-2.compute.internal");
      expect(r.node === gpu).toBe(r.deployment === "trainer");
    }
  });

  test("priorityClassName and the globalDefault class set each pod's priority; owner_kind names the workload kind", () => {
    for (const r of rows.filter((x) => x.ownerKind === "Deployment"))
      expect(r.priority).toBe(r.deployment === "web" ? 100_000 : 1000);
    expect(rows.filter((r) => r.pod.startsWith("kube-proxy-")).map((r) => r.ownerKind)).toEqual(
      Array(5).fill("DaemonSet"),
    );
    expect(rows.find((r) => r.pod === "cache-0")!.ownerKind).toBe("StatefulSet");
    expect(rows.find((r) => r.pod === "coredns-5b8f7c6d9-qx4lz")!.ownerKind).toBe("ReplicaSet");
  });

  test("pre-bound pods are never rescheduled or duplicated; the Pending one is scheduled; the Succeeded one is skipped", () => {
    const dump = parse(readFileSync("test/fixtures/cluster-dump/pods.yaml", "utf8")) as {
      items: { metadata: { name: string }; spec: { nodeName?: string }; status: { phase: string } }[];
    };
    const prebound = new Map<string, string>();
    for (const p of dump.items)
      if (p.spec.nodeName !== undefined && p.status.phase === "Running") prebound.set(p.metadata.name, p.spec.nodeName);
    expect(prebound.size).toBe(13);
    for (const [name, node] of prebound) {
      const mine = rows.filter((r) => r.pod === name);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.node).toBe(node);
      expect(mine[0]!.scheduled).toBeNull();
      expect(mine[0]!.attempts).toBe(0);
      expect(mine[0]!.deletion).toBeNull();
    }
    // The web Deployment adopts its six pods: its ReplicaSet creates none.
    expect(
      rows
        .filter((r) => r.deployment === "web")
        .map((r) => r.pod)
        .sort(),
    ).toEqual([...prebound.keys()].filter((n) => n.startsWith("web-")).sort());
    // The StatefulSet of the dump adopts its Pending pod at ordinal 0: its controller creates none.
    expect(rows.filter((r) => r.deployment === "cache").map((r) => r.pod)).toEqual(["cache-0"]);
    const cache = rows.find((r) => r.pod === "cache-0")!;
    expect(cache.scheduled).not.toBeNull();
    expect(cache.node).not.toBeNull();
    expect(rows.some((r) => r.pod.startsWith("report-"))).toBe(false);
  });

  test("the kube-proxy DaemonSet adopts its pod on every node: it creates none, and counts each node as done", () => {
    const proxies = rows.filter((r) => r.deployment === "kube-proxy");
    expect(proxies.map((r) => r.pod).sort()).toEqual([
      "kube-proxy-ax0q",
      "kube-proxy-bx1q",
      "kube-proxy-cx2q",
      "kube-proxy-dx3q",
      "kube-proxy-ex4q",
    ]);
    expect(new Set(proxies.map((r) => r.node)).size).toBe(5);
    expect(proxies.every((r) => r.ownerKind === "DaemonSet" && r.deletion === null)).toBe(true);
    const dsc = run.simulation.daemonSetController!;
    expect([dsc.creates, dsc.deletes]).toEqual([0, 0]);
    // It tolerates every taint (operator: Exists): the GPU node and the NotReady node run it too.
    expect(run.simulation.store.daemonSets[0]!.status).toMatchObject({
      desiredNumberScheduled: 5,
      currentNumberScheduled: 5,
      updatedNumberScheduled: 5,
      numberMisscheduled: 0,
    });
    expect(run.summary.byOwnerKind.DaemonSet!.created).toBe(5);
  });

  test("Recreate deletes every old pod before it creates a new one", () => {
    const ledger = rows.filter((r) => r.deployment === "ledger");
    const sets = [...new Set(ledger.map((r) => r.replicaset))];
    expect(sets.length).toBe(2);
    const old = ledger.filter((r) => r.replicaset === sets[0]);
    const fresh = ledger.filter((r) => r.replicaset === sets[1]);
    expect(old.length).toBe(4);
    expect(fresh.length).toBe(4);
    const lastGone = Math.max(...old.map((r) => r.deleted ?? Number.POSITIVE_INFINITY));
    expect(Number.isFinite(lastGone)).toBe(true);
    expect(Math.min(...fresh.map((r) => r.created))).toBeGreaterThan(lastGone);
  });
});
