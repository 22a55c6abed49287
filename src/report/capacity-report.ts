import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { NS_PER } from "../core/time.js";
import { formatSloResult, parseSlo, type Slo } from "../study/slo.js";
import { UserError } from "../study/user-error.js";
import { numberColumn, readArrow, stringColumn } from "./arrow-columns.js";
import { capacityChart, capacityMixChart, type CapacityChartPoint, type MixChartPoint } from "./charts.js";
import type { TableBlock } from "./html.js";

/** One SLO at one tried point, as capacity.arrow holds it (in the metric's unit). */
interface SloCell {
  mean: number;
  /** Half-width of the interval over the runs (NaN in a capacity.arrow that predates the column, or with one run). */
  half: number;
  worst: number;
  holds: boolean;
}

/** A tried point of capacity.arrow: a node count of one pool, or a mix of two with its price. */
interface TriedPoint {
  nodes: number[];
  schedulableNodes: number | undefined;
  costPerHour: number | undefined;
  slos: SloCell[];
  pass: boolean;
}

/** What `simctl capacity` wrote to capacity.arrow. */
export interface CapacityFile {
  /** The pool searched, or the two pools of a mix. */
  pools: string[];
  mix: boolean;
  /** The answer's counts by pool (null: no point met every SLO). */
  answer: number[] | null;
  slos: Slo[];
  points: TriedPoint[];
  version: string;
}

/** Reads `<dir>/capacity.arrow` (one row per tried point and SLO, in the order tried). */
export function readCapacity(dir: string): CapacityFile {
  const t = readArrow(join(dir, "capacity.arrow"));
  const meta = t.schema.metadata;
  const mixPools = meta.get("simctl.pools");
  const pools = mixPools !== undefined ? mixPools.split(",") : [meta.get("simctl.pool") ?? "?"];
  const mix = mixPools !== undefined;
  const answerText = meta.get("simctl.answer") ?? "none";
  const order = numberColumn(t, "order");
  const sloText = stringColumn(t, "slo");
  const mean = numberColumn(t, "mean");
  const worst = numberColumn(t, "worst");
  const holds = numberColumn(t, "holds");
  const pass = numberColumn(t, "pass");
  const counts = (mix ? pools.map((p) => `nodes_${p}`) : ["nodes"]).map((c) => numberColumn(t, c));
  if (
    order === undefined ||
    sloText === undefined ||
    mean === undefined ||
    worst === undefined ||
    holds === undefined ||
    pass === undefined ||
    counts.some((c) => c === undefined)
  )
    throw new UserError(`${dir}/capacity.arrow is not a table simctl capacity wrote`, 2);
  const half = numberColumn(t, "half");
  const schedulable = numberColumn(t, "schedulable_nodes");
  const cost = numberColumn(t, "cost_per_hour");
  const slos: Slo[] = [];
  const points: TriedPoint[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const text = sloText[i] ?? "";
    let j = slos.findIndex((s) => s.text === text);
    if (j < 0) j = slos.push(parseSlo(text, slos.length + 1)) - 1;
    const k = order[i]!;
    points[k] ??= {
      nodes: counts.map((c) => c![i]!),
      schedulableNodes: schedulable?.[i],
      costPerHour: cost?.[i],
      slos: [],
      pass: pass[i] === 1,
    };
    points[k].slos[j] = { mean: mean[i]!, half: half?.[i] ?? Number.NaN, worst: worst[i]!, holds: holds[i] === 1 };
  }
  return {
    pools,
    mix,
    answer: answerText === "none" ? null : answerText.split(",").map(Number),
    slos,
    points,
    version: meta.get("simctl.version") ?? "?",
  };
}

/** An SLO metric's values as charted: durations in seconds, the rest in their own unit. */
function chartUnit(slo: Slo): { scale: number; unit: string } {
  switch (slo.metric.unit) {
    case "duration":
      return { scale: 1 / NS_PER.s, unit: "s" };
    case "count":
      return { scale: 1, unit: "pods" };
    case "percent":
      return { scale: 1, unit: "%" };
    case "rate":
      return { scale: 1, unit: "per second" };
  }
}

const sameCounts = (a: readonly number[], b: readonly number[] | null) =>
  b !== null && a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The points of SLO `j`'s chart: each tried point's mean and interval over the runs against its
 * node count (a mix: its price per hour); points where a run never got there sit just above
 * everything else, so that a failing count is never missing from the chart.
 */
export function capacityChartPoints(c: CapacityFile, j: number): CapacityChartPoint[] {
  const { scale } = chartUnit(c.slos[j]!);
  const bound = c.slos[j]!.value * scale;
  let top = bound;
  for (const p of c.points) {
    const s = p.slos[j]!;
    const hi = (s.mean + (Number.isFinite(s.half) ? s.half : 0)) * scale;
    if (Number.isFinite(hi)) top = Math.max(top, hi, s.worst * scale);
  }
  top = top === 0 ? 1 : top * 1.1;
  return c.points.map((p) => {
    const s = p.slos[j]!;
    const reached = !Number.isNaN(s.worst);
    const y = reached ? s.mean * scale : top;
    const half = reached && Number.isFinite(s.half) ? s.half * scale : 0;
    return {
      x: c.mix ? p.costPerHour! : p.nodes[0]!,
      y,
      lo: y - half,
      hi: y + half,
      result: s.holds ? "pass" : "fail",
      reached,
      answer: sameCounts(p.nodes, c.answer),
    };
  });
}

