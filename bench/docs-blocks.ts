import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { calibrationTable, pointsWithin } from "../src/calibrate/calibration-table.js";
import { readEtcdFile } from "../src/calibrate/etcd-file.js";
import { predictPoint } from "../src/calibrate/fit-etcd.js";
import { readMeasurements } from "../src/calibrate/measurements.js";
import { formatScenarioError } from "../src/cli/main.js";
import { formatDuration } from "../src/core/time.js";
import { casesFor, gateTasks, prepareCases, baselineOf } from "../src/gate/baseline-file.js";
import { gateResult } from "../src/gate/gate.js";
import { GATE_METRICS } from "../src/gate/gate-metrics.js";
import { formatGate } from "../src/gate/gate-report.js";
import { caseText } from "../src/gate/scenario-case.js";
import { parseThresholds } from "../src/gate/tolerance.js";
import { formatSummary } from "../src/metrics/format-summary.js";
import type { DensityTestSummary, LatencySummary, SimulatedSummary } from "../src/metrics/summary.js";
import { parseScenario } from "../src/scenario/load-scenario.js";
import { ScenarioError } from "../src/scenario/scenario-error.js";
import { loadEtcdBenchmark } from "../src/scenario/etcd-benchmark-scenario.js";
import { formatEtcdBenchmark, runEtcdBenchmarkScenario } from "../src/sim/run-etcd-benchmark.js";
import { runScenario } from "../src/sim/run-scenario.js";
import { buildArms, formatCompare, runCompare } from "../src/study/compare.js";
import { defaultInputLimits } from "../src/scenario/input-files.js";
import { clusterOutcome } from "../src/study/run-task.js";
import { loadScaledScenario } from "../src/study/scale.js";
import { readStudyFile, readStudyText } from "../src/study/study-file.js";
import { planStudy } from "../src/study/study-plan.js";
import { runTasks } from "../src/study/worker-pool.js";
import { benchCasesTable, benchTargetsTable } from "./docs-bench.js";
import type { BenchResult } from "./gate.js";
import { REPO_ROOT } from "./golden.js";

/**
 * The generated blocks of README.md. A block sits between `<!-- docs:NAME -->` and
 * `<!-- /docs:NAME -->`; `npm run docs` (bench/docs.ts) replaces its body with what its
 * generator returns now. Deterministic blocks come from seeded simulations and fixed inputs:
 * the same tree always gives the same text, and test/docs/readme.test.ts regenerates them and
 * compares. Machine blocks (benchmarks, wall times) depend on the machine; they carry a
 * {@link machineLine} and are not compared.
 */
export interface DocBlock {
  name: string;
  kind: "deterministic" | "machine";
  /** The block's body (markdown, without the markers). Runs in the repository root. */
  generate: () => Promise<string>;
}

/** Where `run-summary` and `compare` are run: small enough for the test suite. */
export const DOCS_SCALE = 0.1;
const SCENARIO = "scenarios/10k-pods.yaml";
const STUDY = "scenarios/capacity-sweep.yaml";
/** The walkthrough's second axis. */
const QPS_AXIS = "  controlPlane.controllerManager.qps: { values: [20, 200], column: cm_qps }";
/** Where `sweep-answer` runs the walkthrough's 18 runs: small enough for the test suite. */
export const DOCS_SWEEP_SCALE = 0.05;
const COMPARE_ARGS = ["--vary", "controlPlane.controllerManager.qps=20,100", "--scale", String(DOCS_SCALE)] as const;
const COMPARE_SEEDS = [1, 2, 3];

/** The markers of one block. */
export const openMarker = (name: string): string => `<!-- docs:${name} -->`;
export const closeMarker = (name: string): string => `<!-- /docs:${name} -->`;

/**
 * The blocks of a README: name -> body (the text between the marker lines). Throws on a marker
 * without its partner or a name used twice, so a broken README is never half rewritten.
 */
export function readBlocks(readme: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const b of locateBlocks(readme)) {
    if (blocks.has(b.name)) throw new Error(`README.md: block docs:${b.name} appears twice`);
    const inner = readme.slice(b.start, b.end);
    blocks.set(b.name, inner === "\n" ? "" : inner.slice(1, -1));
  }
  return blocks;
}

