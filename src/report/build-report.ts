import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Table } from "apache-arrow";
import type { TopLevelSpec } from "vega-lite";
import { formatDuration, NS_PER } from "../core/time.js";
import { writeFileAtomic } from "../metrics/atomic-file.js";
import type { SimulatedSummary } from "../metrics/summary.js";
import { collectStudy } from "../study/merge.js";
import type { PlacementMetrics } from "../study/placement.js";
import type { StudyManifest } from "../study/study-plan.js";
import { UserError } from "../study/user-error.js";
import { numberColumn, readArrow, stringColumn } from "./arrow-columns.js";
import { capacityReportParts, readCapacity } from "./capacity-report.js";
import {
  apiLatencyChart,
  countOverTimeChart,
  narrowSpec,
  podsOverTimeChart,
  startupCdfChart,
  sweepChart,
  waterfallChart,
  type SweepPoint,
} from "./charts.js";
import { reportPage, type ChartBlock, type TableBlock } from "./html.js";
import { renderSvg } from "./render-svg.js";
import {
  apiLatency,
  notCreatedOverTime,
  podsOverTime,
  poolNodesOverTime,
  sampledColumn,
  stageWaterfall,
  startupCdf,
  type CdfPoint,
} from "./run-data.js";

/** A built report: the page and the ids of the charts on it. */
export interface Report {
  kind: "run" | "study" | "capacity";
  html: string;
  charts: string[];
}

/**
 * `simctl report`: builds the HTML report of a run directory (pods.arrow + summary.json), a
 * study directory (study.json + runs/), a merged study directory (study.json + runs.arrow) or the
 * output directory of `simctl capacity` (capacity.arrow).
 * Throws a UserError for a directory that is none of these.
 */
export async function buildReport(dir: string): Promise<Report> {
  if (existsSync(join(dir, "study.json"))) return studyReport(dir);
  if (existsSync(join(dir, "summary.json")) && existsSync(join(dir, "pods.arrow"))) return runReport(dir);
  if (existsSync(join(dir, "capacity.arrow"))) return capacityReport(dir);
  const summary = join(dir, "summary.json");
  if (existsSync(summary) && (JSON.parse(readFileSync(summary, "utf8")) as EtcdSummary).results?.etcdBenchmark)
    throw new UserError(
      `${dir} is an etcd benchmark run: simctl report covers cluster runs and studies; its figures are in summary.json`,
      2,
    );
  throw new UserError(
    `${dir} is neither a run directory (summary.json + pods.arrow), a study directory (study.json) nor a capacity search (capacity.arrow)`,
  );
}

/** Builds the report and writes it (atomically) to `out` (default `<dir>/report.html`). */
export async function writeReport(dir: string, out?: string): Promise<Report & { path: string }> {
  const r = await buildReport(dir);
  const path = out ?? join(dir, "report.html");
  writeFileAtomic(path, r.html);
  return { ...r, path };
}

/** The `summary.json` of `simctl run` on an etcd benchmark scenario, as far as report tells it apart. */
interface EtcdSummary {
  results?: { etcdBenchmark?: unknown };
}

interface SummaryFile {
  simctlVersion?: string;
  scenarioHash?: string;
  results: SimulatedSummary;
}

const sec = (ns: number | null) => (ns === null ? "-" : formatDuration(ns));

/** Renders the chart `spec` draws of `points` onto `charts`; none when there are no points. */
async function addChart<T>(
  charts: ChartBlock[],
  points: readonly T[],
  spec: (points: readonly T[]) => TopLevelSpec,
  id: string,
  title: string,
  caption: string,
): Promise<void> {
  if (points.length === 0) return;
  charts.push(await renderChart(spec(points), id, title, caption));
}

/** A chart block of `spec`, drawn wide and narrow. */
async function renderChart(spec: TopLevelSpec, id: string, title: string, caption: string): Promise<ChartBlock> {
  return { id, title, caption, svg: await renderSvg(spec), narrowSvg: await renderSvg(narrowSpec(spec)) };
}

