/**
 * simctl's library API, exported by name. The command line (`simctl`) is built on these; a
 * study can drive them directly: load a scenario, run it, read the summary and the tables.
 */

// Engine and modelling primitives.
export {
  Engine,
  type EventHandle,
  type EventKind,
  type Handler,
  type RunOptions,
  type RunResult,
  type StopReason,
} from "./core/engine.js";
export { RandomStreams, type Rng } from "./core/random.js";
export { Sampler, constant, lognormal, type DistSpec } from "./core/distributions.js";
export { NS_PER, formatDuration, parseDurationNs, secondsToNs } from "./core/time.js";
export { SimulationError } from "./core/errors.js";
export { TokenBucket } from "./sync/token-bucket.js";
export { CountedResource } from "./sync/counted-resource.js";
export { RingQueue } from "./sync/ring-queue.js";

// Scenarios.
export { loadScenario, parseScenario } from "./scenario/load-scenario.js";
export { ScenarioError, formatIssue, type ScenarioIssue } from "./scenario/scenario-error.js";
export type { Scenario, OutputTable, WorkloadStep, WorkloadAction } from "./scenario/types.js";
export {
  loadEtcdBenchmark,
  parseEtcdBenchmark,
  scenarioKind,
  type EtcdBenchmarkScenario,
  type ScenarioKind,
} from "./scenario/etcd-benchmark-scenario.js";
export { parseAnyScenario, validateScenarioFile, type AnyScenario } from "./scenario/validate-file.js";

// Running and results.
export { Simulation, type SimulationRunOptions } from "./sim/simulation.js";
export { runScenario, type RunScenarioOptions, type RunScenarioResult } from "./sim/run-scenario.js";
export { scenarioHash } from "./sim/scenario-hash.js";
export { runEtcdBenchmarkScenario, type EtcdBenchmarkRow } from "./sim/run-etcd-benchmark.js";
export {
  summarize,
  POD_STARTUP_SLO_P99_NS,
  type SimulatedSummary,
  type RunStats,
  type LatencySummary,
  type WaitSummary,
} from "./metrics/summary.js";
export { tableFromColumns, writeArrowFile, type Column } from "./metrics/arrow-writer.js";
export { writeArrowColumns } from "./metrics/arrow-ipc.js";
export { writeFileAtomic } from "./metrics/atomic-file.js";
export { exportParquet } from "./metrics/parquet-export.js";

// Component models usable on their own.
export { EtcdCluster, DEFAULT_ETCD_CONFIG, runEtcdBenchmark, type EtcdConfig } from "./etcd/index.js";
export { PriorityAndFairness, classify, type ApfConfig, type ClientIdentity } from "./apiserver/flowcontrol/index.js";
export { numFeasibleNodesToFind } from "./scheduler/num-feasible-nodes.js";

// Studies.
export { runSweep } from "./study/sweep.js";
export type { RunOutcome, ClusterRunOutcome, EtcdBenchmarkRunOutcome } from "./study/run-task.js";
export { mergeStudy, collectStudy } from "./study/merge.js";
export { buildArms, runCompare, formatCompare } from "./study/compare.js";
export { buildReport, writeReport } from "./report/build-report.js";
export { loadScaledScenario, scaleScenarioText } from "./study/scale.js";

export { VERSION } from "./version.js";
