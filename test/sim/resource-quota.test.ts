import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { peakOverlap } from "./peak-overlap.js";
import { tmpDir } from "../tmp-dir.js";

const QUOTA = (hard: string) => `apiVersion: v1
kind: Namespace
metadata: { name: team }
---
apiVersion: v1
kind: ResourceQuota
metadata: { name: compute, namespace: team }
spec:
  hard: ${hard}
`;

const WEB = (resources: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: team }
spec:
  replicas: 10
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - { name: app, image: registry.example/web:1, resources: ${resources} }
`;

const JOB = `apiVersion: batch/v1
kind: Job
metadata: { name: batch, namespace: team }
spec:
  completions: 6
  parallelism: 5
  template:
    spec:
      restartPolicy: Never
      containers:
        - { name: work, image: registry.example/web:1, resources: { requests: { cpu: 100m } } }
`;

/** Runs `manifests` on three 4-CPU nodes until all Running or 10 simulated minutes; pods.arrow rows and the summary. */
function run(manifests: string, runDuration = "") {
  const dir = tmpDir("simctl-quota-");
  writeFileSync(join(dir, "m.yaml"), manifests);
  writeFileSync(
    join(dir, "s.yaml"),
    `name: quota
seed: 1
cluster:
  nodePools:
    - { name: n, count: 3, allocatable: { cpu: 4, memory: 16Gi, pods: 110 } }
images:
  - { name: registry.k8s.io/pause:3.9, size: 268Ki }
  - { name: registry.example/web:1, size: 20Mi }
workload:
  - { at: 0s, apply: m.yaml${runDuration} }
stop: { when: allRunning, timeLimit: 10m }
`,
  );
  const result = runScenario(loadScenario(join(dir, "s.yaml")), { outRoot: join(dir, "out") });
  const t = tableFromIPC(readFileSync(join(dir, "out", "quota-1", "pods.arrow")));
  const col = (name: string) => Array.from({ length: t.numRows }, (_, i) => t.getChild(name)!.get(i) as unknown);
  const num = (v: unknown) => (v === null ? null : Number(v));
  const rows = col("phase").map((phase, i) => ({
    phase: String(phase),
    created: num(col("created_ns")[i]),
    terminated: num(col("terminated_ns")[i]),
    deleted: num(col("deleted_ns")[i]),
  }));
  return { summary: result.summary, rows };
}

describe("ResourceQuota admission of pod creates", () => {
  test("requests.cpu 2 admits exactly four 500m pods of ten; the rest are refused with 403, retried, and never created", () => {
    const { summary, rows } = run(`${QUOTA('{ requests.cpu: "2" }')}---\n${WEB("{ requests: { cpu: 500m } }")}`);
    expect(summary.stopReason).toBe("until"); // the time limit: six pods are never created
    expect(rows.filter((r) => r.created !== null)).toHaveLength(4);
    expect(summary.pods.running).toBe(4);
    const q = summary.resourceQuotas![0]!;
    expect(q.hard).toEqual({ "requests.cpu": 2 });
    expect(q.peakUsed).toEqual({ "requests.cpu": 2 });
    // The replicaset controller retries through its rate limiter: refused again and again.
    expect(q.rejections).toBeGreaterThan(6);
    expect(q.firstRejection).toBe(
      "exceeded quota: compute, requested: requests.cpu=500, used: requests.cpu=2000, limited: requests.cpu=2000",
    );
  });

  test("a quota on limits.cpu refuses pods whose container sets no cpu limit ('must specify')", () => {
    const { summary, rows } = run(`${QUOTA('{ limits.cpu: "10" }')}---\n${WEB("{ requests: { cpu: 100m } }")}`);
    expect(rows.filter((r) => r.created !== null)).toHaveLength(0);
    expect(summary.resourceQuotas![0]!.firstRejection).toBe("failed quota: compute: must specify limits.cpu");
  });

  test("pods: 2 lets a Job of completions 6 run at most 2 pods at a time; Succeeded pods release the quota", () => {
    const { summary, rows } = run(`${QUOTA('{ pods: "2" }')}---\n${JOB}`, ", runDuration: 30s");
    expect(summary.stopReason).toBe("stopped");
    const created = rows.filter((r) => r.created !== null);
    expect(created.filter((r) => r.phase === "Succeeded")).toHaveLength(6);
    // Charged from creation to the terminal phase: never more than two at any instant.
    expect(peakOverlap(created.map((r) => [r.created!, r.terminated!] as const))).toBe(2);
    expect(summary.resourceQuotas![0]!.peakUsed).toEqual({ pods: 2 });
  });

  test("without a quota in the pod's namespace nothing is refused", () => {
    const other = QUOTA('{ requests.cpu: "1" }').replace("namespace: team", "namespace: other");
    const { summary, rows } = run(
      `apiVersion: v1\nkind: Namespace\nmetadata: { name: other }\n---\n${other}---\n${WEB("{ requests: { cpu: 500m } }")}`,
    );
    expect(summary.stopReason).toBe("stopped");
    expect(rows.filter((r) => r.created !== null)).toHaveLength(10);
    expect(summary.resourceQuotas![0]!.rejections).toBe(0);
  });
});
