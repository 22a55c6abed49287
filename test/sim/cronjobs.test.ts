import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadScenario, parseScenario } from "../../src/scenario/load-scenario.js";
import { runScenario } from "../../src/sim/run-scenario.js";
import { numOrNull, podsColumns } from "./pods-columns.js";
import { tmpDir } from "../tmp-dir.js";

const MIN = 60e9;
/** The scenario's startTime (the default, 2026-01-01T00:00:00Z) in minutes since the epoch. */
const START_MIN = Date.UTC(2026, 0, 1) / 60_000;

const cronJob = (policy: string, run: string, extra = "") => `apiVersion: batch/v1
kind: CronJob
metadata: { name: report }
spec:
  schedule: "*/5 * * * *"
  concurrencyPolicy: ${policy}${extra}
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: { simctl.dev/run-duration: ${run} }
        spec:
          restartPolicy: Never
          containers:
            - { name: work, image: registry.example/batch:1, resources: { requests: { cpu: 100m } } }
`;

const scenario = (stop: string) => `name: cron
seed: 1
cluster:
  nodePools:
    - { name: n, count: 2, allocatable: { cpu: 4, memory: 16Gi, pods: 110 } }
images:
  - { name: registry.example/batch:1, size: 50Mi }
  - { name: registry.example/web:1, size: 50Mi }
workload:
  - { at: 0s, apply: in.yaml }
stop: ${stop}
`;

interface Row {
  pod: string;
  owner: string;
  job: string;
  ownerKind: string;
  phase: string;
  created: number;
  running: number | null;
  deletion: number | null;
  deleted: number | null;
}

function run(manifests: string, stop = "{ when: timeLimit, timeLimit: 30m }") {
  const dir = tmpDir("simctl-cron-");
  mkdirSync(join(dir, "in"));
  writeFileSync(join(dir, "in", "in.yaml"), manifests);
  writeFileSync(join(dir, "in", "s.yaml"), scenario(stop));
  const result = runScenario(loadScenario(join(dir, "in", "s.yaml")), { outRoot: join(dir, "out") });
  const { rows: n, col } = podsColumns(join(dir, "out", "cron-1", "pods.arrow"));
  const num = numOrNull;
  const rows: Row[] = Array.from({ length: n }, (_, i) => ({
    pod: String(col("pod")[i]),
    owner: String(col("deployment")[i]),
    job: String(col("replicaset")[i]),
    ownerKind: String(col("owner_kind")[i]),
    phase: String(col("phase")[i]),
    created: Number(col("created_ns")[i]),
    running: num(col("running_ns")[i]),
    deletion: num(col("deletion_ns")[i]),
    deleted: num(col("deleted_ns")[i]),
  }));
  return { result, rows };
}

/** The minute (since the run began) a CronJob's Job was scheduled for, from its name. */
const minuteOf = (job: string) => Number(/^report-(\d+)$/.exec(job)![1]) - START_MIN;

const jobMinutes = (rows: readonly Row[]) => [...new Set(rows.map((r) => r.job))].map(minuteOf);

describe("a CronJob on the virtual clock", () => {
  const { result, rows } = run(cronJob("Allow", "1m"));

  test("*/5 with a 1m run over 30 simulated minutes creates a Job at each 5-minute mark, named by its minute", () => {
    expect(jobMinutes(rows)).toEqual([5, 10, 15, 20, 25]);
    for (const r of rows) {
      const m = minuteOf(r.job);
      // The controller wakes 100 ms after the mark; the Job and then its pod are created within a second.
      expect(r.created).toBeGreaterThan(m * MIN + 0.1e9);
      expect(r.created).toBeLessThan(m * MIN + 1e9);
      expect(r.pod).toMatch(/^report-\d+-[a-z0-9]{5}$/);
      expect([r.owner, r.ownerKind]).toEqual(["report", "CronJob"]);
    }
    expect(result.summary.cronJobs).toEqual([
      expect.objectContaining({
        name: "report",
        schedule: "*/5 * * * *",
        jobsCreated: 5,
        jobsDeletedByHistoryLimit: 2,
        lastScheduleTime: "2026-01-01T00:25:00.000Z",
      }),
    ]);
  });

  test("successfulJobsHistoryLimit 3 (the default) deletes the oldest finished Jobs with their pods", () => {
    const byMinute = new Map(rows.map((r) => [minuteOf(r.job), r]));
    for (const m of [5, 10]) {
      const r = byMinute.get(m)!;
      expect(r.phase).toBe("Succeeded");
      // Deleted once a fourth Job had finished (at 21 and 26 minutes), by the garbage collector.
      expect(r.deleted).toBeGreaterThan((m + 16) * MIN);
      expect(r.deleted).toBeLessThan((m + 17) * MIN);
    }
    for (const m of [15, 20, 25]) expect(byMinute.get(m)!.deleted).toBeNull();
    expect(result.summary.jobs!.map((j) => [minuteOf(j.name), j.condition])).toEqual([
      [5, "Complete"],
      [10, "Complete"],
      [15, "Complete"],
      [20, "Complete"],
      [25, "Complete"],
    ]);
  });

  test("the controller requeues itself for the next start time: a handful of syncs, no polling", () => {
    const syncs = result.simulation.engine.kinds.indexOf("cronjob.syncBody");
    expect(syncs).toBeGreaterThanOrEqual(0);
    const api = result.summary.api as Record<string, { count: number }>;
    expect(api["create jobs"]!.count).toBe(5);
    expect(api["delete jobs"]!.count).toBe(2);
    // One status write per start time and per finished Job at most.
    expect(api["update cronjobs/status"]!.count).toBeLessThanOrEqual(10);
  });
});