async function runReport(dir: string): Promise<Report> {
  const file = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as SummaryFile;
  const s = file.results;
  const pods = readArrow(join(dir, "pods.arrow"));
  const charts: ChartBlock[] = [];
  await addChart(
    charts,
    startupCdf(pods),
    startupCdfChart,
    "startup-cdf",
    "Pod startup latency",
    "Empirical CDF of creation to Running, with and without image pulls; the dashed line is the upstream SLO (p99 <= 5 s excluding pulls).",
  );
  const series = join(dir, "timeseries.arrow");
  const backlog = existsSync(series) ? notCreatedOverTime(readArrow(series)) : [];
  await addChart(
    charts,
    [...backlog, ...podsOverTime(pods)],
    podsOverTimeChart,
    "pods-over-time",
    "Pods not yet created, Pending and Running over time",
    "Not created: wanted by their Deployments' replicas, not yet created by the deployment and replicaset controllers (pods_not_created of timeseries.arrow, each second); Pending: created, not yet Running; from created_ns and running_ns of pods.arrow.",
  );
  // Only a run with autoscaled pools has these columns and figures (summary.ts results.autoscaler).
  const autoscaler = s.autoscaler;
  const scaled = autoscaler?.pools.filter((p) => p.autoscaled).map((p) => p.pool) ?? [];
  const timeSeries = existsSync(series) && scaled.length > 0 ? readArrow(series) : undefined;
  if (timeSeries !== undefined) {
    await addChart(
      charts,
      poolNodesOverTime(timeSeries, scaled),
      (p) => countOverTimeChart(p, "registered nodes"),
      "autoscaler-nodes",
      "Nodes per autoscaled pool over time",
      "Registered nodes of each pool the Cluster Autoscaler scales (nodes_<pool> of timeseries.arrow, each second); nodes still provisioning are not counted.",
    );
    await addChart(
      charts,
      sampledColumn(timeSeries, "pods_pending").map((p) => ({
        seconds: p.seconds,
        series: "pods pending",
        count: p.value,
      })),
      (p) => countOverTimeChart(p, "pods not on a node"),
      "autoscaler-pending",
      "Pods waiting for a node over time",
      "Pods not terminated that no node holds yet, what the Cluster Autoscaler scales up for (pods_pending of timeseries.arrow, each second).",
    );
  }
  await addChart(
    charts,
    stageWaterfall(pods),
    waterfallChart,
    "stage-waterfall",
    "Where a pod's startup goes, stage by stage",
    "Mean time from creation to the start and end of each lifecycle step, over the pods that reached Running.",
  );
  await addChart(
    charts,
    apiLatency(s),
    apiLatencyChart,
    "api-latency",
    "API latency by verb",
    "p50 and p99 per verb and resource, as clients see it (client rate limiter wait included).",
  );
  const summaryTable: TableBlock = {
    title: "Summary",
    header: ["figure", "value"],
    rows: [
      ["pods Running / expected", `${s.pods.running} / ${s.pods.expected}`],
      ["unschedulable pods", String(s.pods.unschedulable)],
      ["time to all Running", sec(s.timeToAllRunningNs)],
      [
        "pod startup p50 / p90 / p99 / max",
        [s.podStartup.p50Ns, s.podStartup.p90Ns, s.podStartup.p99Ns, s.podStartup.maxNs].map(sec).join(" / "),
      ],
      [
        "startup p99 excluding pulls (SLO <= 5 s)",
        `${sec(s.podStartupExcludingPulls.p99Ns)} ${s.podStartupExcludingPulls.sloMet ? "met" : "MISSED"}`,
      ],
      ["scheduler throughput", `${s.scheduler.bindingsPerSecond} bindings/s (${s.scheduler.bindings} pods bound)`],
      ["scheduling cycles", `${s.scheduler.cyclesPerSecond} cycles/s (${s.scheduler.cycles} cycles)`],
      ["stopped", `${s.stopReason} at ${sec(s.simulatedNs)}`],
      ...(autoscaler === undefined
        ? []
        : [
            [
              "Cluster Autoscaler",
              `${autoscaler.nodesAdded} nodes added in ${autoscaler.scaleUps} scale-ups, ${autoscaler.nodesRemoved} removed in ${autoscaler.scaleDowns} scale-downs (${autoscaler.scans} scans)`,
            ],
            [
              "node-hours / cost",
              `${autoscaler.nodeHours.toFixed(3)} node-hours / ${autoscaler.costUsd.toFixed(2)} USD`,
            ],
          ]),
    ],
  };
  const waits: TableBlock = {
    title: "Where the time went (total wait, mean per request or pod)",
    header: ["component", "total", "mean"],
    rows: s.waits.slice(0, 10).map((w) => [w.component, sec(w.totalNs), sec(w.meanNs)]),
  };
  const apiTable: TableBlock = {
    title: "API latency",
    header: ["request", "calls", "p50", "p90", "p99", "max"],
    rows: Object.entries(s.api).map(([k, l]) => [
      k,
      String(l.count),
      sec(l.p50Ns),
      sec(l.p90Ns),
      sec(l.p99Ns),
      sec(l.maxNs),
    ]),
  };
  const costTable: TableBlock | undefined =
    autoscaler === undefined
      ? undefined
      : {
          title: "Node-hours and cost by pool",
          header: ["pool", "autoscaled", "nodes at the end", "peak nodes", "node-hours", "cost (USD)"],
          rows: [
            ...autoscaler.pools.map((p) => [
              p.pool,
              p.autoscaled ? "yes" : "no",
              String(p.finalNodes),
              String(p.peakNodes),
              p.nodeHours.toFixed(3),
              p.costUsd.toFixed(2),
            ]),
            ["all pools", "", "", "", autoscaler.nodeHours.toFixed(3), autoscaler.costUsd.toFixed(2)],
          ],
        };
  const html = reportPage(
    `simctl run ${s.scenario} (seed ${s.seed})`,
    `simctl ${file.simctlVersion ?? "?"} · scenario hash ${file.scenarioHash ?? "?"} · ${pods.numRows} pods · ${dir}`,
    [
      { heading: "Results", tables: costTable === undefined ? [summaryTable] : [summaryTable, costTable] },
      { heading: "Charts", charts },
      { heading: "Details", tables: [waits, apiTable] },
    ],
  );
  return { kind: "run", html, charts: charts.map((c) => c.id) };
}

