import { UserError } from "./user-error.js";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { tableFromIPC, type Table } from "apache-arrow";
import { tableFromColumns, writeArrowFile, type Column } from "../metrics/arrow-writer.js";
import { writeFileAtomic } from "../metrics/atomic-file.js";
import type { SimulatedSummary } from "../metrics/summary.js";
import type { EtcdBenchmarkRow } from "../sim/run-etcd-benchmark.js";
import { VERSION } from "../version.js";
import { concatTables, type LeadColumn } from "./arrow-concat.js";
import type { RunRecord } from "./run-task.js";
import { runDirName, type StudyManifest } from "./study-plan.js";

/** What every finished run found in a study directory has. */
interface FoundRun {
  index: number;
  hash: string;
  seed: number;
  values: readonly unknown[];
  dir: string;
}

/** A finished run of a cluster study. */
export interface StudyRun extends FoundRun {
  record: RunRecord;
  summary: SimulatedSummary;
}

/** A finished run of an etcd benchmark study: its `summary.json` rows, one per benchmark entry. */
export interface EtcdStudyRun extends FoundRun {
  rows: EtcdBenchmarkRow[];
}

/** The runs of one or more study directories (shards of one study), by the kind of its scenario. */
export type CollectedStudy =
  | ({ kind: "cluster" } & StudyRuns<StudyRun>)
  | ({ kind: "etcdBenchmark" } & StudyRuns<EtcdStudyRun>);

interface StudyRuns<R> {
  manifest: StudyManifest;
  /** Complete runs in index order, one per index. */
  runs: R[];
  /** Indices of the plan with no complete run in any directory. */
  missing: number[];
}

/** Result of {@link mergeStudy}. */
export interface MergeResult {
  outDir: string;
  runs: number;
  tables: { name: string; rows: number; path: string }[];
}

/**
 * Reads `study.json` and the complete runs (`runs/<index>-<hash>/run.json` present) of each
 * directory. Contract: all directories must hold the same study plan (throws otherwise); a
 * run found in several directories is taken from the first; a run directory whose hash is not
 * the plan's for its index is stale and ignored.
 */
export function collectStudy(dirs: readonly string[]): CollectedStudy {
  if (dirs.length === 0) throw new UserError("name at least one study directory");
  let manifest: StudyManifest | undefined;
  let firstDir = "";
  const found = new Map<number, { run: FoundRun; results: unknown; record: RunRecord }>();
  for (const dir of dirs) {
    const path = join(dir, "study.json");
    if (!existsSync(path))
      throw new UserError(`${dir} is not a study directory (no study.json; simctl sweep writes one)`);
    const m = JSON.parse(readFileSync(path, "utf8")) as StudyManifest;
    if (m.format !== "simctl.study/1") throw new UserError(`${path}: unknown format ${JSON.stringify(m.format)}`);
    if (manifest === undefined) {
      manifest = m;
      firstDir = dir;
    } else if (JSON.stringify({ ...m, simctlVersion: "" }) !== JSON.stringify({ ...manifest, simctlVersion: "" })) {
      throw new UserError(`${dir} holds a different study than ${firstDir} (their study.json differ)`);
    }
    const runsDir = join(dir, "runs");
    if (!existsSync(runsDir)) continue;
    for (const name of readdirSync(runsDir).sort()) {
      const m2 = /^([0-9]+)-([0-9a-f]+)$/.exec(name);
      if (m2 === null) continue;
      const index = Number(m2[1]);
      const planned = manifest.runs[index];
      if (planned === undefined || planned.hash !== m2[2] || found.has(index)) continue;
      const runDir = join(runsDir, name);
      if (!existsSync(join(runDir, "run.json"))) continue;
      const record = JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")) as RunRecord;
      const { results } = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as { results: unknown };
      const run = { index, hash: planned.hash, seed: planned.seed, values: planned.values, dir: runDir };
      found.set(index, { run, results, record });
    }
  }
  const missing: number[] = [];
  for (const r of manifest!.runs) if (!found.has(r.index)) missing.push(r.index);
  const complete = [...found.values()].sort((a, b) => a.run.index - b.run.index);
  if (manifest!.scenarioKind === "etcdBenchmark") {
    const runs = complete.map((f) => ({
      ...f.run,
      rows: (f.results as { etcdBenchmark: EtcdBenchmarkRow[] }).etcdBenchmark,
    }));
    return { kind: "etcdBenchmark", manifest: manifest!, runs, missing };
  }
  const runs = complete.map((f) => ({ ...f.run, record: f.record, summary: f.results as SimulatedSummary }));
  return { kind: "cluster", manifest: manifest!, runs, missing };
}

