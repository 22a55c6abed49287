import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { peakOverlap } from "./peak-overlap.js";
import { numOrNull, podsColumns } from "./pods-columns.js";
import { tmpDir } from "../tmp-dir.js";

// Three Jobs beside a Deployment on a small cluster, applied from a kubectl-style file: a
// NonIndexed Job of 20 completions at parallelism 5, an Indexed one, and one whose
// activeDeadlineSeconds ends it before any pod can finish.
const JOBS = `apiVersion: batch/v1
kind: Job
metadata: { name: batch }
spec:
  completions: 20
  parallelism: 5
  ttlSecondsAfterFinished: 600
  template:
    metadata:
      annotations: { simctl.dev/run-duration: "{ dist: lognormal, p50: 20s, p99: 40s }" }
    spec:
      restartPolicy: Never
      containers:
        - { name: work, image: registry.example/batch:1, resources: { requests: { cpu: 500m, memory: 256Mi } } }
---
apiVersion: batch/v1
kind: Job
metadata: { name: indexed }
spec:
  completions: 6
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
        - { name: work, image: registry.example/batch:1 }
---
apiVersion: batch/v1
kind: Job
metadata: { name: deadline }
spec:
  completions: 10
  parallelism: 2
  activeDeadlineSeconds: 20
  template:
    metadata:
      annotations: { simctl.dev/run-duration: 5m }
    spec:
      restartPolicy: Never
      containers:
        - { name: work, image: registry.example/batch:1 }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - { name: app, image: registry.example/web:1 }
`;

const SCENARIO = `name: jobs
seed: 1
cluster:
  nodePools:
    - { name: n, count: 3, allocatable: { cpu: 4, memory: 16Gi, pods: 110 } }
images:
  - { name: registry.k8s.io/pause:3.9, size: 268Ki }
  - { name: registry.example/batch:1, size: 50Mi }
  - { name: registry.example/web:1, size: 50Mi }
workload:
  - { at: 0s, apply: jobs.yaml, runDuration: 10s }
stop: { when: allRunning, timeLimit: 30m }
`;

const dir = tmpDir("simctl-jobs-");
mkdirSync(join(dir, "in"));
writeFileSync(join(dir, "in", "jobs.yaml"), JOBS);
writeFileSync(join(dir, "in", "scenario.yaml"), SCENARIO);
const run = runScenario(loadScenario(join(dir, "in", "scenario.yaml")), { outRoot: join(dir, "out") });
const outDir = join(dir, "out", "jobs-1");
const { rows: n, col } = podsColumns(join(outDir, "pods.arrow"));
const num = numOrNull;
const rows = Array.from({ length: n }, (_, i) => ({
  pod: String(col("pod")[i]),
  owner: String(col("deployment")[i]),
  ownerKind: String(col("owner_kind")[i]),
  phase: String(col("phase")[i]),
  running: num(col("running_ns")[i]),
  terminated: num(col("terminated_ns")[i]),
  deletion: num(col("deletion_ns")[i]),
}));
const of = (owner: string) => rows.filter((r) => r.owner === owner);

