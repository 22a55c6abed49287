import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { numOrNull, podsColumns } from "./pods-columns.js";
import { tmpDir } from "../tmp-dir.js";

const S = 1e9;

const deployment = (spec: string, cpu = "500m") => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
${spec}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - { name: app, image: registry.example/web:1, resources: { requests: { cpu: ${cpu} } } }
`;

function run(manifest: string, steps: string, stop: string, cpu = 8) {
  const dir = tmpDir("simctl-depfields-");
  mkdirSync(join(dir, "in"));
  writeFileSync(join(dir, "in", "web.yaml"), manifest);
  writeFileSync(
    join(dir, "in", "s.yaml"),
    `name: dep
seed: 3
cluster:
  nodePools:
    - { name: n, count: 1, allocatable: { cpu: ${cpu}, memory: 32Gi, pods: 110 } }
images:
  - { name: registry.example/web:1, size: 20Mi }
  - { name: registry.example/web:2, size: 20Mi }
workload:
  - { at: 0s, apply: web.yaml }
${steps}
stop: ${stop}
`,
  );
  const result = runScenario(loadScenario(join(dir, "in", "s.yaml")), { outRoot: join(dir, "out") });
  const { rows: n, col } = podsColumns(join(dir, "out", "dep-3", "pods.arrow"));
  const [rs, created, running, deletion, scheduled] = [
    col("replicaset"),
    col("created_ns"),
    col("running_ns"),
    col("deletion_ns"),
    col("scheduled_ns"),
  ];
  const rows = Array.from({ length: n }, (_, i) => ({
    rs: String(rs[i]),
    created: Number(created[i]),
    running: numOrNull(running[i]),
    deletion: numOrNull(deletion[i]),
    scheduled: numOrNull(scheduled[i]),
  }));
  const sets = [...new Set(rows.map((r) => r.rs))];
  return { result, rows, sets };
}

const ROLL = "  - { at: 30s, update: { deployment: web, image: registry.example/web:2 } }";

describe("spec.minReadySeconds", () => {
  test("a rolling update of 3 replicas with maxSurge 1, maxUnavailable 0 takes 3 x minReadySeconds longer", () => {
    const stop = "{ when: allRunning, timeLimit: 30m }";
    const fast = run(deployment(""), ROLL, stop);
    const slow = run(deployment("  minReadySeconds: 10"), ROLL, stop);
    // Each of the 3 steps waits for its new pod to be available (10 s after Ready) before the
    // next old pod goes: the rollout ends 30 s later, give or take the latencies of one sync.
    const delta = slow.result.summary.timeToAllRunningNs! - fast.result.summary.timeToAllRunningNs!;
    expect(delta).toBeGreaterThan(30 * S - 1 * S);
    expect(delta).toBeLessThan(30 * S + 1 * S);
    // Each new pod is created only once the one before it has been Running for 10 s.
    const fresh = slow.rows.filter((r) => r.rs === slow.sets[1]).sort((a, b) => a.created - b.created);
    expect(fresh).toHaveLength(3);
    for (let i = 1; i < fresh.length; i++) expect(fresh[i]!.created).toBeGreaterThan(fresh[i - 1]!.running! + 10 * S);
  });

  test("the first creation is not paced: availability matters only to rollouts", () => {
    const a = run(deployment(""), "", "{ when: allRunning, timeLimit: 30m }");
    const b = run(deployment("  minReadySeconds: 10"), "", "{ when: allRunning, timeLimit: 30m }");
    // The same within the jitter of the extra ReplicaSet syncs that availability brings.
    expect(Math.abs(b.result.summary.timeToAllRunningNs! - a.result.summary.timeToAllRunningNs!)).toBeLessThan(0.1 * S);
  });
});

/** kubectl rollout pause (spec.paused: true) at 20 s. */
const PAUSE = "  - { at: 20s, update: { deployment: web, paused: true } }";

describe("spec.paused", () => {
  test("a Deployment created paused creates no ReplicaSet (sync.go: no new ReplicaSet while paused)", () => {
    const { rows } = run(deployment("  paused: true"), "", "{ when: timeLimit, timeLimit: 1m }");
    expect(rows).toEqual([]);
  });

  test("a paused Deployment scales but does not roll out its new template until resumed", () => {
    const steps = [
      PAUSE,
      ROLL,
      "  - { at: 40s, update: { deployment: web, replicas: 4 } }",
      "  - { at: 90s, update: { deployment: web, paused: false } }",
    ].join("\n");
    const { result, rows, sets } = run(deployment(""), steps, "{ when: allRunning, timeLimit: 30m }");
    expect(sets).toHaveLength(2);
    const old = rows.filter((r) => r.rs === sets[0]);
    const fresh = rows.filter((r) => r.rs === sets[1]);
    // Scaling applies while paused: the fourth pod is of the old template, created at 40 s.
    expect(old).toHaveLength(4);
    expect(old.filter((r) => r.created > 40 * S && r.created < 41 * S)).toHaveLength(1);
    // The rollout starts only when resumed.
    expect(fresh).toHaveLength(4);
    expect(Math.min(...fresh.map((r) => r.created))).toBeGreaterThan(90 * S);
    expect(old.every((r) => r.deletion !== null && r.deletion > 90 * S)).toBe(true);
    expect(result.summary.timeToAllRunningNs).toBeGreaterThan(90 * S);
  });

  test("without a resume the template change is never rolled out", () => {
    const { result, sets } = run(deployment(""), `${PAUSE}\n${ROLL}`, "{ when: allRunning, timeLimit: 3m }");
    expect(sets).toHaveLength(1);
    expect(result.summary.timeToAllRunningNs).toBeNull();
    expect(result.summary.progressDeadlineExceeded).toBeUndefined();
  });
});

describe("spec.progressDeadlineSeconds", () => {
  test("a rollout stuck on a pod that cannot schedule reports ProgressDeadlineExceeded", () => {
    // Three 1-CPU pods fill the 3-CPU node: the surge pod of the rollout never schedules.
    const { result, rows, sets } = run(
      deployment("  progressDeadlineSeconds: 60", "1"),
      ROLL,
      "{ when: timeLimit, timeLimit: 3m }",
      3,
    );
    expect(rows.filter((r) => r.rs === sets[1]).every((r) => r.scheduled === null)).toBe(true);
    const stuck = result.summary.progressDeadlineExceeded!;
    expect(stuck).toEqual([
      {
        name: "web",
        namespace: "default",
        exceededAtNs: expect.any(Number),
        progressing: "False",
        reason: "ProgressDeadlineExceeded",
      },
    ]);
    // The last progress was the new ReplicaSet's first pod, just after the update at 30 s.
    expect(stuck[0]!.exceededAtNs).toBeGreaterThan(90 * S);
    expect(stuck[0]!.exceededAtNs).toBeLessThan(92 * S);
  });

  test("a rollout that completes in time reports nothing", () => {
    const { result } = run(deployment("  progressDeadlineSeconds: 60"), ROLL, "{ when: timeLimit, timeLimit: 3m }");
    expect(result.summary.progressDeadlineExceeded).toBeUndefined();
  });

  test("progressDeadlineSeconds must exceed minReadySeconds, as the API validates it", () => {
    expect(() =>
      run(deployment("  minReadySeconds: 60\n  progressDeadlineSeconds: 60"), "", "{ when: allRunning }"),
    ).toThrow(/progressDeadlineSeconds greater than minReadySeconds/);
  });
});