/** The README with each named block's body replaced (every name must be a block of it). */
export function replaceBlocks(readme: string, bodies: ReadonlyMap<string, string>): string {
  readBlocks(readme);
  let out = readme;
  for (const [name, body] of bodies) {
    const b = locateBlocks(out).find((x) => x.name === name);
    if (b === undefined) throw new Error(`README.md has no block docs:${name}: add its two marker lines`);
    out = `${out.slice(0, b.start)}${body === "" ? "\n" : `\n${body}\n`}${out.slice(b.end)}`;
  }
  return out;
}

/** Each block's name and the span between the end of its opening marker and the start of its closing one. */
function locateBlocks(readme: string): { name: string; start: number; end: number }[] {
  const found: { name: string; start: number; end: number }[] = [];
  const open = /^<!-- docs:([a-z0-9-]+) -->$/gm;
  for (let m = open.exec(readme); m !== null; m = open.exec(readme)) {
    const name = m[1]!;
    const start = m.index + m[0].length;
    const end = readme.indexOf(`\n${closeMarker(name)}`, start);
    if (end < 0) throw new Error(`README.md: block docs:${name} has no closing ${closeMarker(name)}`);
    found.push({ name, start, end: end + 1 });
  }
  const closes = readme.match(/^<!-- \/docs:[a-z0-9-]+ -->$/gm) ?? [];
  if (closes.length !== found.length) throw new Error("README.md: a closing docs marker has no opening marker");
  return found;
}

/** A machine block's first line: what it was measured on and when. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown cpu";
  const load = loadavg()[0]!.toFixed(1);
  const date = new Date().toISOString().slice(0, 10);
  return `Machine: ${cpus().length} x ${cpu}, Node ${process.version}, ${platform()} ${process.arch}, ${Math.round(totalmem() / 2 ** 30)} GiB; load average ${load} at the start; measured ${date} by \`npm run docs\`.`;
}

/** What {@link machineLine} looks like (the test checks every machine block has one). */
export const MACHINE_LINE =
  /^Machine: \d+ x .+, Node v\d+\.\d+\.\d+, .+; measured \d{4}-\d{2}-\d{2} by `npm run docs`\.$/m;

function checkCwd(): void {
  if (resolve(process.cwd()) !== resolve(REPO_ROOT))
    throw new Error(`the docs blocks are generated from the repository root (${REPO_ROOT}), not ${process.cwd()}`);
}

const fence = (lines: string): string => `\`\`\`\n${lines}\n\`\`\``;

/** `simctl run` at DOCS_SCALE: the terminal summary, with the machine-dependent engine figures masked. */
async function runSummary(): Promise<string> {
  const scenario = loadScaledScenario(SCENARIO, DOCS_SCALE);
  const { summary, stats } = runScenario(scenario, { write: false });
  const text = formatSummary(summary, stats, `results/runs/${scenario.name}-${scenario.seed}`, scenario.outputs);
  const engine = /^(engine: \d+ events in )[0-9.]+ s wall \([0-9.]+ M events\/s\), peak RSS \d+ MiB$/m;
  if (!engine.test(text))
    throw new Error("run-summary: the summary's engine line changed shape: update bench/docs-blocks.ts");
  const masked = text.replace(engine, "$1… s wall (… M events/s), peak RSS … MiB");
  return fence(`$ npx simctl run ${SCENARIO} --scale ${DOCS_SCALE}\n${masked}`);
}

/** A scenario with one key misspelt, as `simctl validate` reports it. */
async function validateError(): Promise<string> {
  const file = "scenarios/typo.yaml";
  const text = readFileSync(SCENARIO, "utf8");
  const typo = text.replace(/^(\s+)count:/m, "$1cont:");
  if (typo === text) throw new Error(`validate-error: ${SCENARIO} has no count: key to misspell`);
  let err: ScenarioError | undefined;
  try {
    parseScenario(file, typo);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    err = e;
  }
  if (err === undefined) throw new Error("validate-error: the misspelt scenario was accepted");
  return [
    `With \`count\` misspelt \`cont\` in a copy of \`${SCENARIO}\`, \`npx simctl validate ${file}\` exits 2 and prints:`,
    "",
    fence(formatScenarioError(err)),
  ].join("\n");
}