/**
 * `simctl merge`: combines the shards of a study into one Arrow dataset in `outDir`:
 * - `runs.arrow`: one row per run: `run_index`, `run_hash`, `seed`, one column per study
 *   parameter, then the run's summary figures (see README "Studies") and `summary_json`.
 *   For an etcd benchmark study, one row per run and benchmark entry instead (see
 *   {@link ETCD_RUN_FIGURES}); the runs' batch tables stay in their run directories.
 * - `<table>.arrow` for every table the runs wrote (pods.arrow, ...): the runs' rows
 *   concatenated in run-index order, led by `run_index`, `run_hash`, `seed` and the parameter
 *   columns.
 * - `study.json`: the plan.
 * The result depends only on the runs, never on how they were sharded: shards 0/3, 1/3, 2/3
 * merged give the same bytes as one unsharded sweep. Throws when runs are missing unless
 * `partial` is set.
 */
export function mergeStudy(dirs: readonly string[], outDir: string, options: { partial?: boolean } = {}): MergeResult {
  const study = collectStudy(dirs);
  const { manifest, runs, missing } = study;
  if (missing.length > 0 && options.partial !== true) {
    const list = missing.slice(0, 12).join(", ") + (missing.length > 12 ? ", ..." : "");
    throw new UserError(
      `${missing.length} of ${manifest.runs.length} runs are missing (indices ${list}); run the missing shards, or pass --partial`,
    );
  }
  if (runs.length === 0) throw new UserError("no complete runs to merge");
  mkdirSync(outDir, { recursive: true });
  const meta: Record<string, string> = {
    "simctl.version": VERSION,
    "simctl.study": manifest.name,
    "simctl.study_parameters": JSON.stringify(manifest.parameters.map((p) => ({ path: p.path, column: p.column }))),
    "simctl.scale": String(manifest.scale),
  };
  const out: MergeResult = { outDir, runs: runs.length, tables: [] };
  const runsTable = study.kind === "cluster" ? runsArrow(study, meta) : etcdRunsArrow(study, meta);
  const runsPath = join(outDir, "runs.arrow");
  writeArrowFile(runsPath, runsTable);
  out.tables.push({ name: "runs", rows: runsTable.numRows, path: runsPath });
  if (study.kind === "cluster") mergeRunTables(study, outDir, meta, out);
  writeFileAtomic(join(outDir, "study.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return out;
}

/** Concatenates every table the runs of a cluster study wrote (pods.arrow, ...) into `outDir`. */
function mergeRunTables(
  study: Extract<CollectedStudy, { kind: "cluster" }>,
  outDir: string,
  meta: Record<string, string>,
  out: MergeResult,
): void {
  const { manifest, runs } = study;
  const tableNames = readdirSync(runs[0]!.dir)
    .filter((f) => f.endsWith(".arrow"))
    .map((f) => basename(f, ".arrow"))
    .sort();
  const lead: LeadColumn[] = [
    { name: "run_index", type: "int32" },
    { name: "run_hash", type: "dict" },
    { name: "seed", type: "int64" },
    ...manifest.parameters.map((p, i) => ({ name: p.column, type: paramType(manifest.runs.map((r) => r.values[i])) })),
  ];
  for (const t of tableNames) {
    const parts = runs.map((r) => {
      const path = join(r.dir, `${t}.arrow`);
      if (!existsSync(path)) throw new UserError(`${r.dir} has no ${t}.arrow (other runs do)`);
      return {
        table: tableFromIPC(readFileSync(path)) as Table,
        label: r.dir,
        lead: [r.index, r.hash, r.seed, ...r.values.map(paramValue)],
      };
    });
    const merged = concatTables(parts, lead, meta);
    const path = join(outDir, `${t}.arrow`);
    writeArrowFile(path, merged);
    out.tables.push({ name: t, rows: merged.numRows, path });
  }
}

/** Arrow type of a parameter column: integers int64, other numbers float64, anything else strings. */
function paramType(values: readonly unknown[]): LeadColumn["type"] {
  if (values.every((v) => typeof v === "number" && Number.isInteger(v))) return "int64";
  if (values.every((v) => typeof v === "number")) return "float64";
  return "dict";
}

function paramValue(v: unknown): number | string {
  return typeof v === "number" ? v : typeof v === "string" ? v : JSON.stringify(v);
}

/** The figures of `runs.arrow`, after the run and parameter columns and `stop_reason`, in order (then `summary_json`). */
export const RUN_FIGURES: readonly {
  name: string;
  type: "int64" | "float64" | "int32";
  get: (r: StudyRun) => number | null;
}[] = [
  { name: "simulated_ns", type: "int64", get: (r) => r.summary.simulatedNs },
  { name: "pods_expected", type: "int64", get: (r) => r.summary.pods.expected },
  { name: "pods_created", type: "int64", get: (r) => r.summary.pods.created },
  { name: "pods_scheduled", type: "int64", get: (r) => r.summary.pods.scheduled },
  { name: "pods_running", type: "int64", get: (r) => r.summary.pods.running },
  { name: "pods_unschedulable", type: "int64", get: (r) => r.summary.pods.unschedulable },
  { name: "time_to_all_running_ns", type: "int64", get: (r) => r.summary.timeToAllRunningNs },
  { name: "pod_startup_p50_ns", type: "int64", get: (r) => r.summary.podStartup.p50Ns },
  { name: "pod_startup_p90_ns", type: "int64", get: (r) => r.summary.podStartup.p90Ns },
  { name: "pod_startup_p99_ns", type: "int64", get: (r) => r.summary.podStartup.p99Ns },
  { name: "pod_startup_max_ns", type: "int64", get: (r) => r.summary.podStartup.maxNs },
  { name: "pod_startup_excl_pulls_p50_ns", type: "int64", get: (r) => r.summary.podStartupExcludingPulls.p50Ns },
  { name: "pod_startup_excl_pulls_p99_ns", type: "int64", get: (r) => r.summary.podStartupExcludingPulls.p99Ns },
  { name: "startup_slo_met", type: "int32", get: (r) => (r.summary.podStartupExcludingPulls.sloMet ? 1 : 0) },
  { name: "scheduler_cycles", type: "int64", get: (r) => r.summary.scheduler.cycles },
  { name: "scheduler_cycles_per_second", type: "float64", get: (r) => r.summary.scheduler.cyclesPerSecond },
  { name: "scheduler_bindings", type: "int64", get: (r) => r.summary.scheduler.bindings },
  { name: "scheduler_bindings_per_second", type: "float64", get: (r) => r.summary.scheduler.bindingsPerSecond },
  { name: "nodes_total", type: "int64", get: (r) => r.record.placement.nodes },
  { name: "nodes_used", type: "int64", get: (r) => r.record.placement.nodesUsed },
  { name: "fragmentation", type: "float64", get: (r) => r.record.placement.fragmentation },
];

function runsArrow(study: Extract<CollectedStudy, { kind: "cluster" }>, meta: Record<string, string>): Table {
  const { manifest, runs } = study;
  const n = runs.length;
  const columns = leadColumns(manifest, runs);
  const stops = [...new Set(runs.map((r) => r.summary.stopReason))].sort();
  columns.push({
    name: "stop_reason",
    type: "dict",
    values: Int32Array.from(runs, (r) => stops.indexOf(r.summary.stopReason)),
    dictionary: stops,
  });
  for (const f of RUN_FIGURES) {
    const vals = runs.map((r) => f.get(r));
    if (f.type === "int32") columns.push({ name: f.name, type: "int32", values: Int32Array.from(vals, (v) => v ?? 0) });
    else
      columns.push({
        name: f.name,
        type: f.type,
        values: Float64Array.from(vals, (v) => (v === null ? NaN : f.type === "int64" ? Math.round(v) : v)),
      });
  }
  columns.push({ name: "summary_json", type: "utf8", values: runs.map((r) => JSON.stringify(r.summary)) });
  return tableFromColumns(columns, n, meta);
}

/**
 * The figures of an etcd benchmark study's `runs.arrow`, one row per run and benchmark entry,
 * after the run and parameter columns, in order: etcd's `benchmark put` report (see
 * `EtcdBenchmarkRow`).
 */
export const ETCD_RUN_FIGURES: readonly {
  name: string;
  type: "int64" | "float64";
  get: (r: EtcdBenchmarkRow) => number;
}[] = [
  { name: "clients", type: "int64", get: (r) => r.clients },
  { name: "total", type: "int64", get: (r) => r.total },
  { name: "writes_per_s", type: "float64", get: (r) => r.writesPerSec },
  { name: "mean_latency_ms", type: "float64", get: (r) => r.meanLatencyMs },
  { name: "p99_latency_ms", type: "float64", get: (r) => r.p99LatencyMs },
  { name: "batches", type: "int64", get: (r) => r.batches },
];

function etcdRunsArrow(study: Extract<CollectedStudy, { kind: "etcdBenchmark" }>, meta: Record<string, string>): Table {
  // One row per benchmark entry: each run's lead values repeat on its entries' rows.
  const rowRuns: EtcdStudyRun[] = [];
  const rows: EtcdBenchmarkRow[] = [];
  for (const r of study.runs)
    for (const b of r.rows) {
      rowRuns.push(r);
      rows.push(b);
    }
  const columns = leadColumns(study.manifest, rowRuns);
  for (const f of ETCD_RUN_FIGURES)
    columns.push({ name: f.name, type: f.type, values: Float64Array.from(rows, (b) => f.get(b)) });
  return tableFromColumns(columns, rows.length, meta);
}

/** `run_index`, `run_hash`, `seed` and one column per study parameter, one row per element of `runs`. */
function leadColumns(manifest: StudyManifest, runs: readonly FoundRun[]): Column[] {
  const columns: Column[] = [
    { name: "run_index", type: "int32", values: Int32Array.from(runs, (r) => r.index) },
    { name: "run_hash", type: "utf8", values: runs.map((r) => r.hash) },
    { name: "seed", type: "int64", values: Float64Array.from(runs, (r) => r.seed) },
  ];
  manifest.parameters.forEach((p, i) => {
    const vals = runs.map((r) => r.values[i]);
    const t = paramType(manifest.runs.map((r) => r.values[i]));
    if (t === "dict") {
      const dict = [...new Set(manifest.runs.map((r) => String(paramValue(r.values[i]))))];
      columns.push({
        name: p.column,
        type: "dict",
        values: Int32Array.from(vals, (v) => dict.indexOf(String(paramValue(v)))),
        dictionary: dict,
      });
    } else
      columns.push({
        name: p.column,
        type: t === "int64" ? "int64" : "float64",
        values: Float64Array.from(vals, (v) => v as number),
      });
  });
  return columns;
}

/** The directory of a planned run inside a study directory. */
export function studyRunDir(studyDir: string, run: { index: number; hash: string }): string {
  return join(studyDir, "runs", runDirName(run));
}