/** The report of a `simctl capacity` output directory: the answer, a chart per SLO (and of the mixes), the points tried. */
async function capacityReport(dir: string): Promise<Report> {
  const parts = capacityReportParts(dir, readCapacity(dir));
  const charts: ChartBlock[] = [];
  for (const c of parts.charts) charts.push(await renderChart(c.spec, c.id, c.title, c.caption));
  const html = reportPage(parts.title, parts.meta, [
    { heading: "Answer", tables: [parts.summary] },
    { heading: "Charts", charts },
    { heading: "Points tried", tables: [parts.tried] },
  ]);
  return { kind: "capacity", html, charts: charts.map((c) => c.id) };
}

/** One run of a study as the report needs it. */
interface StudyRow {
  index: number;
  seed: number;
  values: readonly unknown[];
  summary: SimulatedSummary;
  /** What the merged runs table keeps of each run's placement. */
  placement: Pick<PlacementMetrics, "nodes" | "nodesUsed" | "fragmentation">;
  /** Reads the run's pods table (from its run directory or the merged table). */
  pods: () => Table | undefined;
}

/** The figures drawn as sweep curves. */
const SWEEP_FIGURES: readonly { id: string; title: string; unit: string; get: (r: StudyRow) => number | null }[] = [
  {
    id: "time-to-all-running",
    title: "time to all Running",
    unit: "s",
    get: (r) => (r.summary.timeToAllRunningNs === null ? null : r.summary.timeToAllRunningNs / NS_PER.s),
  },
  {
    id: "startup-p99",
    title: "pod startup p99",
    unit: "s",
    get: (r) => (r.summary.podStartup.p99Ns === null ? null : r.summary.podStartup.p99Ns / NS_PER.s),
  },
  {
    id: "startup-p99-excl-pulls",
    title: "startup p99 excluding pulls",
    unit: "s",
    get: (r) =>
      r.summary.podStartupExcludingPulls.p99Ns === null ? null : r.summary.podStartupExcludingPulls.p99Ns / NS_PER.s,
  },
  { id: "nodes-used", title: "nodes used", unit: "nodes", get: (r) => r.placement.nodesUsed },
  {
    id: "fragmentation",
    title: "fragmentation",
    unit: "1 - mean dominant share",
    get: (r) => r.placement.fragmentation,
  },
  {
    id: "scheduler-throughput",
    title: "scheduler throughput",
    unit: "bindings/s",
    get: (r) => r.summary.scheduler.bindingsPerSecond,
  },
  {
    id: "scheduling-cycles",
    title: "scheduling cycles",
    unit: "cycles/s",
    get: (r) => r.summary.scheduler.cyclesPerSecond,
  },
];