/** A study whose parameter value breaks the scenario, as `simctl sweep` reports it. */
async function studyError(): Promise<string> {
  const file = "test/study/fixtures/bad-value.yaml";
  let err: ScenarioError | undefined;
  try {
    const { spec, locations } = readStudyFile(file);
    planStudy(spec, locations);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    err = e;
  }
  if (err === undefined) throw new Error(`study-error: ${file} was accepted`);
  return [
    `For \`${file}\` (\`count: [2, -3, 8]\` over \`tiny.yaml\`), \`npx simctl sweep\` exits 2 and prints:`,
    "",
    fence(formatScenarioError(err)),
  ].join("\n");
}

/** `simctl run scenarios/etcd-benchmark.yaml`: the published benchmark as the model predicts it. */
async function etcdBenchmark(): Promise<string> {
  const file = "scenarios/etcd-benchmark.yaml";
  const s = loadEtcdBenchmark(file);
  const { rows } = runEtcdBenchmarkScenario(s, null);
  return fence(`$ npx simctl run ${file}\n${formatEtcdBenchmark(s, rows, undefined)}`);
}

/** `simctl calibrate etcd --check` of the committed fit against every committed measurement. */
async function calibrateCheck(): Promise<string> {
  const fit = "bench/data/etcd/fitted.yaml";
  const csv = "bench/data/etcd/etcd-puts.csv";
  const limits = defaultInputLimits();
  const { spec } = readEtcdFile(fit, limits);
  const points = readMeasurements(csv, limits);
  const predicted = points.map((p) => predictPoint(spec, p, { valueBytes: 256, seed: 1 }));
  const within = pointsWithin(points, predicted, 0.25);
  return fence(
    `$ npx simctl calibrate etcd --check ${fit} ${csv}\n${calibrationTable(points, predicted)}${within} of ${points.length} points within 25% for throughput and p50`,
  );
}

/** The walkthrough's study with its second axis, as text (and where its scenario is). */
function twoAxisStudy(scenarioPath: string): string {
  const text = readFileSync(STUDY, "utf8");
  const param = /^( {2}cluster\.nodePools\[0\]\.count: .*)$/m;
  const scen = /^scenario: 10k-pods\.yaml/m;
  if (!param.test(text) || !scen.test(text))
    throw new Error(`${STUDY} changed shape: update twoAxisStudy in bench/docs-blocks.ts`);
  return text.replace(param, `$1\n${QPS_AXIS}`).replace(scen, `scenario: ${scenarioPath}`);
}

interface AnswerRow {
  values: readonly unknown[];
  summary: SimulatedSummary;
}

/** One row per grid point: the mean over its seeds of the walkthrough's figures. */
function answerTable(columns: readonly string[], rows: readonly AnswerRow[]): string {
  const points = new Map<string, AnswerRow[]>();
  for (const r of rows) {
    const key = JSON.stringify(r.values);
    const list = points.get(key) ?? [];
    list.push(r);
    points.set(key, list);
  }
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const out = [
    `| ${columns.join(" | ")} | seeds | all Running after | pod startup p99 | scheduler bindings/s |`,
    `|${"---|".repeat(columns.length + 4)}`,
  ];
  for (const list of points.values()) {
    const done = list.map((r) => r.summary.timeToAllRunningNs).filter((t): t is number => t !== null);
    const all =
      done.length === list.length ? formatDuration(Math.round(mean(done))) : `${done.length} of ${list.length} runs`;
    const p99 = formatDuration(Math.round(mean(list.map((r) => r.summary.podStartup.p99Ns ?? 0))));
    const rate = mean(list.map((r) => r.summary.scheduler.bindingsPerSecond)).toFixed(1);
    out.push(`| ${list[0]!.values.map(String).join(" | ")} | ${list.length} | ${all} | ${p99} | ${rate} |`);
  }
  return out.join("\n");
}

