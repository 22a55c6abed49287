import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC, type Table } from "apache-arrow";
import { beforeAll, describe, expect, test } from "vitest";
import { buildReport } from "../../src/report/build-report.js";
import { buildArms } from "../../src/study/compare.js";
import { mergeStudy } from "../../src/study/merge.js";
import type { EtcdBenchmarkRunOutcome } from "../../src/study/run-task.js";
import { runSweep, type SweepResult } from "../../src/study/sweep.js";
import { UserError } from "../../src/study/user-error.js";
import { ensureDist, simctl, type Exit } from "../cli/simctl.js";
import { tmpDir } from "../tmp-dir.js";

// The shipped etcd benchmark scenario with small totals (200 and 2,000 writes instead of 10,000
// and 100,000), so the 4 runs take well under a second.
const dir = tmpDir("simctl-etcd-sweep-");
const scenario = readFileSync("scenarios/etcd-benchmark.yaml", "utf8")
  .replace("clients: 1, total: 10000,", "clients: 1, total: 200,")
  .replace("clients: 1000, total: 100000,", "clients: 1000, total: 2000,");
const study = (parameters: string) =>
  `name: etcd-sweep\nscenario: etcd-benchmark.yaml\nparameters:\n  ${parameters}\nseeds: 2\n`;
const STUDY = join(dir, "etcd-sweep.yaml");
const BAD = join(dir, "bad-value.yaml");
const read = (path: string): Table => tableFromIPC(readFileSync(path));
const column = (t: Table, name: string) => [...t.getChild(name)!].map(Number);

let sweep: Exit;
let merge: Exit;
let inProcess: SweepResult;

beforeAll(async () => {
  ensureDist();
  writeFileSync(join(dir, "etcd-benchmark.yaml"), scenario);
  writeFileSync(STUDY, study("etcd.cpus: { values: [2, 8], column: cpus }"));
  writeFileSync(BAD, study("etcd.cpus: { values: [0] }"));
  sweep = await simctl(["sweep", STUDY, "--out", join(dir, "cli"), "--workers", "2"]);
  merge = await simctl(["merge", join(dir, "cli")]);
  // The same study again, in this process on the main thread.
  inProcess = await runSweep(STUDY, { outDir: join(dir, "again"), workers: 1 });
  mergeStudy([join(dir, "again")], join(dir, "again", "merged"));
}, 120_000);