describe("concurrencyPolicy", () => {
  test("Forbid skips a start time while the previous Job runs, then starts it late when that Job ends", () => {
    const { result, rows } = run(cronJob("Forbid", "7m"));
    // 10:00 finds the 5:00 Job running; lastScheduleTime stays 5:00, so when that Job ends (about
    // 12:02) 10:00 is the most recent unmet start time and its Job starts then (upstream's
    // behaviour: startingDeadlineSeconds is what bounds such late starts). Never two at once.
    expect(jobMinutes(rows)).toEqual([5, 10, 15, 25]);
    const late = rows.find((r) => minuteOf(r.job) === 10)!;
    expect(late.created).toBeGreaterThan(12 * MIN);
    expect(result.summary.cronJobs![0]).toMatchObject({ jobsCreated: 4, jobsReplaced: 0 });
    expect(result.summary.cronJobs![0]!.skippedForbid).toBeGreaterThanOrEqual(3);
    const sorted = [...rows].sort((a, b) => a.created - b.created);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i]!.created).toBeGreaterThan(sorted[i - 1]!.running! + 7 * MIN);
  });

  test("Forbid with startingDeadlineSeconds 60: a skipped start time is missed, not started late", () => {
    const { result, rows } = run(cronJob("Forbid", "7m", "\n  startingDeadlineSeconds: 60"));
    // model: the deadline moves the earliest time considered to now - 60 s (mostRecentScheduleTime).
    expect(jobMinutes(rows)).toEqual([5, 15, 25]);
    expect(result.summary.cronJobs![0]).toMatchObject({ jobsCreated: 3, skippedForbid: 2 });
  });

  test("Replace deletes the running Job before it creates the next; the garbage collector deletes its pod", () => {
    const { result, rows } = run(cronJob("Replace", "7m"));
    expect(jobMinutes(rows)).toEqual([5, 10, 15, 20, 25]);
    expect(result.summary.cronJobs![0]).toMatchObject({ jobsCreated: 5, jobsReplaced: 4 });
    const jobs = result.simulation.store.jobs;
    for (const r of rows) {
      const m = minuteOf(r.job);
      if (m === 25) continue;
      expect(r.phase).not.toBe("Succeeded");
      // model: background propagation: the Job goes first, then its pod, within a second of the mark.
      const job = jobs.find((j) => j.name === r.job)!;
      expect(job.deletedNs).toBeGreaterThan((m + 5) * MIN);
      expect(r.deletion).toBeGreaterThan(job.deletedNs);
      expect(r.deletion).toBeLessThan((m + 5) * MIN + 2e9);
    }
    expect(result.summary.jobs!.filter((j) => j.condition === "Complete")).toEqual([]);
  });
});

