import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { importDump } from "../../src/scenario/import-dump.js";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { ScenarioError } from "../../src/scenario/scenario-error.js";
import { tmpDir } from "../tmp-dir.js";

// simctl import DIR --out scenario.yaml on the EKS-like dump of test/fixtures/cluster-dump.
function dump(): string {
  const dir = tmpDir("simctl-import-");
  cpSync("test/fixtures/cluster-dump", join(dir, "dump"), { recursive: true });
  rmSync(join(dir, "dump", "scenario.yaml"));
  return dir;
}

describe("simctl import", () => {
  test("Node files become cluster.nodes, the rest one apply: step; the written scenario loads as run reads it", () => {
    const dir = dump();
    const out = join(dir, "scenario.yaml");
    const r = importDump(join(dir, "dump"), out);
    writeFileSync(out, r.text);
    expect(Object.fromEntries(r.kinds)).toEqual({
      Node: 5,
      Pod: 15,
      CronJob: 1,
      Job: 1,
      DaemonSet: 1,
      Deployment: 3,
      PriorityClass: 2,
      StatefulSet: 1,
      PodDisruptionBudget: 1,
      Service: 1,
      ConfigMap: 1,
    });
    expect(r.needsAllowPath).toBe(false);
    const s = loadScenario(out);
    expect(s.nodePools.map((p) => p.nodeName)).toHaveLength(5);
    const step = s.workload[0]!.action;
    expect(step.kind === "create" && step.deployments.map((d) => d.name)).toEqual([
      "ledger-reconcile",
      "kube-proxy",
      "web",
      "ledger",
      "trainer",
      "cache",
    ]);
    // The CronJob's Jobs need a run time: its one finished Job in the dump ran 41 s.
    expect(r.text).toContain("    runDuration: 41s   # median run time of the 1 completed Job(s) in the dump\n");
    expect(readFileSync(out, "utf8")).toMatch(
      /^ {2}nodes:\n {4}- "dump\/nodes.yaml"\n {2}pods:\n {4}- "dump\/pods.yaml"$/m,
    );
    expect(s.existingPods).toHaveLength(14);
  });

  test("Jobs in the dump: runDuration is the median run time of its completed Jobs, or an assumed 5m said so", () => {
    const job = (name: string, status: string) => `- apiVersion: batch/v1
  kind: Job
  metadata: { name: ${name}, namespace: default }
  spec:
    completions: 2
    parallelism: 1
    template:
      spec:
        restartPolicy: Never
        containers: [{ name: c, image: registry.k8s.io/pause:3.9, resources: { requests: { cpu: 100m } } }]
  status: ${status}
`;
    const dir = dump();
    // Without the CronJob and its finished Job, so that only these Jobs are measured.
    rmSync(join(dir, "dump", "workloads", "cronjobs.yaml"));
    writeFileSync(
      join(dir, "dump", "workloads", "jobs.yaml"),
      `apiVersion: v1
kind: List
items:
${job("nightly", "{ startTime: '2026-11-30T02:00:00Z', completionTime: '2026-11-30T02:03:00Z' }")}${job("hourly", "{ startTime: '2026-11-30T03:00:00Z' }")}`,
    );
    const out = join(dir, "scenario.yaml");
    const r = importDump(join(dir, "dump"), out);
    expect(r.text).toContain("    runDuration: 180s   # median run time of the 1 completed Job(s) in the dump\n");
    writeFileSync(out, r.text);
    expect(loadScenario(out).workload[0]!.action.kind).toBe("create");
    writeFileSync(
      join(dir, "dump", "workloads", "jobs.yaml"),
      `apiVersion: v1\nkind: List\nitems:\n${job("hourly", "{}")}`,
    );
    expect(importDump(join(dir, "dump"), out).text).toContain("runDuration: 5m   # assumed: no completed Job");
  });

  test("a dump without Nodes, or with a file that is not YAML, is refused with located errors", () => {
    const dir = dump();
    rmSync(join(dir, "dump", "nodes.yaml"));
    writeFileSync(join(dir, "dump", "notes.txt"), "kubectl get nodes");
    try {
      importDump(join(dir, "dump"), join(dir, "s.yaml"));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      expect((e as ScenarioError).issues.map((i) => i.file)).toEqual([join(dir, "dump", "notes.txt")]);
    }
  });
});
