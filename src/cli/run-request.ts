import type { TraceWindow } from "../core/trace.js";
import type { RunStats, SimulatedSummary } from "../metrics/summary.js";
import { isEtcdBenchmark, loadEtcdBenchmark, type EtcdBenchmarkScenario } from "../scenario/etcd-benchmark-scenario.js";
import type { InputLimits } from "../scenario/input-files.js";
import { loadScenario } from "../scenario/load-scenario.js";
import type { Scenario } from "../scenario/types.js";
import type { EtcdBenchmarkRow } from "../sim/run-etcd-benchmark.js";
import { loadScaledScenario } from "../study/scale.js";
import type { WorkerError } from "../study/worker-error.js";

// perf: the main thread of `simctl run` imports this module, not the worker's: reading and
// checking a scenario needs neither the simulator nor the Arrow writers, and the worker loads
// those itself (measured on 10k-pods: the main thread loaded 405 modules before, 150 after).

/** What `simctl run` asks for: read on the main thread (to check it) and again in its worker. */
export interface RunRequest {
  file: string;
  seed?: number;
  scale?: number;
  /** Directory that receives `<name>-<seed>/`. */
  out: string;
  /** Confinement, file size and memory limits (`--allow-path`, `--max-file-size`, `--max-memory`). */
  limits: InputLimits;
  /** `--trace FILE [--trace-window FROM-TO]`. */
  trace?: { file: string; window?: TraceWindow };
}

/** A loaded run request: a scenario, or an etcd benchmark. */
export type RunInput = { kind: "scenario"; scenario: Scenario } | { kind: "etcd"; bench: EtcdBenchmarkScenario };

/** Reads and validates the scenario of a request (throws a ScenarioError with its problems). */
export function loadRunInput(r: RunRequest): RunInput {
  if (isEtcdBenchmark(r.file, r.limits)) {
    const s = loadEtcdBenchmark(r.file, r.limits);
    return { kind: "etcd", bench: r.seed === undefined ? s : { ...s, seed: r.seed } };
  }
  const overrides = { ...(r.seed === undefined ? {} : { seed: r.seed }), limits: r.limits };
  return {
    kind: "scenario",
    scenario: r.scale === undefined ? loadScenario(r.file, overrides) : loadScaledScenario(r.file, r.scale, overrides),
  };
}

/** Messages the run worker sends to the command. */
export type RunWorkerMessage =
  | { type: "progress"; nowNs: number; events: number; done: number; total: number }
  | { type: "scenario"; summary: SimulatedSummary; stats: RunStats; outDir: string | undefined }
  | { type: "etcd"; rows: EtcdBenchmarkRow[]; outDir: string | undefined }
  | ({ type: "error" } & WorkerError);

/** The run worker's `workerData`: the request, tagged so that importing the worker module elsewhere does nothing. */
export interface RunWorkerData {
  simctlRun: RunRequest;
}