/** The walkthrough's two-axis study at DOCS_SCALE, simulated in this process. */
async function sweepAnswer(): Promise<string> {
  const { spec, locations } = readStudyText(STUDY, twoAxisStudy("10k-pods.yaml"));
  const plan = planStudy({ ...spec, scale: DOCS_SWEEP_SCALE }, locations);
  const outcomes = await runTasks(
    plan.runs.map((r) => ({ index: r.index, file: spec.scenario, text: plan.points[r.point]!.text, seed: r.seed })),
    { workers: 1 },
  );
  const rows = plan.runs.map((r, i) => ({ values: r.values, summary: clusterOutcome(outcomes[i]!).summary }));
  return [
    `\`npx simctl sweep ${STUDY} --scale ${DOCS_SWEEP_SCALE}\` (${(10_000 * DOCS_SWEEP_SCALE).toLocaleString("en-US")} pods; the node counts as written, multiplied by ${DOCS_SWEEP_SCALE} when run) with \`${QPS_AXIS.trim()}\` as a second parameter: ${plan.runs.length} runs, means over seeds ${plan.seeds.join(", ")}:`,
    "",
    answerTable(
      spec.parameters.map((p) => p.column),
      rows,
    ),
  ].join("\n");
}

/** `simctl compare` at DOCS_SCALE, as the README's command line runs it. */
async function compareExample(): Promise<string> {
  const arms = buildArms([SCENARIO], { vary: COMPARE_ARGS[1], scale: DOCS_SCALE });
  const r = await runCompare(arms, { seeds: COMPARE_SEEDS, workers: 1 });
  return fence(
    `$ npx simctl compare ${SCENARIO} ${COMPARE_ARGS.join(" ")} --seeds ${COMPARE_SEEDS.length}\n${formatCompare(r)}`,
  );
}

