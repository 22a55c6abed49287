import { join } from "node:path";
import { DEFAULT_ETCD_CONFIG } from "../etcd/etcd-config.js";
import { runEtcdBenchmark } from "../etcd/benchmark.js";
import { tableFromColumns, writeArrowFile, writeFileAtomic } from "../metrics/arrow-writer.js";
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

/**
 * Runs each benchmark of an etcd benchmark scenario and, unless `outRoot` is null, writes
 * `summary.json` and one `etcd-<clients>-clients.arrow` (the commit batches) per run into
 * `<outRoot>/<name>-<seed>/`, atomically.
 */
export function runEtcdBenchmarkScenario(
  s: EtcdBenchmarkScenario,
  outRoot: string | null = join("results", "runs"),
): { rows: EtcdBenchmarkRow[]; outDir: string | undefined } {
  const config = { ...DEFAULT_ETCD_CONFIG, ...s.etcd };
  const rows: EtcdBenchmarkRow[] = [];
  const tables: [string, ReturnType<typeof tableFromColumns>][] = [];
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
    tables.push([
      `etcd-${run.clients}-clients.arrow`,
      tableFromColumns(
        [
          { name: "start_ns", type: "int64", values: b.startNs },
          { name: "commit_ns", type: "int64", values: b.commitNs },
          { name: "entries", type: "int32", values: b.entries },
          { name: "bytes", type: "int64", values: b.bytes },
          { name: "fsync_ns", type: "int64", values: b.fsyncNs },
        ],
        b.size,
        meta,
      ),
    ]);
  }
  if (outRoot === null) return { rows, outDir: undefined };
  const outDir = join(outRoot, `${s.name}-${s.seed}`);
  writeResultDir(outDir, (tmp) => {
    for (const [name, table] of tables) writeArrowFile(join(tmp, name), table);
    writeFileAtomic(
      join(tmp, "summary.json"),
      `${JSON.stringify({ simctlVersion: VERSION, results: { scenario: s.name, seed: s.seed, etcdBenchmark: rows } }, null, 2)}\n`,
    );
  });
  return { rows, outDir };
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
