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

/**
 * Whether a scenario file is an etcd benchmark (it has a top-level `benchmark:` key). A file
 * that cannot be read (not a regular file, too big) is not one: the scenario loader reports it.
 */
export function isEtcdBenchmark(file: string, limits: InputLimits = defaultInputLimits()): boolean {
  const read = readInputFile(file, process.cwd(), undefined, limits);
  return "text" in read && /^benchmark\s*:/m.test(read.text);
}

/** Reads and validates an etcd benchmark scenario, with located errors like any scenario. */
export function loadEtcdBenchmark(file: string, limits: InputLimits = defaultInputLimits()): EtcdBenchmarkScenario {
  const text = readTopFile(file, "scenario", limits);
  const { ctx, docs } = readYamlDocuments(file, text, { limits });
  const r = docs[0]!;
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
    seed: r.get("seed").int({ min: 0, default: 1 }),
    etcd: readEtcd(r.get("etcd")),
    runs,
  };
  ctx.throwIfIssues();
  return scenario;
}