/** Runs `node <args>` in the repository root; throws with its stderr when it fails. Returns the wall time in ms. */
function timedNode(args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}\n${r.stderr}`);
  return performance.now() - t0;
}

/** Rows of a finished sweep directory: each run's parameter values and simulated results. */
function sweepRows(dir: string, columns: readonly string[]): AnswerRow[] {
  const runs = readdirSync(join(dir, "runs")).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  return runs.map((r) => {
    const info = JSON.parse(readFileSync(join(dir, "runs", r, "run.json"), "utf8")) as {
      parameters: Record<string, unknown>;
    };
    const s = JSON.parse(readFileSync(join(dir, "runs", r, "summary.json"), "utf8")) as { results: SimulatedSummary };
    return { values: columns.map((c) => info.parameters[c]), summary: s.results };
  });
}

/** The study and the scenario behind the README's density tables. */
const DENSITY_STUDY = "scenarios/density-startup-sweep.yaml";
const KUBEMARK = "scenarios/kubemark-density.yaml";
const KUBEMARK_SEEDS = [1, 2, 3];
/**
 * Published figures the density runs are checked against (p50, p99 in seconds): piosz's table
 * of 2015-06-19 in kubernetes#3954 (total, by pods per node), and sjenning's of 2017-02-24 in
 * kubernetes#42000 (per phase of the density test).
 */
const PUBLISHED_3954: Readonly<Record<number, readonly [number, number]>> = {
  3: [1.44, 3.42],
  10: [1.94, 4.39],
  20: [2.86, 5.88],
  30: [3.75, 7.73],
};
const PUBLISHED_42000 = {
  schedule: [0.0093, 0.0246],
  runAfterSchedule: [0.2, 0.731],
  watch: [1.03, 2.046],
  e2e: [1.14, 2.06],
} as const;
const PHASE_NAMES = {
  schedule: "schedule",
  runAfterSchedule: "run after schedule",
  watch: "watch",
  e2e: "e2e",
} as const;

/** Mean over runs of a latency's p50 and p99, in seconds. */
function meanP50P99(list: readonly LatencySummary[]): [number, number] {
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [mean(list.map((l) => (l.p50Ns ?? Number.NaN) / 1e9)), mean(list.map((l) => (l.p99Ns ?? Number.NaN) / 1e9))];
}

/** "1.61 / 2.20 s" (values in seconds shown times `scale`), with each figure's error against `published` when given. */
function p50p99(
  v: readonly [number, number],
  digits: number,
  scale: number,
  unit: string,
  published?: readonly [number, number],
): string {
  const f = (x: number) => (x * scale).toFixed(digits);
  const text = `${f(v[0])} / ${f(v[1])}${unit}`;
  if (published === undefined) return text;
  const err = (x: number, p: number) => `${x >= p ? "+" : "-"}${Math.round((Math.abs(x - p) / p) * 100)}%`;
  return `${text} (${err(v[0], published[0])} / ${err(v[1], published[1])})`;
}

function densityOf(s: SimulatedSummary, where: string): DensityTestSummary {
  if (s.densityTest === undefined) throw new Error(`${where}: the run has no densityTest summary`);
  return s.densityTest;
}

/**
 * The README's density tables: the density-startup sweep (latency pods, mean of its seeds,
 * e2e p50 / p99 by profile and pods per node, as the 2015 test measured and, for docker-2015,
 * exactly) against #3954, and kubemark-density's phases against #42000.
 */
async function densityTables(): Promise<string> {
  const { spec, locations } = readStudyFile(DENSITY_STUDY);
  const plan = planStudy(spec, locations);
  const outcomes = await runTasks(
    plan.runs.map((r) => ({ index: r.index, file: spec.scenario, text: plan.points[r.point]!.text, seed: r.seed })),
    { workers: 2 },
  );
  const podsCol = spec.parameters.findIndex((p) => p.column === "pods");
  const profileCol = spec.parameters.findIndex((p) => p.column === "profile");
  const cells = new Map<string, DensityTestSummary[]>();
  const perNode: number[] = [];
  const profiles: string[] = [];
  plan.runs.forEach((r, i) => {
    const n = Number(r.values[podsCol]) / 100;
    const profile = String(r.values[profileCol]);
    if (!perNode.includes(n)) perNode.push(n);
    if (!profiles.includes(profile)) profiles.push(profile);
    const key = `${profile}/${n}`;
    cells.set(key, [...(cells.get(key) ?? []), densityOf(clusterOutcome(outcomes[i]!).summary, DENSITY_STUDY)]);
  });
  const row = (label: string, cell: (n: number) => string) => `| ${label} | ${perNode.map(cell).join(" | ")} |`;
  const at = (profile: string, n: number, exact: boolean) =>
    meanP50P99(cells.get(`${profile}/${n}`)!.map((d) => (exact ? d.exact.e2e : d.asMeasured.e2e)));
  const density = [
    `| pods per node | ${perNode.join(" | ")} |`,
    `|---|${"---|".repeat(perNode.length)}`,
    row("kubernetes#3954 (2015-06-19, total)", (n) => p50p99(PUBLISHED_3954[n]!, 2, 1, "")),
    ...profiles.flatMap((profile) =>
      profile === "docker-2015"
        ? [
            row(profile, (n) => p50p99(at(profile, n, false), 2, 1, "", PUBLISHED_3954[n])),
            row(`${profile}, exact`, (n) => p50p99(at(profile, n, true), 2, 1, "")),
          ]
        : [row(profile, (n) => p50p99(at(profile, n, false), 2, 1, ""))],
    ),
  ];
  const kubemark = KUBEMARK_SEEDS.map((seed) => {
    const { summary } = runScenario(loadScaledScenario(KUBEMARK, 1, { seed }), { write: false });
    return densityOf(summary, KUBEMARK);
  });
  const phases = [
    "| phase | #42000 p50 / p99 | as measured | exact |",
    "|---|---|---|---|",
    ...(Object.keys(PHASE_NAMES) as (keyof typeof PHASE_NAMES)[]).map((ph) => {
      // e2e in seconds, the shorter phases in milliseconds, as #42000 gave them.
      const [digits, scale, unit] = ph === "e2e" ? [2, 1, " s"] : [1, 1000, " ms"];
      const measured = meanP50P99(kubemark.map((d) => d.asMeasured[ph]));
      const exact = meanP50P99(kubemark.map((d) => d.exact[ph]));
      const pub = PUBLISHED_42000[ph];
      const cells = [
        p50p99(pub, digits, scale, unit),
        p50p99(measured, digits, scale, unit, pub),
        p50p99(exact, digits, scale, unit),
      ];
      return `| ${PHASE_NAMES[ph]} | ${cells.join(" | ")} |`;
    }),
  ];
  return [
    `\`npx simctl sweep ${DENSITY_STUDY}\` (${plan.runs.length} runs): the latency pods' e2e p50 / p99 in seconds, as measured (mean of seeds ${plan.seeds.join(", ")}; error against #3954 for docker-2015):`,
    "",
    ...density,
    "",
    `\`npx simctl run ${KUBEMARK} --seed N\` (N = ${KUBEMARK_SEEDS.join(", ")}), latency pods, kubernetes#42000 (sjenning, 2017-02-24) against simulated, mean of ${KUBEMARK_SEEDS.length} seeds (error against #42000):`,
    "",
    ...phases,
  ].join("\n");
}

