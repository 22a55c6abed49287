import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";

// A small EKS-like cluster as kubectl dumps it (test/fixtures/cluster-dump): five real Node
// objects (a tainted GPU node, a NotReady one), Deployments (one Recreate, one with a
// priorityClassName), PriorityClasses, a PDB, a Service and a ConfigMap in JSON.
const SCENARIO = "test/fixtures/cluster-dump/scenario.yaml";
const out = mkdtempSync(join(tmpdir(), "simctl-dump-"));
const run = runScenario(loadScenario(SCENARIO), { outRoot: out });
const dir = join(out, "cluster-dump-1");
const pods = tableFromIPC(readFileSync(join(dir, "pods.arrow")));
const col = (name: string) => pods.getChild(name)!.toArray() as unknown[];
const rows = Array.from({ length: pods.numRows }, (_, i) => ({
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
    expect(run.summary.pods.running).toBe(11);
    const inputs = JSON.parse(readFileSync(join(dir, "inputs.json"), "utf8"));
    expect(inputs.kindsNotModelled.map((e: { kind: string }) => e.kind)).toEqual([
      "PodDisruptionBudget",
      "Service",
      "ConfigMap",
    ]);
    expect(inputs.kindsNotModelled[2].first).toMatch(/web-config\.json:1$/);
    const fields = inputs.fieldsNotModelled.map((e: { kind: string; field: string }) => `${e.kind} ${e.field}`);
    expect(fields).toContain("Deployment spec.template.spec.containers[].env");
    expect(fields).toContain("Deployment spec.progressDeadlineSeconds");
    // Server-written fields (status, uid, resourceVersion, managedFields ...) are accepted silently.
    expect(fields.filter((f: string) => /status|uid|resourceVersion|creationTimestamp/.test(f))).toEqual([]);
    // nginx:1.25.3 is sized by the nodes' status.images (docker.io/library/nginx:1.25.3).
    expect(inputs.imagesDefaultSize.map((e: { image: string }) => e.image)).toEqual([
      "ghcr.io/acme/ledger:2.4.1",
      "nvcr.io/nvidia/pytorch:24.03-py3",
    ]);
  });

  test("the GPU pod lands on the tainted GPU node; nothing lands on the NotReady node or the GPU node otherwise", () => {
    const gpu = "ip-10-0-1-201.us-west-2.compute.internal";
    for (const r of rows) {
      expect(r.node).not.toBe("ip-10-0-2-99.us-west-2.compute.internal");
      expect(r.node === gpu).toBe(r.deployment === "trainer");
    }
  });

  test("priorityClassName and the globalDefault class set each pod's priority; owner_kind is Deployment", () => {
    for (const r of rows) {
      expect(r.priority).toBe(r.deployment === "web" ? 100_000 : 1000);
      expect(r.ownerKind).toBe("Deployment");
    }
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
