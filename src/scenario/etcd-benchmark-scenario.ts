import { defaultInputLimits, readInputFile, type InputLimits } from "./input-files.js";
import { readTopFile, SCENARIO_NAME, SCENARIO_NAME_EXPECTED } from "./load-scenario.js";
import { readEtcd, type EtcdSpec } from "./sections/etcd.js";
import { readYamlDocuments } from "./yaml-reader.js";

/** One run of etcd's `benchmark put`: closed-loop clients writing fixed-size values. */
export interface EtcdBenchmarkRun {
  clients: number;
  /** Writes in all (`--total`). */
  total: number;
  keyBytes: number;
  valueBytes: number;
}

/**
 * A scenario that benchmarks etcd alone, as etcd's performance guide does, instead of running
 * a cluster: `etcd:` sets the cluster (the same keys as a scenario's `controlPlane.etcd`) and
 * `benchmark:` lists the runs.
 */
export interface EtcdBenchmarkScenario {
  file: string;
  name: string;
  seed: number;
  etcd: EtcdSpec;
  runs: readonly EtcdBenchmarkRun[];
}

/** The two kinds of scenario: a cluster to simulate, or etcd benchmarked alone. */
export type ScenarioKind = "cluster" | "etcdBenchmark";

/**
 * Which kind of scenario a scenario text is: an etcd benchmark when it has a top-level
 * `benchmark:` key, else a cluster scenario (whose loader reports whatever else is wrong).
 * Every command that takes either kind routes through this one test.
 */
export function scenarioKind(text: string): ScenarioKind {
  return /^benchmark\s*:/m.test(text) ? "etcdBenchmark" : "cluster";
}

/**
 * Whether a scenario file is an etcd benchmark (see {@link scenarioKind}). A file that cannot
 * be read (not a regular file, too big) is not one: the scenario loader reports it.
 */
export function isEtcdBenchmark(file: string, limits: InputLimits = defaultInputLimits()): boolean {
  const read = readInputFile(file, process.cwd(), undefined, limits);
  return "text" in read && scenarioKind(read.text) === "etcdBenchmark";
}

/** Reads and validates an etcd benchmark scenario, with located errors like any scenario. */
export function loadEtcdBenchmark(file: string, limits: InputLimits = defaultInputLimits()): EtcdBenchmarkScenario {
  return parseEtcdBenchmark(file, readTopFile(file, "scenario", limits), { limits });
}

/**
 * As {@link loadEtcdBenchmark}, from text already in memory (a study's grid point): `file`
 * names it in errors; `seed` replaces the scenario's seed.
 */
export function parseEtcdBenchmark(
  file: string,
  text: string,
  options: { seed?: number; limits?: InputLimits } = {},
): EtcdBenchmarkScenario {
  const { ctx, docs } = readYamlDocuments(file, text, options.limits === undefined ? {} : { limits: options.limits });
  const root = docs[0];
  if (root === undefined || docs.length !== 1) {
    ctx.report("", 0, "exactly one YAML document", `${docs.length} documents`);
    ctx.throwIfIssues();
  }
  const r = root!;
  r.object(["name", "seed", "etcd", "benchmark"]);
  const runs = r
    .get("benchmark")
    .list("a list of runs, each { clients, total, keySize, valueSize }")
    .map((b) => {
      b.object(["clients", "total", "keySize", "valueSize"]);
      return {
        clients: b.get("clients").int({ min: 1, max: 100_000 }),
        total: b.get("total").int({ min: 1, max: 10_000_000 }),
        keyBytes: b.get("keySize").quantity({ min: 1, default: 8 }),
        valueBytes: b.get("valueSize").quantity({ min: 0 }),
      };
    });
  const scenario = {
    file,
    name: r.get("name").str({ pattern: SCENARIO_NAME, expected: SCENARIO_NAME_EXPECTED }),
    seed: options.seed ?? r.get("seed").int({ min: 0, default: 1 }),
    etcd: readEtcd(r.get("etcd")),
    runs,
  };
  ctx.throwIfIssues();
  return scenario;
}
