import { join } from "node:path";
import { writeFileAtomic } from "../metrics/atomic-file.js";
import { writeResultDir } from "../metrics/result-dir.js";
import type { RunStats, SimulatedSummary } from "../metrics/summary.js";
import type { InputLimits } from "../scenario/input-files.js";
import { parseAnyScenario } from "../scenario/validate-file.js";
import { type EtcdBenchmarkRow, simulateEtcdBenchmark, writeEtcdBenchmarkFiles } from "../sim/run-etcd-benchmark.js";
import { runScenario, writeRunFiles } from "../sim/run-scenario.js";
import { placementMetrics, type PlacementMetrics } from "./placement.js";

/**
 * One simulation to run, as plain data so it can cross to a worker thread: the scenario text
 * (with study overrides and scale already applied) and the seed.
 */
export interface RunTask {
  /** Caller's id for the run (a study's run index, or a compare cell). */
  index: number;
  /** Scenario file path: names it in errors and anchors relative manifest paths. */
  file: string;
  text: string;
  seed: number;
  /** Limits the scenario was validated with (`--allow-path`...): its files are read again here. */
  limits?: InputLimits;
  /**
   * Final directory for the run's outputs (what `simctl run` writes, then run.json);
   * undefined runs without writing anything.
   */
  outDir?: string;
  /** Extra fields written into `run.json` (study run index, hash, parameter values). */
  info?: Record<string, unknown>;
}

/** What a finished run of a cluster scenario reports back. */
export interface ClusterRunOutcome {
  kind: "cluster";
  index: number;
  summary: SimulatedSummary;
  placement: PlacementMetrics;
  stats: RunStats;
  outDir: string | undefined;
}

/** What a finished run of an etcd benchmark scenario reports back: one row per benchmark entry. */
export interface EtcdBenchmarkRunOutcome {
  kind: "etcdBenchmark";
  index: number;
  rows: EtcdBenchmarkRow[];
  outDir: string | undefined;
}

/** What a finished run reports back, by the kind of its scenario (see `scenarioKind`). */
export type RunOutcome = ClusterRunOutcome | EtcdBenchmarkRunOutcome;

/** `o` as a cluster run's outcome, for callers that ran cluster scenarios only; throws otherwise. */
export function clusterOutcome(o: RunOutcome): ClusterRunOutcome {
  if (o.kind !== "cluster") throw new Error(`run ${o.index} ran an etcd benchmark, not a cluster scenario`);
  return o;
}

/**
 * The contents of a cluster study run's `run.json`: written last, so its presence marks a
 * complete run. An etcd benchmark run's `run.json` has the same fields without `placement`.
 */
export interface RunRecord {
  placement: PlacementMetrics;
  [key: string]: unknown;
}

/**
 * Runs one task where it is called (a worker thread or the main thread), as a cluster scenario
 * or an etcd benchmark by its text (see {@link parseAnyScenario}). With `outDir`, the outputs
 * (what `simctl run` writes) and `run.json` (the task's `info` and seed, plus a cluster run's
 * placement metrics, written last) replace `outDir` atomically (see {@link writeResultDir}).
 */
export function executeRunTask(task: RunTask, onProgress?: (done: number, total: number) => void): RunOutcome {
  const parsed = parseAnyScenario(task.file, task.text, {
    seed: task.seed,
    ...(task.limits === undefined ? {} : { limits: task.limits }),
  });
  if (parsed.kind === "etcdBenchmark") {
    const bench = parsed.scenario;
    const r = simulateEtcdBenchmark(bench, onProgress);
    if (task.outDir !== undefined) {
      const record = { ...task.info, seed: task.seed };
      writeResultDir(task.outDir, (tmp) => {
        writeEtcdBenchmarkFiles(bench, r, tmp);
        writeFileAtomic(join(tmp, "run.json"), `${JSON.stringify(record, null, 2)}\n`);
      });
    }
    return { kind: "etcdBenchmark", index: task.index, rows: r.rows, outDir: task.outDir };
  }
  const progress =
    onProgress === undefined
      ? undefined
      : (_now: number, _ev: number, running: number, expected: number) => onProgress(running, expected);
  const r = runScenario(parsed.scenario, { write: false, onProgress: progress });
  const placement = placementMetrics(r.simulation.nodes);
  if (task.outDir !== undefined) {
    const record: RunRecord = { ...task.info, seed: task.seed, placement };
    writeResultDir(task.outDir, (tmp) => {
      writeRunFiles(r.simulation, r.summary, r.stats, tmp);
      writeFileAtomic(join(tmp, "run.json"), `${JSON.stringify(record, null, 2)}\n`);
    });
  }
  return { kind: "cluster", index: task.index, summary: r.summary, placement, stats: r.stats, outDir: task.outDir };
}