/** The error for a study of an etcd benchmark scenario, whose runs have no cluster figures to chart. */
function etcdStudy(dir: string): UserError {
  return new UserError(
    `${dir} is a study of an etcd benchmark scenario: simctl report covers cluster studies; its figures are in the merged runs.arrow (simctl merge)`,
    2,
  );
}

function studyRows(dir: string): { manifest: StudyManifest; rows: StudyRow[]; missing: number } {
  if (existsSync(join(dir, "runs.arrow"))) {
    // A merged directory: runs.arrow has the figures; pods.arrow the rows of every run.
    const manifest = JSON.parse(readFileSync(join(dir, "study.json"), "utf8")) as StudyManifest;
    if (manifest.scenarioKind === "etcdBenchmark") throw etcdStudy(dir);
    const t = readArrow(join(dir, "runs.arrow"));
    const idx = numberColumn(t, "run_index")!;
    const seeds = numberColumn(t, "seed")!;
    const json = stringColumn(t, "summary_json")!;
    const nodes = numberColumn(t, "nodes_total")!;
    const used = numberColumn(t, "nodes_used")!;
    const frag = numberColumn(t, "fragmentation")!;
    let merged: Table | undefined;
    const podsOf = (index: number) => () => {
      if (!existsSync(join(dir, "pods.arrow"))) return undefined;
      merged ??= readArrow(join(dir, "pods.arrow"));
      return filterRows(merged, "run_index", index);
    };
    const rows: StudyRow[] = [];
    for (let i = 0; i < t.numRows; i++) {
      const index = idx[i]!;
      rows.push({
        index,
        seed: seeds[i]!,
        values: manifest.runs[index]?.values ?? [],
        summary: JSON.parse(json[i]!) as SimulatedSummary,
        placement: { nodes: nodes[i]!, nodesUsed: used[i]!, fragmentation: frag[i]! },
        pods: podsOf(index),
      });
    }
    return { manifest, rows, missing: manifest.runs.length - rows.length };
  }
  const study = collectStudy([dir]);
  if (study.kind !== "cluster") throw etcdStudy(dir);
  const rows = study.runs.map((r) => ({
    index: r.index,
    seed: r.seed,
    values: r.values,
    summary: r.summary,
    placement: r.record.placement,
    pods: () => (existsSync(join(r.dir, "pods.arrow")) ? readArrow(join(r.dir, "pods.arrow")) : undefined),
  }));
  return { manifest: study.manifest, rows, missing: study.missing.length };
}

/** The rows of `table` whose int column `column` equals `value` (as a new table). */
function filterRows(table: Table, column: string, value: number): Table {
  const col = numberColumn(table, column)!;
  let start = -1;
  let end = -1;
  for (let i = 0; i < col.length; i++) {
    if (col[i] === value) {
      if (start < 0) start = i;
      end = i + 1;
    }
  }
  // Merged tables hold each run's rows contiguously, in run order.
  return start < 0 ? table.slice(0, 0) : table.slice(start, end);
}

