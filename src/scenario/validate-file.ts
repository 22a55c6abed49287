import { type EtcdBenchmarkScenario, isEtcdBenchmark, loadEtcdBenchmark } from "./etcd-benchmark-scenario.js";
import { defaultInputLimits } from "./input-files.js";
import { loadScenario, type LoadOptions } from "./load-scenario.js";
import type { Scenario } from "./types.js";

/**
 * What `simctl validate` checks, as a function: reads a scenario file (or an etcd benchmark
 * scenario) with every check `run` makes before simulating. Throws a located ScenarioError.
 */
export function validateScenarioFile(
  file: string,
  options: LoadOptions = {},
): { kind: "cluster"; scenario: Scenario } | { kind: "etcdBenchmark"; scenario: EtcdBenchmarkScenario } {
  const limits = options.limits ?? defaultInputLimits();
  if (isEtcdBenchmark(file, limits)) return { kind: "etcdBenchmark", scenario: loadEtcdBenchmark(file, limits) };
  return { kind: "cluster", scenario: loadScenario(file, { ...options, limits }) };
}