describe("Jobs run through the Job controller", () => {
  test("a Job of completions 20 and parallelism 5 has exactly 20 Succeeded pods, never more than 5 running", () => {
    const batch = of("batch");
    expect(batch).toHaveLength(20);
    expect(batch.every((r) => r.phase === "Succeeded" && r.ownerKind === "Job")).toBe(true);
    // Running from running_ns until the Succeeded pod's terminated_ns (its containers exited).
    for (const r of batch) expect(r.terminated).toBeGreaterThan(r.running!);
    expect(peakOverlap(batch.map((r) => [r.running!, r.terminated!] as const))).toBe(5);
  });

  test("an Indexed Job gives each completion index 0..completions-1 to exactly one pod", () => {
    const indexed = of("indexed");
    expect(indexed.every((r) => r.phase === "Succeeded")).toBe(true);
    const indexes = indexed.map((r) => Number(/^indexed-(\d+)-[a-z0-9]{5}$/.exec(r.pod)![1])).sort((a, b) => a - b);
    expect(indexes).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test("activeDeadlineSeconds fails the Job and deletes its running pods", () => {
    const late = of("deadline");
    expect(late).toHaveLength(2);
    for (const r of late) {
      expect(r.phase).not.toBe("Succeeded");
      expect(r.deletion).not.toBeNull();
    }
    const job = run.summary.jobs!.find((j) => j.name === "deadline")!;
    expect(job).toMatchObject({ condition: "Failed", reason: "DeadlineExceeded", succeeded: 0 });
    expect(job.durationNs).toBeGreaterThanOrEqual(20e9);
  });

  test("the run stops on allRunning once the Deployment is Running and every Job has finished", () => {
    expect(run.summary.timeToAllRunningNs).not.toBeNull();
    expect(of("web").every((r) => r.phase === "Running")).toBe(true);
    const finished = run.summary.jobs!.map((j) => j.finishedNs!);
    expect(run.summary.timeToAllRunningNs).toBe(Math.max(...finished));
    expect(run.summary.jobs!.map((j) => [j.name, j.condition, j.succeeded])).toEqual([
      ["batch", "Complete", 20],
      ["indexed", "Complete", 6],
      ["deadline", "Failed", 0],
    ]);
    expect(run.summary.byOwnerKind.Job!.created).toBe(28);
  });

  test("Job fields not modelled are reported once per field path", () => {
    const inputs = JSON.parse(readFileSync(join(outDir, "inputs.json"), "utf8"));
    const fields = inputs.fieldsNotModelled.map((e: { kind: string; field: string }) => `${e.kind} ${e.field}`);
    expect(fields).toEqual(["Job spec.ttlSecondsAfterFinished"]);
    expect(inputs.kindsNotModelled).toEqual([]);
  });
});

describe("a Job's pods need a run time", () => {
  const load = (jobs: string, step = "") => {
    const d = tmpDir("simctl-jobs-bad-");
    writeFileSync(join(d, "jobs.yaml"), jobs);
    writeFileSync(
      join(d, "s.yaml"),
      SCENARIO.replace("{ at: 0s, apply: jobs.yaml, runDuration: 10s }", `{ at: 0s, apply: jobs.yaml${step} }`),
    );
    return () => loadScenario(join(d, "s.yaml"));
  };
  const job = (annotations: string) => `apiVersion: batch/v1
kind: Job
metadata: { name: j }
spec:
  template:
    metadata: { annotations: { ${annotations} } }
    spec:
      restartPolicy: Never
      containers: [{ name: w, image: registry.example/batch:1 }]
`;

  test("without the annotation or the step's runDuration, the Job is refused with its location", () => {
    expect(load(job("a: b"))).toThrow(/jobs\.yaml:6.*simctl\.dev\/run-duration/s);
  });

  test("an annotation that is not a duration or a distribution is refused", () => {
    expect(load(job('simctl.dev/run-duration: "{ dist: lognormal, p50: 5m }"'))).toThrow(/simctl\.dev\/run-duration/);
    expect(load(job('simctl.dev/run-duration: "soon"'))).toThrow(/a duration or a distribution/);
  });

  test("a bare duration and the step default both give a run time", () => {
    expect(load(job('simctl.dev/run-duration: "45s"'))().workload[0]!.action).toMatchObject({
      deployments: [
        {
          kind: "Job",
          job: { completions: 1, parallelism: 1, backoffLimit: 6, runDuration: { kind: "constant", value: 45e9 } },
        },
      ],
    });
    expect(load(job("a: b"), ", runDuration: 1m")().workload[0]!.action).toMatchObject({
      deployments: [{ job: { runDuration: { kind: "constant", value: 60e9 } } }],
    });
  });
});
