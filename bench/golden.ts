import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseScenario } from "../src/scenario/load-scenario.js";
import { isEtcdBenchmark, loadEtcdBenchmark } from "../src/scenario/etcd-benchmark-scenario.js";
import { runScenario } from "../src/sim/run-scenario.js";
import { runEtcdBenchmarkScenario } from "../src/sim/run-etcd-benchmark.js";
import { diffResults, type ResultDiff } from "../src/gate/diff-results.js";
import { asStoredJson, caseText as scenarioCaseText, type ScenarioCase } from "../src/gate/scenario-case.js";

/**
 * One seeded scenario whose simulated results are pinned in `results/golden/<name>.json` (a
 * {@link ScenarioCase} whose file is relative to the repository root).
 */
export type GoldenCase = ScenarioCase;

/**
 * The golden-results gate's cases: 10k-pods at full size plus reduced versions of the other
 * shipped scenarios (density-5k-nodes at 2%: 100 nodes, 3,000 pods). Each costs at most a few
 * seconds in `npm test`.
 */
export const GOLDEN_CASES: readonly GoldenCase[] = [
  { name: "10k-pods", file: "scenarios/10k-pods.yaml" },
  { name: "rolling-update-0.25", file: "scenarios/rolling-update.yaml", scale: 0.25 },
  { name: "zone-outage-0.5", file: "scenarios/zone-outage.yaml", scale: 0.5 },
  { name: "image-pull-storm-0.05", file: "scenarios/image-pull-storm.yaml", scale: 0.05 },
  { name: "binpack-vs-spread", file: "scenarios/binpack-vs-spread.yaml" },
  { name: "density-5k-nodes-0.02", file: "scenarios/density-5k-nodes.yaml", scale: 0.02 },
  {
    name: "etcd-benchmark-small",
    file: "scenarios/etcd-benchmark.yaml",
    set: [
      ["benchmark[0].total", 2000],
      ["benchmark[1].total", 20000],
    ],
  },
];

/** The repository root (this file is bench/golden.ts, or dist-bench/bench/golden.js). */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** Where a case's golden values live. */
export function goldenFile(name: string): string {
  return join(REPO_ROOT, "results", "golden", `${name}.json`);
}

/** What a golden file holds: the case it was made from and the simulated results. */
export interface GoldenRecord {
  case: GoldenCase;
  /** How to make it again. */
  regenerate: string;
  /** summary.json `results` of the run (etcd benchmarks: the benchmark rows), JSON-normalised. */
  results: unknown;
}

/** The command that regenerates every golden file (printed in failures and written into each file). */
export const REGENERATE = "npm run bench -- --update-golden   (same as: npx simctl bench --update-golden)";

/** The scenario text of a case: the file, scaled, then with the overrides set. */
export function caseText(c: GoldenCase, extraSet: GoldenCase["set"] = []): string {
  return scenarioCaseText(c, REPO_ROOT, extraSet);
}

/**
 * Runs a case in this process and returns its simulated results exactly as summary.json would
 * hold them (through JSON, so NaN and -0 compare as the file does). `extraSet` adds overrides
 * (the gate's own test uses it to perturb a model constant). Nothing is written.
 */
export function runGoldenCase(c: GoldenCase, extraSet: GoldenCase["set"] = []): unknown {
  const file = join(REPO_ROOT, c.file);
  const text = caseText(c, extraSet);
  if (isEtcdBenchmark(file)) {
    // The etcd benchmark loader reads a file; overrides go through a temporary copy.
    const dir = mkdtempSync(join(tmpdir(), "simctl-golden-"));
    try {
      const tmp = join(dir, "scenario.yaml");
      writeFileSync(tmp, text);
      return asStoredJson(runEtcdBenchmarkScenario(loadEtcdBenchmark(tmp), null).rows);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return asStoredJson(runScenario(parseScenario(file, text), { write: false }).summary);
}

/** Reads a case's golden record, or undefined when the file does not exist yet. */
export function readGolden(name: string): GoldenRecord | undefined {
  try {
    return JSON.parse(readFileSync(goldenFile(name), "utf8")) as GoldenRecord;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** One difference between golden and actual results. */
export type GoldenDiff = ResultDiff;

export { diffResults };

/** Formats differences for a failure message, with the regenerate command. */
export function formatDiffs(name: string, diffs: readonly GoldenDiff[]): string {
  const lines = diffs
    .slice(0, 20)
    .map((d) => `  ${d.path}: golden ${JSON.stringify(d.expected)}, now ${JSON.stringify(d.actual)}`);
  if (diffs.length > 20) lines.push(`  ... and ${diffs.length - 20} more`);
  return `golden case ${name}: ${diffs.length} difference${diffs.length === 1 ? "" : "s"} from ${goldenFile(name)}:\n${lines.join("\n")}\nIf the change of behaviour is intended, regenerate with: ${REGENERATE}`;
}

/**
 * Runs the cases (all, or those named) and rewrites their golden files. Returns, per case,
 * whether the values changed. This is what `--update-golden` does.
 */
export function updateGolden(
  names: readonly string[] = [],
  log: (line: string) => void = () => {},
): { name: string; changed: boolean; diffs: number }[] {
  const unknown = names.filter((n) => !GOLDEN_CASES.some((c) => c.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown golden case ${unknown.join(", ")}; known: ${GOLDEN_CASES.map((c) => c.name).join(", ")}`);
  const cases = names.length === 0 ? GOLDEN_CASES : GOLDEN_CASES.filter((c) => names.includes(c.name));
  const done: { name: string; changed: boolean; diffs: number }[] = [];
  for (const c of cases) {
    const t0 = performance.now();
    const results = runGoldenCase(c);
    const old = readGolden(c.name);
    const diffs = old === undefined ? [] : diffResults(old.results, results, "results", Infinity);
    const record: GoldenRecord = { case: c, regenerate: REGENERATE, results };
    mkdirSync(dirname(goldenFile(c.name)), { recursive: true });
    writeFileSync(goldenFile(c.name), `${JSON.stringify(record, null, 2)}\n`);
    const changed = old === undefined || diffs.length > 0;
    done.push({ name: c.name, changed, diffs: diffs.length });
    log(
      `${c.name.padEnd(24)} ${old === undefined ? "created" : changed ? `updated (${diffs.length} values changed)` : "unchanged"}  ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  return done;
}

function findRepoRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "simctl-k8s") return dir;
    } catch {
      // not here: go up
    }
    dir = resolve(dir, "..");
  }
  throw new Error(`cannot find the simctl repository root above ${start}`);
}
