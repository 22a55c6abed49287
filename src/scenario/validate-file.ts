import {
  type EtcdBenchmarkScenario,
  parseEtcdBenchmark,
  type ScenarioKind,
  scenarioKind,
} from "./etcd-benchmark-scenario.js";
import { defaultInputLimits } from "./input-files.js";
import { parseScenario, readTopFile, type LoadOptions } from "./load-scenario.js";
import type { Scenario } from "./types.js";

/** A validated scenario of either kind (see {@link scenarioKind}). */
export type AnyScenario =
  | { kind: "cluster"; scenario: Scenario }
  | { kind: "etcdBenchmark"; scenario: EtcdBenchmarkScenario };

/**
 * What `simctl validate` checks, as a function: reads a scenario file (or an etcd benchmark
 * scenario) with every check `run` makes before simulating. Throws a located ScenarioError.
 */
export function validateScenarioFile(file: string, options: LoadOptions = {}): AnyScenario {
  const limits = options.limits ?? defaultInputLimits();
  return parseAnyScenario(file, readTopFile(file, "scenario", limits), { ...options, limits });
}

/**
 * As {@link validateScenarioFile}, from text already in memory (a study's grid point, a
 * worker's task), read as `kind` (default: what {@link scenarioKind} says the text is). `seed`
 * applies to both kinds; `scale` only to a cluster scenario (an etcd benchmark has no cluster
 * to scale).
 */
export function parseAnyScenario(
  file: string,
  text: string,
  options: LoadOptions = {},
  kind: ScenarioKind = scenarioKind(text),
): AnyScenario {
  if (kind === "etcdBenchmark") {
    const o = {
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
    };
    return { kind: "etcdBenchmark", scenario: parseEtcdBenchmark(file, text, o) };
  }
  return { kind: "cluster", scenario: parseScenario(file, text, options) };
}