describe("simctl sweep of an etcd benchmark scenario", () => {
  test("the shipped scenario with small totals: 2 cpus x 2 seeds run, each writing what simctl run writes", () => {
    expect(scenario).toContain("total: 200,");
    expect(scenario).toContain("total: 2000,");
    expect(sweep.stderr).toContain("4 runs to do");
    expect(sweep.code).toBe(0);
    const runs = readdirSync(join(dir, "cli", "runs")).sort();
    expect(runs).toHaveLength(4);
    for (const r of runs)
      expect(readdirSync(join(dir, "cli", "runs", r)).sort()).toEqual([
        "etcd-1-clients.arrow",
        "etcd-1000-clients.arrow",
        "run.json",
        "summary.json",
      ]);
    const m = JSON.parse(readFileSync(join(dir, "cli", "study.json"), "utf8")) as { scenarioKind?: string };
    expect(m.scenarioKind).toBe("etcdBenchmark");
    // Runs return their benchmark rows, with the grid point's cpus in run.json.
    expect(inProcess.plan.kind).toBe("etcdBenchmark");
    expect(inProcess.ran.map((o) => o.kind)).toEqual(Array(4).fill("etcdBenchmark"));
    const o = inProcess.ran[0] as EtcdBenchmarkRunOutcome;
    expect(o.rows.map((r) => [r.clients, r.total])).toEqual([
      [1, 200],
      [1000, 2000],
    ]);
    const record = JSON.parse(readFileSync(join(o.outDir!, "run.json"), "utf8")) as Record<string, unknown>;
    expect(record).toMatchObject({ study: "etcd-sweep", index: 0, seed: 1, parameters: { cpus: 2 } });
  });

  test("the terminal summary: per grid point and benchmark entry, the mean over seeds of writes/s and latency", () => {
    const lines = sweep.stdout.split("\n");
    expect(lines[0]).toBe("study etcd-sweep: 4 runs (2 etcd.cpus x 2 seeds)");
    expect(lines[1]).toMatch(/^cpus\s+clients\s+seeds\s+writes\/s\s+mean latency$/);
    const rows = lines.slice(2, 6).map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      ["2", "1", "2"],
      ["2", "1000", "2"],
      ["8", "1", "2"],
      ["8", "1000", "2"],
    ]);
    // The means are those of the runs' rows.
    const runs = inProcess.ran as EtcdBenchmarkRunOutcome[];
    const mean = (k: number, j: number, f: (r: EtcdBenchmarkRunOutcome["rows"][number]) => number) =>
      (f(runs[2 * k]!.rows[j]!) + f(runs[2 * k + 1]!.rows[j]!)) / 2;
    for (let k = 0; k < 2; k++)
      for (let j = 0; j < 2; j++) {
        expect(rows[2 * k + j]![3]).toBe(String(Math.round(mean(k, j, (r) => r.writesPerSec))));
        expect(rows[2 * k + j]![4]).toBe(mean(k, j, (r) => r.meanLatencyMs).toFixed(2));
      }
    // More cores: more writes/s with 1,000 clients (the CPU-bound regime).
    expect(Number(rows[3]![3])).toBeGreaterThan(Number(rows[1]![3]));
  });

  test("merge: runs.arrow has one row per run and benchmark entry, with the parameter and seed as columns", () => {
    expect(merge.code).toBe(0);
    expect(merge.stdout).toContain("runs.arrow  8 rows");
    const t = read(join(dir, "cli", "merged", "runs.arrow"));
    expect(t.numRows).toBe(8);
    expect(t.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual([
      "run_index: Int32",
      "run_hash: Utf8",
      "seed: Int64",
      "cpus: Int64",
      "clients: Int64",
      "total: Int64",
      "writes_per_s: Float64",
      "mean_latency_ms: Float64",
      "p99_latency_ms: Float64",
      "batches: Int64",
    ]);
    expect(column(t, "run_index")).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(column(t, "cpus")).toEqual([2, 2, 2, 2, 8, 8, 8, 8]);
    expect(column(t, "seed")).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
    expect(column(t, "clients")).toEqual([1, 1000, 1, 1000, 1, 1000, 1, 1000]);
    const rows = (inProcess.ran as EtcdBenchmarkRunOutcome[]).flatMap((o) => o.rows);
    expect(column(t, "writes_per_s")).toEqual(rows.map((r) => r.writesPerSec));
    expect(column(t, "mean_latency_ms")).toEqual(rows.map((r) => r.meanLatencyMs));
    expect(column(t, "p99_latency_ms")).toEqual(rows.map((r) => r.p99LatencyMs));
    expect(column(t, "batches")).toEqual(rows.map((r) => r.batches));
    expect(t.schema.metadata.get("simctl.study")).toBe("etcd-sweep");
    expect(readdirSync(join(dir, "cli", "merged")).sort()).toEqual(["runs.arrow", "study.json"]);
  });

  test("README documents every column of the etcd runs table with its type, and no other", () => {
    const readme = readFileSync("README.md", "utf8");
    const at = readme.indexOf("An etcd benchmark study's `runs.arrow` has one row per run and benchmark entry");
    expect(at).toBeGreaterThan(0);
    const lines = readme.slice(at).split("\n");
    const first = lines.findIndex((l) => l.startsWith("| column | type |"));
    const documented: string[] = [];
    for (let k = first + 2; lines[k]!.startsWith("|"); k++) {
      const [names, type] = lines[k]!.split("|").slice(1, 3);
      const name = /`([^`]+)`/.exec(names!)?.[1];
      if (name !== undefined) documented.push(`${name}: ${type!.trim()}`);
    }
    const t = read(join(dir, "cli", "merged", "runs.arrow"));
    const written = t.schema.fields
      .filter((f) => f.name !== "cpus")
      .map((f) => `${f.name}: ${String(f.type).toLowerCase()}`);
    expect(documented).toEqual(written);
  });

  test("determinism: the same study twice (worker threads, then the main thread) merges to identical bytes", () => {
    const a = readFileSync(join(dir, "cli", "merged", "runs.arrow"));
    const b = readFileSync(join(dir, "again", "merged", "runs.arrow"));
    expect(Buffer.compare(a, b)).toBe(0);
  });

  test("shards 0/2 and 1/2 merged are byte-identical to the whole sweep merged", async () => {
    for (let i = 0; i < 2; i++)
      await runSweep(STUDY, { outDir: join(dir, `shard-${i}`), workers: 1, shard: { index: i, count: 2 } });
    mergeStudy([join(dir, "shard-0"), join(dir, "shard-1")], join(dir, "merged-shards"));
    const a = readFileSync(join(dir, "cli", "merged", "runs.arrow"));
    expect(Buffer.compare(a, readFileSync(join(dir, "merged-shards", "runs.arrow")))).toBe(0);
  });

  test("a bad value: exit 2 with the error located at the value in the study file, before any run", async () => {
    const out = join(dir, "bad-out");
    const r = await simctl(["sweep", BAD, "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${BAD}:4:25: parameters.etcd.cpus.values[0]: expected a value of study parameter etcd.cpus that makes etcd.cpus an integer from 1 to 1024, found 0 (in ${join(dir, "etcd-benchmark.yaml")}:15:9)`,
    );
    expect(existsSync(out)).toBe(false);
  });

  test("benchmark[i].* values are checked too, and a path the scenario does not have is reported", async () => {
    const check = async (parameters: string, message: string) => {
      const file = join(dir, "bad.yaml");
      writeFileSync(file, study(parameters));
      await expect(runSweep(file, { outDir: join(dir, "bad-out") })).rejects.toThrow(message);
      expect(existsSync(join(dir, "bad-out"))).toBe(false);
    };
    await check(
      "benchmark[1].total: [2000, -1]",
      "parameters.benchmark[1].total[1]: expected a value of study parameter benchmark[1].total that makes benchmark[1].total an integer from 1 to 10000000, found -1",
    );
    await check(
      "etcd.cpu: [4]",
      "parameters.etcd.cpu[0]: expected a value of study parameter etcd.cpu that makes etcd.cpu one of the keys members, cpus,",
    );
    await check("benchmark[2].clients: [4]", "parameters.benchmark[2].clients: expected a path into the scenario");
    await check(
      "benchmark[0].clients: { values: [1], column: clients }",
      '("clients" is a column of an etcd benchmark',
    );
  });

  test("report and compare say they do not cover etcd benchmarks (exit 2)", async () => {
    for (const d of [join(dir, "cli"), join(dir, "cli", "merged")]) {
      const r = await simctl(["report", d]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("is a study of an etcd benchmark scenario: simctl report covers cluster studies");
    }
    const run = join(dir, "cli", "runs", readdirSync(join(dir, "cli", "runs"))[0]!);
    await expect(buildReport(run)).rejects.toThrow(/is an etcd benchmark run/);
    const file = join(dir, "etcd-benchmark.yaml");
    expect(() => buildArms([file], { vary: "etcd.cpus=2,8" })).toThrow(UserError);
    const r = await simctl(["compare", file, file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is an etcd benchmark scenario: compare compares cluster scenarios");
  });
});