/** What the capacity report draws and tabulates. */
export interface CapacityReportParts {
  title: string;
  meta: string;
  summary: TableBlock;
  tried: TableBlock;
  /** Chart specs with their ids, titles and captions, rendered by the caller. */
  charts: { id: string; title: string; caption: string; spec: TopLevelSpec }[];
}

/** The capacity report's title, tables and chart specs from capacity.arrow. */
export function capacityReportParts(dir: string, c: CapacityFile): CapacityReportParts {
  const [a, b] = c.pools;
  const answerText =
    c.answer === null
      ? c.mix
        ? "no mix within --min/--max meets every SLO"
        : "no node count tried meets every SLO"
      : c.mix
        ? `${c.answer[0]} nodes of ${a} + ${c.answer[1]} nodes of ${b}, ${c.points.find((p) => sameCounts(p.nodes, c.answer))?.costPerHour?.toFixed(2) ?? "?"} USD/hour`
        : `${c.answer[0]} nodes of pool ${a}`;
  const charts: CapacityReportParts["charts"] = c.slos.map((slo, j) => {
    const { scale, unit } = chartUnit(slo);
    const xTitle = c.mix ? "price of the mix (USD/hour)" : `nodes of pool ${a}`;
    return {
      id: `capacity-slo-${j + 1}`,
      title: `${slo.text} against ${c.mix ? "the price of each mix" : "the node count"}`,
      caption: `Mean over the runs of ${slo.metric.describe} (${unit}) at each ${c.mix ? "mix tried, by its price" : "node count tried"}, with its 95% interval over the runs (bars); green passes, red fails; the dashed line is the bound, ${formatBound(slo, scale, unit)}; triangles along the top: a run never got there; ringed: the answer.`,
      spec: capacityChart(capacityChartPoints(c, j), slo.value * scale, xTitle, `${slo.metric.name} (${unit})`, !c.mix),
    };
  });
  if (c.mix) {
    const points: MixChartPoint[] = c.points.map((p) => ({
      a: p.nodes[0]!,
      b: p.nodes[1]!,
      cost: p.costPerHour!.toFixed(2),
      result: p.pass ? "pass" : "fail",
      answer: sameCounts(p.nodes, c.answer),
    }));
    charts.unshift({
      id: "capacity-mixes",
      title: `Mixes of ${a} and ${b} tried`,
      caption:
        "Each mix tried, labelled with its price in USD per hour; green: every SLO held in every run, red: one did not; ringed: the cheapest that passed.",
      spec: capacityMixChart(points, a!, b!),
    });
  }
  const sorted = [...c.points].sort((x, y) => x.nodes[0]! - y.nodes[0]! || (x.nodes[1] ?? 0) - (y.nodes[1] ?? 0));
  const zoneLoss =
    !c.mix && c.points.some((p) => p.schedulableNodes !== undefined && p.schedulableNodes !== p.nodes[0]);
  const tried: TableBlock = {
    title: c.mix ? "Mixes tried" : "Node counts tried",
    header: [
      ...(c.mix ? [a!, b!, "USD/hour"] : ["nodes", ...(zoneLoss ? ["after zone loss"] : [])]),
      ...c.slos.map((s) => s.text),
      "result",
    ],
    rows: sorted.map((p) => [
      ...p.nodes.map(String),
      ...(c.mix ? [p.costPerHour!.toFixed(2)] : zoneLoss ? [String(p.schedulableNodes)] : []),
      ...p.slos.map((s, j) => formatSloResult(c.slos[j]!, s)),
      p.pass ? (sameCounts(p.nodes, c.answer) ? "pass (answer)" : "pass") : "fail",
    ]),
  };
  const summary: TableBlock = {
    title: "The search",
    header: ["figure", "value"],
    rows: [
      [c.mix ? "pools" : "pool", c.pools.join(", ")],
      ["SLOs (each in every run)", c.slos.map((s) => s.text).join("; ")],
      [c.mix ? "mixes tried" : "node counts tried", String(c.points.length)],
      ["answer", answerText],
    ],
  };
  return {
    title: c.mix ? `simctl capacity: cheapest mix of ${a} and ${b}` : `simctl capacity: pool ${a}`,
    meta: `simctl ${c.version} · ${c.points.length} points tried · ${answerText} · ${dir}`,
    summary,
    tried,
    charts,
  };
}

function formatBound(slo: Slo, scale: number, unit: string): string {
  return `${slo.op} ${Number((slo.value * scale).toPrecision(6))} ${unit}`;
}