async function studyReport(dir: string): Promise<Report> {
  const { manifest, rows, missing } = studyRows(dir);
  if (rows.length === 0) throw new UserError(`${dir}: the study has no finished runs yet (run simctl sweep first)`);
  const P = manifest.parameters;
  const xOf = (r: StudyRow): number | string => {
    if (P.length === 0) return r.seed;
    const v = r.values[0];
    return typeof v === "number" ? v : JSON.stringify(v);
  };
  const seriesOf = (r: StudyRow) =>
    P.length <= 1
      ? "mean over seeds"
      : P.slice(1)
          .map((p, i) => `${p.column}=${String(r.values[i + 1])}`)
          .join(", ");
  // Axes carry the study's column names (its `column:`, else the path made a column name), as runs.arrow does.
  const xTitle = P.length === 0 ? "seed" : P[0]!.column;
  const charts: ChartBlock[] = [];
  for (const f of SWEEP_FIGURES) {
    const points: SweepPoint[] = [];
    for (const r of rows) {
      const v = f.get(r);
      if (v !== null && Number.isFinite(v)) points.push({ x: xOf(r), series: seriesOf(r), seed: r.seed, value: v });
    }
    await addChart(
      charts,
      points,
      (p) => sweepChart(p, xTitle, `${f.title} (${f.unit})`),
      `sweep-${f.id}`,
      `${f.title} vs ${xTitle}`,
      `Mean over seeds (line), each seed (points), min to max over seeds (bars); ${f.unit}.`,
    );
  }
  // Startup CDF of each grid point's first seed (at most 12 curves).
  const firstSeed = manifest.seeds[0];
  const cdf: CdfPoint[] = [];
  for (const r of rows.filter((x) => x.seed === firstSeed).slice(0, 12)) {
    const pods = r.pods();
    if (pods === undefined) continue;
    const label = P.length === 0 ? `seed ${r.seed}` : P.map((p, i) => `${p.column}=${String(r.values[i])}`).join(", ");
    cdf.push(...startupCdf(pods, `${label}: `).filter((p) => p.series.endsWith("create -> Running")));
  }
  await addChart(
    charts,
    cdf,
    startupCdfChart,
    "startup-cdf",
    "Pod startup latency by grid point",
    `Empirical CDF of creation to Running, seed ${firstSeed} of each grid point; dashed: the 5 s SLO.`,
  );
  const runsTable: TableBlock = {
    title: "Runs",
    header: [
      "run",
      ...P.map((p) => p.column),
      "seed",
      "Running",
      "time to all Running",
      "startup p99",
      "nodes used",
      "fragmentation",
    ],
    rows: rows.map((r) => [
      String(r.index),
      ...r.values.map((v) => String(v)),
      String(r.seed),
      `${r.summary.pods.running}/${r.summary.pods.expected}`,
      sec(r.summary.timeToAllRunningNs),
      sec(r.summary.podStartup.p99Ns),
      `${r.placement.nodesUsed}/${r.placement.nodes}`,
      r.placement.fragmentation.toFixed(3),
    ]),
  };
  const grid = P.map((p) => `${p.values.length} ${p.path}`).join(" x ");
  const meta = `simctl ${manifest.simctlVersion} · scenario ${manifest.scenario} · ${manifest.runs.length} runs (${grid === "" ? "1 point" : grid} x ${manifest.seeds.length} seeds)${manifest.scale === 1 ? "" : ` · scale ${manifest.scale}`}${missing > 0 ? ` · ${missing} runs not finished` : ""} · ${dir}`;
  const html = reportPage(`simctl study ${manifest.name}`, meta, [
    { heading: "Sweep curves", charts: charts.filter((c) => c.id.startsWith("sweep-")), grid: true },
    { heading: "Startup latency", charts: charts.filter((c) => !c.id.startsWith("sweep-")) },
    { heading: "Runs", tables: [runsTable] },
  ]);
  return { kind: "study", html, charts: charts.map((c) => c.id) };
}