describe("CronJob spec fields", () => {
  test("failedJobsHistoryLimit 1 (the default) keeps the newest failed Job; suspend stops new Jobs", () => {
    const failing = cronJob("Allow", "3m", "").replace(
      "    spec:\n      template:",
      "    spec:\n      activeDeadlineSeconds: 30\n      template:",
    );
    const { result, rows } = run(failing, "{ when: timeLimit, timeLimit: 17m }");
    expect(result.summary.jobs!.map((j) => [minuteOf(j.name), j.reason])).toEqual([
      [5, "DeadlineExceeded"],
      [10, "DeadlineExceeded"],
      [15, "DeadlineExceeded"],
    ]);
    // Each failed Job's pod was deleted by its Job controller; the Jobs themselves, but the last, by the history limit.
    expect(result.summary.cronJobs![0]).toMatchObject({ jobsCreated: 3, jobsDeletedByHistoryLimit: 2 });
    expect(rows.every((r) => r.deletion !== null)).toBe(true);
    const suspended = run(cronJob("Allow", "1m", "\n  suspend: true"), "{ when: timeLimit, timeLimit: 12m }");
    expect(suspended.rows).toEqual([]);
    expect(suspended.result.summary.cronJobs![0]).toMatchObject({
      suspend: true,
      jobsCreated: 0,
      lastScheduleTime: null,
    });
  });

  test("spec.timeZone: 0 9 * * * in Asia/Tokyo fires at 00:00 UTC", () => {
    const tokyo = cronJob("Allow", "1m").replace('"*/5 * * * *"', '"0 9 * * *"\n  timeZone: Asia/Tokyo');
    const dir = tmpDir("simctl-cron-tz-");
    writeFileSync(join(dir, "in.yaml"), tokyo);
    writeFileSync(
      join(dir, "s.yaml"),
      `${scenario("{ when: timeLimit, timeLimit: 5m }")}startTime: 2026-01-01T23:58:00Z\n`,
    );
    const result = runScenario(loadScenario(join(dir, "s.yaml")), { outRoot: join(dir, "out") });
    expect(result.summary.cronJobs![0]).toMatchObject({ jobsCreated: 1, lastScheduleTime: "2026-01-02T00:00:00.000Z" });
    expect(result.summary.jobs![0]!.name).toBe(`report-${Date.UTC(2026, 0, 2) / 60_000}`);
    expect(result.summary.jobs![0]!.startNs).toBeGreaterThan(2 * MIN);
  });
});

describe("stopping a run with a CronJob", () => {
  test("a CronJob does not hold allRunning open: the run stops once the Deployment is Running", () => {
    const web = `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: app, image: registry.example/web:1 }]
`;
    const { result, rows } = run(cronJob("Allow", "1m") + web, "{ when: allRunning, timeLimit: 30m }");
    expect(result.summary.timeToAllRunningNs).not.toBeNull();
    expect(result.summary.timeToAllRunningNs!).toBeLessThan(MIN);
    expect(rows.filter((r) => r.ownerKind === "CronJob")).toEqual([]);
    expect(result.summary.cronJobs![0]!.jobsCreated).toBe(0);
  });
});

describe("the cluster dump's CronJob (test/fixtures/cluster-dump), over a window of its schedule", () => {
  test("ledger-reconcile (*/5, Forbid) runs a Job at 5 and 10 minutes beside the dump's workloads", () => {
    const file = join(process.cwd(), "test/fixtures/cluster-dump/scenario.yaml");
    const text = readFileSync(file, "utf8").replace(
      /stop:\n {2}when: allRunning\n {2}timeLimit: 10m/,
      "stop:\n  when: timeLimit\n  timeLimit: 11m",
    );
    expect(text).toContain("when: timeLimit");
    const out = tmpDir("simctl-cron-dump-");
    const result = runScenario(parseScenario(file, text), { outRoot: out });
    const { rows, col } = podsColumns(join(out, "cluster-dump-1", "pods.arrow"));
    const [owner, job, phase] = [col("deployment"), col("replicaset"), col("phase")];
    const mine: { job: string; phase: string }[] = [];
    for (let i = 0; i < rows; i++)
      if (owner[i] === "ledger-reconcile") mine.push({ job: String(job[i]), phase: String(phase[i]) });
    expect(mine.map((r) => Number(r.job.split("-").pop()) - START_MIN)).toEqual([5, 10]);
    expect(mine.every((r) => r.phase === "Succeeded")).toBe(true);
    expect(result.summary.cronJobs).toEqual([
      expect.objectContaining({
        name: "ledger-reconcile",
        namespace: "shop",
        concurrencyPolicy: "Forbid",
        jobsCreated: 2,
      }),
    ]);
    expect(result.summary.byOwnerKind.CronJob!.created).toBe(2);
  });
});
