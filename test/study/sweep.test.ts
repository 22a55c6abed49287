import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC, type Table } from "apache-arrow";
import { beforeAll, describe, expect, test } from "vitest";
import { mergeStudy } from "../../src/study/merge.js";
import { clusterOutcome } from "../../src/study/run-task.js";
import { parseShard, runSweep, type SweepResult } from "../../src/study/sweep.js";
import { UserError } from "../../src/study/user-error.js";
import { tmpDir } from "../tmp-dir.js";

const STUDY = "test/study/fixtures/nodes-sweep.yaml";
const root = tmpDir("simctl-sweep-");
const dir = (name: string) => join(root, name);
const read = (path: string): Table => tableFromIPC(readFileSync(path));
let whole: SweepResult;
const shards: SweepResult[] = [];

beforeAll(async () => {
  // The unsharded sweep runs on two worker threads; the shards on the main thread.
  whole = await runSweep(STUDY, { outDir: dir("whole"), workers: 2 });
  for (let i = 0; i < 3; i++)
    shards.push(await runSweep(STUDY, { outDir: dir(`shard-${i}`), workers: 1, shard: { index: i, count: 3 } }));
  mergeStudy([dir("whole")], dir("merged-whole"));
  mergeStudy([dir("shard-0"), dir("shard-1"), dir("shard-2")], dir("merged-shards"));
}, 120_000);

describe("simctl sweep", () => {
  test("runs every grid point and seed once, into runs/<index>-<hash>/", () => {
    expect(whole.ran.map((o) => o.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const dirs = readdirSync(join(dir("whole"), "runs")).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    expect(dirs).toEqual(whole.plan.runs.map((r) => `${r.index}-${r.hash}`));
    for (const d of dirs)
      expect(readdirSync(join(dir("whole"), "runs", d)).sort()).toEqual(
        expect.arrayContaining(["pods.arrow", "run.json", "scenario.json", "summary.json"]),
      );
    // Each run used its grid point's node count and its seed.
    for (const o of whole.ran.map(clusterOutcome)) {
      const run = whole.plan.runs[o.index]!;
      expect(o.placement.nodes).toBe(run.values[0]);
      expect(o.summary.seed).toBe(run.seed);
      expect(o.summary.pods.running).toBe(24);
    }
  });

  test("--shard i/N runs exactly the runs with index % N == i", () => {
    expect(shards.map((s) => s.ran.map((o) => o.index))).toEqual([
      [0, 3, 6],
      [1, 4, 7],
      [2, 5, 8],
    ]);
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    for (const bad of ["3/3", "1", "a/b", "-1/2", "0/0"]) expect("error" in parseShard(bad)).toBe(true);
  });

  test("shards 0/3, 1/3, 2/3 merged are byte-identical to the unsharded sweep merged", () => {
    const tables = readdirSync(dir("merged-whole"))
      .filter((f) => f.endsWith(".arrow"))
      .sort();
    expect(tables).toEqual(expect.arrayContaining(["pods.arrow", "runs.arrow"]));
    expect(
      readdirSync(dir("merged-shards"))
        .filter((f) => f.endsWith(".arrow"))
        .sort(),
    ).toEqual(tables);
    for (const t of tables)
      expect(
        Buffer.compare(readFileSync(join(dir("merged-whole"), t)), readFileSync(join(dir("merged-shards"), t))),
      ).toBe(0);
  });

  test("runs.arrow: one row per run with the parameter and seed as columns", () => {
    const t = read(join(dir("merged-shards"), "runs.arrow"));
    expect(t.numRows).toBe(9);
    expect(t.schema.fields.slice(0, 4).map((f) => f.name)).toEqual([
      "run_index",
      "run_hash",
      "seed",
      "cluster_nodePools_0_count",
    ]);
    expect([...t.getChild("run_index")!].map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...t.getChild("cluster_nodePools_0_count")!].map(Number)).toEqual([2, 2, 2, 4, 4, 4, 8, 8, 8]);
    expect([...t.getChild("seed")!].map(Number)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect([...t.getChild("nodes_used")!].map(Number)).toEqual([2, 2, 2, 4, 4, 4, 8, 8, 8]);
    expect([...t.getChild("pods_running")!].map(Number)).toEqual(Array(9).fill(24));
    // Figures equal each run's summary.json.
    for (const o of whole.ran.map(clusterOutcome)) {
      expect(Number(t.getChild("time_to_all_running_ns")!.get(o.index))).toBe(o.summary.timeToAllRunningNs);
      expect(JSON.parse(t.getChild("summary_json")!.get(o.index) as string)).toEqual(o.summary);
    }
    expect(t.schema.metadata.get("simctl.study")).toBe("nodes-sweep");
  });

  test("pods.arrow: every run's rows, in run order, led by run and parameter columns", () => {
    const merged = read(join(dir("merged-shards"), "pods.arrow"));
    expect(merged.numRows).toBe(9 * 24);
    const idx = [...merged.getChild("run_index")!].map(Number);
    const nodes = [...merged.getChild("cluster_nodePools_0_count")!].map(Number);
    for (const o of whole.ran) {
      const own = read(join(o.outDir!, "pods.arrow"));
      const rows = idx.flatMap((r, i) => (r === o.index ? [i] : []));
      expect(rows).toEqual(Array.from({ length: 24 }, (_, k) => o.index * 24 + k));
      for (const col of ["pod", "node", "phase", "attempts", "created_ns", "running_ns"]) {
        const a = own.getChild(col)!;
        const b = merged.getChild(col)!;
        for (let k = 0; k < own.numRows; k++) expect(b.get(rows[k]!)).toEqual(a.get(k));
      }
      expect(nodes[rows[0]!]).toBe(whole.plan.runs[o.index]!.values[0]);
    }
    // Dictionary columns stay dictionary-encoded, with one dictionary over all runs.
    expect(String(merged.schema.fields.find((f) => f.name === "node")!.type)).toMatch(/^Dictionary/);
  });

  test("merge refuses missing runs unless --partial", () => {
    expect(() => mergeStudy([dir("shard-0"), dir("shard-2")], dir("merged-partial"))).toThrow(
      /3 of 9 runs are missing \(indices 1, 4, 7\)/,
    );
    const r = mergeStudy([dir("shard-0"), dir("shard-2")], dir("merged-partial"), { partial: true });
    expect(r.runs).toBe(6);
    expect(read(join(dir("merged-partial"), "pods.arrow")).numRows).toBe(6 * 24);
  });

  test("a shard run again skips the runs it finished", async () => {
    const again = await runSweep(STUDY, { outDir: dir("shard-1"), workers: 1, shard: { index: 1, count: 3 } });
    expect(again.ran).toHaveLength(0);
    expect(again.skipped).toBe(3);
  });

  test("a different study is not written into an existing study directory", async () => {
    await expect(runSweep("test/study/fixtures/two-params.yaml", { outDir: dir("whole"), workers: 1 })).rejects.toThrow(
      UserError,
    );
    await expect(runSweep(STUDY, { outDir: dir("whole"), workers: 1, scale: 2 })).rejects.toThrow(
      /holds a different study/,
    );
  });
});
