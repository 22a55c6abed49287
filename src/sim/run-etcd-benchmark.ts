import { join } from "node:path";
import { DEFAULT_ETCD_CONFIG } from "../etcd/etcd-config.js";
import { runEtcdBenchmark } from "../etcd/benchmark.js";
import { writeArrowColumns } from "../metrics/arrow-ipc.js";
import type { Column } from "../metrics/arrow-writer.js";
import { writeFileAtomic } from "../metrics/atomic-file.js";
import { writeResultDir } from "../metrics/result-dir.js";
import type { EtcdBenchmarkScenario } from "../scenario/etcd-benchmark-scenario.js";
import { VERSION } from "../version.js";

/** The result of one benchmark run, as etcd's tool reports it. */
export interface EtcdBenchmarkRow {
  clients: number;
  total: number;
  writesPerSec: number;
  meanLatencyMs: number;
  p99LatencyMs: number;
  /** Leader WAL batches: writes per batch shows group commit at work. */
  batches: number;
}

/** What the benchmarks of an etcd benchmark scenario produced, before anything is written. */
export interface EtcdBenchmarkResult {
  rows: EtcdBenchmarkRow[];
  /** Each run's commit batches, named by their file (`etcd-<clients>-clients.arrow`). */
  tables: { file: string; columns: Column[]; rows: number; metadata: Record<string, string> }[];
}

/**
 * Runs each benchmark of an etcd benchmark scenario and, unless `outRoot` is null, writes
 * `summary.json` and one `etcd-<clients>-clients.arrow` (the commit batches) per run into
 * `<outRoot>/<name>-<seed>/`, atomically.
 */
export function runEtcdBenchmarkScenario(
  s: EtcdBenchmarkScenario,
  outRoot: string | null = join("results", "runs"),
): { rows: EtcdBenchmarkRow[]; outDir: string | undefined } {
  const r = simulateEtcdBenchmark(s);
  if (outRoot === null) return { rows: r.rows, outDir: undefined };
  const outDir = join(outRoot, `${s.name}-${s.seed}`);
  writeResultDir(outDir, (tmp) => writeEtcdBenchmarkFiles(s, r, tmp));
  return { rows: r.rows, outDir };
}

/**
 * Runs each benchmark of an etcd benchmark scenario in order, in memory; `onRun(done, total)`
 * after each one.
 */
export function simulateEtcdBenchmark(
  s: EtcdBenchmarkScenario,
  onRun?: (done: number, total: number) => void,
): EtcdBenchmarkResult {
  const config = { ...DEFAULT_ETCD_CONFIG, ...s.etcd };
  const rows: EtcdBenchmarkRow[] = [];
  const tables: EtcdBenchmarkResult["tables"] = [];
  for (const run of s.runs) {
    const r = runEtcdBenchmark(config, {
      clients: run.clients,
      totalWrites: run.total,
      keyBytes: run.keyBytes,
      valueBytes: run.valueBytes,
      seed: s.seed,
    });
    rows.push({
      clients: run.clients,
      total: run.total,
      writesPerSec: Math.round(r.writesPerSec),
      meanLatencyMs: round3(r.meanLatencyMs),
      p99LatencyMs: round3(r.p99LatencyMs),
      batches: r.batches,
    });
    const b = r.cluster.batches;
    const meta = {
      "simctl.version": VERSION,
      "simctl.scenario": s.name,
      "simctl.seed": String(s.seed),
      "simctl.clients": String(run.clients),
    };
    tables.push({
      file: `etcd-${run.clients}-clients.arrow`,
      columns: [
        { name: "start_ns", type: "int64", values: b.startNs },
        { name: "commit_ns", type: "int64", values: b.commitNs },
        { name: "entries", type: "int32", values: b.entries },
        { name: "bytes", type: "int64", values: b.bytes },
        { name: "fsync_ns", type: "int64", values: b.fsyncNs },
      ],
      rows: b.size,
      metadata: meta,
    });
    onRun?.(rows.length, s.runs.length);
  }
  return { rows, tables };
}

/** Writes what `simctl run` writes for an etcd benchmark (the batch tables, summary.json) into `dir`. */
export function writeEtcdBenchmarkFiles(s: EtcdBenchmarkScenario, r: EtcdBenchmarkResult, dir: string): void {
  for (const t of r.tables) writeArrowColumns(join(dir, t.file), t.columns, t.rows, t.metadata);
  writeFileAtomic(
    join(dir, "summary.json"),
    `${JSON.stringify({ simctlVersion: VERSION, results: { scenario: s.name, seed: s.seed, etcdBenchmark: r.rows } }, null, 2)}\n`,
  );
}

/** The benchmark table for the terminal. */
export function formatEtcdBenchmark(
  s: EtcdBenchmarkScenario,
  rows: readonly EtcdBenchmarkRow[],
  outDir: string | undefined,
): string {
  const out = [`simctl run ${s.name} (etcd benchmark put, ${s.etcd.members} members, seed ${s.seed})`, ""];
  out.push(
    `${"clients".padStart(8)} ${"writes".padStart(9)} ${"writes/s".padStart(10)} ${"mean".padStart(10)} ${"p99".padStart(10)} ${"writes/batch".padStart(13)}`,
  );
  for (const r of rows) {
    out.push(
      `${String(r.clients).padStart(8)} ${String(r.total).padStart(9)} ${String(r.writesPerSec).padStart(10)} ${`${r.meanLatencyMs.toFixed(2)} ms`.padStart(10)} ${`${r.p99LatencyMs.toFixed(2)} ms`.padStart(10)} ${(r.total / r.batches).toFixed(1).padStart(13)}`,
    );
  }
  if (outDir !== undefined) out.push("", `outputs: ${outDir}/`);
  return out.join("\n");
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
