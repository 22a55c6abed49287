import { isMainThread, parentPort, workerData } from "node:worker_threads";
import type { TraceWindow } from "../core/trace.js";
import type { RunStats, SimulatedSummary } from "../metrics/summary.js";
import { isEtcdBenchmark, loadEtcdBenchmark, type EtcdBenchmarkScenario } from "../scenario/etcd-benchmark-scenario.js";
import type { InputLimits } from "../scenario/input-files.js";
import { loadScenario } from "../scenario/load-scenario.js";
import type { Scenario } from "../scenario/types.js";
import { runEtcdBenchmarkScenario, type EtcdBenchmarkRow } from "../sim/run-etcd-benchmark.js";
import { runScenario } from "../sim/run-scenario.js";
import { loadScaledScenario } from "../study/scale.js";
import { workerError, type WorkerError } from "../study/worker-error.js";

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

/** The worker's `workerData`: the request, tagged so that importing this module elsewhere does nothing. */
export interface RunWorkerData {
  simctlRun: RunRequest;
}

// Worker entry: simctl run simulates here so that the main thread stays free to handle
// SIGINT/SIGTERM (a synchronous simulation on the main thread would defer them to its end).
const port = parentPort;
const data = workerData as RunWorkerData | undefined;
if (!isMainThread && port !== null && data?.simctlRun !== undefined) {
  const req = data.simctlRun;
  try {
    const input = loadRunInput(req);
    if (input.kind === "etcd") {
      const { rows, outDir } = runEtcdBenchmarkScenario(input.bench, req.out);
      port.postMessage({ type: "etcd", rows, outDir } satisfies RunWorkerMessage);
    } else {
      const { summary, stats, outDir } = runScenario(input.scenario, {
        outRoot: req.out,
        onProgress: (nowNs, events, done, total) =>
          port.postMessage({ type: "progress", nowNs, events, done, total } satisfies RunWorkerMessage),
        ...(req.trace === undefined ? {} : { trace: req.trace }),
      });
      port.postMessage({ type: "scenario", summary, stats, outDir } satisfies RunWorkerMessage);
    }
  } catch (e) {
    port.postMessage({ type: "error", ...workerError(e) } satisfies RunWorkerMessage);
  }
}
