import { defaultInputLimits, readInputFile, type InputLimits } from "./input-files.js";
import { readTopFile, SCENARIO_NAME, SCENARIO_NAME_EXPECTED } from "./load-scenario.js";
import { readEtcd, type EtcdSpec } from "./sections/etcd.js";
import { readYamlDocuments, type YamlReader } from "./yaml-reader.js";
import { DEFAULT_ETCD_CONFIG } from "../etcd/etcd-config.js";
import { PUT_OVERHEAD_BYTES } from "../etcd/benchmark.js";

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
      const run = {
        clients: b.get("clients").int({ min: 1, max: 100_000 }),
        total: b.get("total").int({ min: 1, max: 10_000_000 }),
        keyBytes: byteCount(b.get("keySize"), 1, 8),
        valueBytes: byteCount(b.get("valueSize"), 0),
      };
      // model: server/etcdserver/v3_server.go refuses a proposal larger than --max-request-bytes
      // (1.5 MiB) with "etcdserver: request is too large", so such a benchmark measures nothing.
      const max = DEFAULT_ETCD_CONFIG.maxRequestBytes - PUT_OVERHEAD_BYTES;
      if (run.keyBytes + run.valueBytes > max)
        b.get(run.keyBytes > max ? "keySize" : "valueSize").fail(
          `a put of at most ${max} bytes with its key (etcd refuses a request over --max-request-bytes, 1.5Mi)`,
        );
      return run;
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

/**
 * A size in bytes (a quantity such as 256 or 1Ki), at least `min`. model: etcd's benchmark
 * tool takes --key-size and --val-size as whole numbers of bytes.
 */
function byteCount(r: YamlReader, min: number, def?: number): number {
  const expected = "a whole number of bytes such as 256 or 1Ki";
  const v = r.quantity(def === undefined ? { min, expected } : { min, default: def, expected });
  if (!Number.isInteger(v)) r.fail(`${expected} >= ${min}`);
  return v;
}
