import { basename, extname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { formatDuration } from "../core/time.js";
import { gateMetric } from "../gate/gate-metrics.js";
import { parseScenario, readTopFile } from "../scenario/load-scenario.js";
import { scenarioKind } from "../scenario/etcd-benchmark-scenario.js";
import { clusterOutcome, type ClusterRunOutcome, type RunOutcome, type RunTask } from "./run-task.js";
import { scaleScenarioText } from "./scale.js";
import { meanInterval, pairedDifference, type PairedDifference } from "./stats.js";
import { UserError } from "./user-error.js";
import { parseYamlPath, setYamlPath } from "./yaml-path.js";
import { runTasks } from "./worker-pool.js";

/** One configuration in a comparison: a scenario text and its label. */
export interface CompareArm {
  label: string;
  /** Scenario file (for errors and relative manifest paths). */
  file: string;
  /** Scenario YAML to run (after any --vary value and --scale). */
  text: string;
}

/** A figure compared between arms. */
export interface CompareMetric {
  key: string;
  label: string;
  unit: "ns" | "count" | "fraction" | "rate";
  get: (o: ClusterRunOutcome) => number | null;
}

/** A metric of simctl gate's table (src/gate/gate-metrics.ts), read from a run's summary. */
function gateFigure(name: string): CompareMetric {
  const m = gateMetric(name);
  if (m === undefined) throw new Error(`compare: no gate metric ${name}`);
  return { key: m.name, label: m.label, unit: m.unit, get: (o) => m.get(o.summary) };
}

/**
 * The figures `simctl compare` reports: simctl gate's metrics by their names (one vocabulary for
 * compare, gate, --fail-if and capacity's SLOs), and two of placement. Nodes used and
 * fragmentation are defined in {@link import("./placement.js").PlacementMetrics}.
 */
export const COMPARE_METRICS: readonly CompareMetric[] = [
  gateFigure("timeToAllRunning"),
  gateFigure("startupP50"),
  gateFigure("startupP99"),
  gateFigure("startupP99ExclPulls"),
  { key: "nodesUsed", label: "nodes used (>= 1 pod)", unit: "count", get: (o) => o.placement.nodesUsed },
  { key: "fragmentation", label: "fragmentation", unit: "fraction", get: (o) => o.placement.fragmentation },
  gateFigure("unschedulable"),
  gateFigure("schedulerThroughput"),
];

/** One metric of a comparison: each arm's values by seed, mean and interval, and paired differences against the first arm. */
export interface MetricComparison {
  key: string;
  label: string;
  unit: CompareMetric["unit"];
  arms: { label: string; values: (number | null)[]; mean: number; half: number }[];
  /** Arm i (i >= 1) minus arm 0, paired by seed; `diffs[0]` is arm 1 - arm 0. */
  diffs: PairedDifference[];
}

/** Result of {@link runCompare}. */
export interface CompareResult {
  seeds: number[];
  confidence: number;
  arms: string[];
  metrics: MetricComparison[];
}

/** Options of {@link runCompare}. */
export interface CompareOptions {
  seeds: readonly number[];
  confidence?: number;
  workers?: number;
  /** Keep each run's outputs in `<outDir>/<arm>-<seed>/`; default: write nothing. */
  outDir?: string;
  onProgress?: (index: number, done: number, total: number) => void;
  onDone?: (outcome: RunOutcome) => void;
}

/**
 * Builds the arms of a comparison. Either two or more scenario files (each one arm, labelled by
 * its file name), or one scenario file and `vary` = `PATH=V1,V2,...` (each value one arm, set
 * at the YAML path like a study parameter; values are YAML scalars; arms are labelled
 * `<last key>=<value>`). `scale` applies to every
 * arm. Every arm is validated before anything runs (scenario errors are thrown as usual); an
 * etcd benchmark scenario is refused (exit 2): its figures are not a cluster's.
 */
export function buildArms(files: readonly string[], options: { vary?: string; scale?: number } = {}): CompareArm[] {
  // A regular file within the size limit, as run and validate read it.
  const read = (f: string) => readTopFile(f, "scenario");
  let arms: CompareArm[];
  if (options.vary !== undefined) {
    if (files.length !== 1)
      throw new UserError(
        `--vary compares values of one scenario: name exactly one scenario file (got ${files.length})`,
      );
    const eq = options.vary.indexOf("=");
    if (eq < 0)
      throw new UserError(
        `--vary: expected PATH=V1,V2,... such as controlPlane.controllerManager.qps=20,50, found ${JSON.stringify(options.vary)}`,
      );
    const path = options.vary.slice(0, eq);
    const parsed = parseYamlPath(path);
    if ("error" in parsed)
      throw new UserError(`--vary: ${JSON.stringify(path)} is not a scenario path: expected ${parsed.error}`);
    const values = options.vary
      .slice(eq + 1)
      .split(",")
      .map((v) => v.trim());
    if (values.length < 2) throw new UserError("--vary: give at least two values to compare, e.g. PATH=20,50");
    const file = files[0]!;
    const base = read(file);
    // Arms are labelled by the last key of the path (`qps=20`), the full path is in the title.
    const last = [...parsed.segments].reverse().find((x) => typeof x === "string");
    const short =
      last === undefined
        ? path
        : `${last}${parsed.segments
            .slice(parsed.segments.lastIndexOf(last) + 1)
            .map((x) => `[${x}]`)
            .join("")}`;
    arms = values.map((v) => {
      const r = setYamlPath(base, parsed.segments, parseYaml(v) as unknown);
      if ("error" in r) throw new UserError(`--vary: ${path} is not a path into ${file}: ${r.error}`);
      return { label: `${short}=${v}`, file, text: r.text };
    });
  } else {
    if (files.length < 2)
      throw new UserError("name at least two scenario files to compare (or one with --vary PATH=V1,V2)");
    const used = new Map<string, number>();
    arms = files.map((f) => {
      let label = basename(f, extname(f));
      const k = (used.get(label) ?? 0) + 1;
      used.set(label, k);
      if (k > 1) label = `${label}#${k}`;
      return { label, file: f, text: read(f) };
    });
  }
  for (const a of arms)
    if (scenarioKind(a.text) !== "cluster")
      throw new UserError(
        `${a.file} is an etcd benchmark scenario: compare compares cluster scenarios (sweep an etcd benchmark's parameters with simctl sweep)`,
        2,
      );
  if (options.scale !== undefined)
    arms = arms.map((a) => ({ ...a, text: scaleScenarioText(a.file, a.text, options.scale!) }));
  for (const a of arms) parseScenario(a.file, a.text);
  return arms;
}

/**
 * `simctl compare`: runs every arm with every seed (common random numbers: a seed drives the
 * same random streams in every arm, so arms differ only by their configuration) on worker
 * threads, and compares each figure of {@link COMPARE_METRICS}: per arm its mean with a
 * t-interval over seeds, and per arm after the first the paired difference to the first arm
 * with its t-interval, significant when the interval excludes 0.
 */
export async function runCompare(arms: readonly CompareArm[], options: CompareOptions): Promise<CompareResult> {
  const seeds = [...options.seeds];
  const confidence = options.confidence ?? 0.95;
  const tasks: RunTask[] = [];
  for (let s = 0; s < seeds.length; s++) {
    for (let a = 0; a < arms.length; a++) {
      const arm = arms[a]!;
      const task: RunTask = { index: s * arms.length + a, file: arm.file, text: arm.text, seed: seeds[s]! };
      if (options.outDir !== undefined) {
        task.outDir = join(options.outDir, `${arm.label.replace(/[^A-Za-z0-9._=-]+/g, "_")}-${seeds[s]}`);
        task.info = { arm: arm.label, seed: seeds[s] };
      }
      tasks.push(task);
    }
  }
  const outcomes = (
    await runTasks(tasks, {
      workers: options.workers,
      onProgress: options.onProgress,
      onDone: options.onDone,
    })
  ).map(clusterOutcome); // buildArms admits cluster scenarios only
  const metrics = COMPARE_METRICS.map((m): MetricComparison => {
    const perArm = arms.map((_, a) => seeds.map((_, s) => m.get(outcomes[s * arms.length + a]!)));
    return {
      key: m.key,
      label: m.label,
      unit: m.unit,
      arms: arms.map((arm, a) => ({ label: arm.label, values: perArm[a]!, ...meanInterval(perArm[a]!, confidence) })),
      diffs: perArm.slice(1).map((vals) => pairedDifference(perArm[0]!, vals, confidence)),
    };
  });
  return { seeds, confidence, arms: arms.map((a) => a.label), metrics };
}

/** Formats a value of a metric for the terminal. */
export function formatMetric(unit: CompareMetric["unit"], v: number): string {
  if (!Number.isFinite(v)) return "-";
  switch (unit) {
    case "ns":
      return formatDuration(Math.round(v));
    case "count":
      return Number.isInteger(v) ? String(v) : v.toFixed(1);
    case "fraction":
      return v.toFixed(3);
    case "rate":
      return v.toFixed(1);
  }
}

/**
 * The side-by-side table of a comparison: one row per figure, one column per arm (mean ±
 * half-width), then for each later arm its paired difference to the first with the interval;
 * `*` marks a significant difference.
 */
export function formatCompare(r: CompareResult): string {
  const pct = Math.round(r.confidence * 100);
  const header = [
    "figure",
    ...r.arms.map((a, i) => (i === 0 ? `${a} (baseline)` : a)),
    ...r.arms.slice(1).map((a) => `${a} - baseline`),
  ];
  const rows: string[][] = [header];
  for (const m of r.metrics) {
    const f = (v: number) => formatMetric(m.unit, v);
    const cells = [m.label];
    for (const a of m.arms)
      cells.push(Number.isFinite(a.half) && a.half > 0 ? `${f(a.mean)} ± ${f(a.half)}` : f(a.mean));
    for (const d of m.diffs) {
      if (d.n < 2) cells.push(d.n === 0 ? "-" : `${signed(f, d.meanDiff)} (n=${d.n})`);
      else cells.push(`${signed(f, d.meanDiff)} [${signed(f, d.lo)}, ${signed(f, d.hi)}]${d.significant ? " *" : ""}`);
    }
    rows.push(cells);
  }
  const widths = header.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const lines = rows.map((row) =>
    row.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join("   "),
  );
  const seeds = r.seeds.length > 3 ? `${r.seeds[0]}..${r.seeds[r.seeds.length - 1]}` : r.seeds.join(", ");
  const out = [
    `compare ${r.arms.length} configurations x ${r.seeds.length} seeds (${seeds}); common random numbers: each seed runs every configuration`,
    "",
    ...lines,
    "",
  ];
  const sig = r.metrics
    .flatMap((m) => m.diffs.map((d, i) => ({ m, d, arm: r.arms[i + 1]! })))
    .filter((x) => x.d.significant);
  out.push(
    `± is the ${pct}% t-interval of the mean over seeds; [lo, hi] the ${pct}% t-interval of the paired difference; * = significant (the interval excludes 0)`,
  );
  out.push(
    sig.length === 0
      ? "no significant difference"
      : `significant: ${sig.map((x) => `${x.m.label} (${x.arm})`).join(", ")}`,
  );
  return out.join("\n");
}

function signed(f: (v: number) => string, v: number): string {
  if (!Number.isFinite(v)) return "-";
  return v > 0 ? `+${f(v)}` : v < 0 ? `-${f(-v)}` : f(0);
}