/** The walkthrough's sweeps at full size, through the CLI (dist/): wall times and their answer. */
async function sweepFull(): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), "simctl-docs-sweep-"));
  try {
    const cli = join(REPO_ROOT, "bin", "simctl.js");
    const one = timedNode([cli, "sweep", STUDY, "--out", join(tmp, "one")]);
    const studyFile = join(tmp, "capacity-sweep-qps.yaml");
    writeFileSync(studyFile, twoAxisStudy(resolve(REPO_ROOT, "scenarios", "10k-pods.yaml")));
    // The study lives in a temporary directory; the scenario it sweeps is the repository's.
    const scenarios = join(REPO_ROOT, "scenarios");
    const two = timedNode([cli, "sweep", studyFile, "--out", join(tmp, "two"), "--allow-path", scenarios]);
    const spec = readStudyText(studyFile, readFileSync(studyFile, "utf8")).spec;
    const columns = spec.parameters.map((p) => p.column);
    const nOne = readdirSync(join(tmp, "one", "runs")).length;
    const nTwo = readdirSync(join(tmp, "two", "runs")).length;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    return [
      machineLine(),
      "",
      `Wall time (whole process, ${cpus().length} worker threads, the default here): \`npx simctl sweep ${STUDY}\`, ${nOne} runs: ${s(one)}; with \`${QPS_AXIS.trim()}\` added: ${nTwo} runs, ${s(two)}. What they found (means over the seeds):`,
      "",
      answerTable(columns, sweepRows(join(tmp, "two"), columns)),
    ].join("\n");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Options of the short bench run behind the `bench` block. */
export const DOCS_BENCH_ARGS = ["--rounds", "3", "--round-ms", "200", "--e2e-samples", "1"] as const;

/** A short `npm run bench` (dist-bench/ must be compiled) and the machine line taken as it starts. */
async function shortBench(): Promise<{ line: string; result: BenchResult }> {
  const tmp = mkdtempSync(join(tmpdir(), "simctl-docs-bench-"));
  try {
    const json = join(tmp, "bench.json");
    const line = machineLine();
    timedNode([join(REPO_ROOT, "dist-bench", "bench", "run.js"), ...DOCS_BENCH_ARGS, "--json", json]);
    return { line, result: JSON.parse(readFileSync(json, "utf8")) as BenchResult };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The one bench run behind both bench blocks, so their figures are the same run's. */
let benchRun: Promise<{ line: string; result: BenchResult }> | undefined;
const sharedBench = (): Promise<{ line: string; result: BenchResult }> => {
  benchRun ??= shortBench();
  return benchRun;
};

/** The `bench` block's text for a bench result measured on the machine `line` describes. */
export function benchBlock(line: string, result: BenchResult): string {
  return [
    line,
    "",
    `A short run: \`npm run bench -- ${DOCS_BENCH_ARGS.join(" ")}\` (medians of 3 rounds of 200 ms per micro-benchmark and one run per end-to-end case; \`npm run bench\` itself takes 7 rounds of 400 ms and 5 or 3 runs, for figures to rely on). Each ratio is to a baseline measured in the same run, so it holds on a loaded machine where the absolute figures do not.`,
    "",
    benchCasesTable(result),
  ].join("\n");
}

/** The `bench-targets` block's text: issue 18's targets read from the same kind of result. */
export function benchTargetsBlock(line: string, result: BenchResult): string {
  return [
    line,
    "",
    "Issue 18's targets that `npm run bench` measures, read from the run of the table above (targets 2 and 3, node sampling and the 1M-pod runs, are measured by their own scenarios):",
    "",
    benchTargetsTable(result),
  ].join("\n");
}

async function benchTable(): Promise<string> {
  const { line, result } = await sharedBench();
  return benchBlock(line, result);
}

async function benchTargets(): Promise<string> {
  const { line, result } = await sharedBench();
  return benchTargetsBlock(line, result);
}

/** The metrics of simctl gate and compare --fail-if, from their one table. */
async function gateMetrics(): Promise<string> {
  return [
    "| metric | worse when | unit | what (summary.json `results`) |",
    "|---|---|---|---|",
    ...GATE_METRICS.map(
      (m) =>
        `| \`${m.name}\` | ${m.worse} | ${m.unit === "ns" ? "duration" : m.unit === "rate" ? "per second" : "count"} | ${m.definition.replace(/\|/g, "\\|")} |`,
    ),
  ].join("\n");
}

/** The gate's README example: binpack-vs-spread baselined on 3 seeds, rerun with every container start 1 s slower. */
const GATE_EXAMPLE = {
  scenario: "scenarios/binpack-vs-spread.yaml",
  change: ["kubelet.containerStart", { dist: "constant", value: "1s" }] as const,
  tolerances: ["startupP99=+10%", "timeToAllRunning=+20%"],
};

async function gateExample(): Promise<string> {
  const seeds = [1, 2, 3];
  const prepared = prepareCases(casesFor([GATE_EXAMPLE.scenario], REPO_ROOT, undefined), REPO_ROOT, "docs");
  const summaries = async (texts: string[]) =>
    (
      await runTasks(
        gateTasks(
          prepared.map((p, i) => ({ ...p, text: texts[i]! })),
          seeds,
        ),
        { workers: 1 },
      )
    ).map((o) => JSON.parse(JSON.stringify(clusterOutcome(o).summary)) as SimulatedSummary);
  const baseline = baselineOf(prepared, seeds, await summaries(prepared.map((p) => p.text)));
  const slower = prepared.map((p) => ({ ...p, text: caseText(p.case, REPO_ROOT, [GATE_EXAMPLE.change]), sha256: "" }));
  const now = await summaries(slower.map((p) => p.text));
  const tolerances = parseThresholds(GATE_EXAMPLE.tolerances);
  if ("error" in tolerances) throw new Error(tolerances.error);
  const g = gateResult(
    baseline,
    slower,
    now.map((summary) => ({ summary, wallMs: 0 })),
    tolerances,
    0.95,
  );
  return [
    "```",
    `$ npx simctl gate baseline.json ${GATE_EXAMPLE.tolerances.map((t) => `--tolerance ${t}`).join(" ")}; echo "exit $?"`,
    formatGate(g),
    `exit ${g.regressions > 0 ? 1 : 0}`,
    "```",
  ].join("\n");
}

/** Every generated block of README.md, in the order `npm run docs` makes them. */
export const DOC_BLOCKS: readonly DocBlock[] = (
  [
    { name: "run-summary", kind: "deterministic", generate: runSummary },
    { name: "validate-error", kind: "deterministic", generate: validateError },
    { name: "study-error", kind: "deterministic", generate: studyError },
    { name: "sweep-answer", kind: "deterministic", generate: sweepAnswer },
    { name: "compare", kind: "deterministic", generate: compareExample },
    { name: "etcd-benchmark", kind: "deterministic", generate: etcdBenchmark },
    { name: "calibrate-check", kind: "deterministic", generate: calibrateCheck },
    { name: "gate-metrics", kind: "deterministic", generate: gateMetrics },
    { name: "gate", kind: "deterministic", generate: gateExample },
    { name: "density", kind: "deterministic", generate: densityTables },
    { name: "sweep-full", kind: "machine", generate: sweepFull },
    { name: "bench", kind: "machine", generate: benchTable },
    { name: "bench-targets", kind: "machine", generate: benchTargets },
  ] satisfies DocBlock[]
).map((b) => ({
  ...b,
  generate: () => {
    checkCwd();
    return b.generate();
  },
}));
