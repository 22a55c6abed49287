import type { TopLevelSpec } from "vega-lite";
import type { ApiLatencyPoint, CdfPoint, CountPoint, StatePoint, WaterfallStep } from "./run-data.js";

/** Shared look: system fonts, no actions, a fixed width that the page scales down. */
const CONFIG = {
  font: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
  view: { stroke: "#ddd" },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#eee" },
  // labelLimit 0: no truncation (Vega estimates text widths in Node without a canvas, generously).
  legend: { labelFontSize: 11, titleFontSize: 12, orient: "bottom" as const, labelLimit: 0, columns: 2 },
};

const base = (width = 640, height = 300) => ({
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  width,
  height,
  config: CONFIG,
  background: "white",
});

/**
 * The plot width of a chart's narrow rendering, shown on screens below the page's breakpoint
 * (html.ts NARROW_BELOW_PX): the whole chart, axes and legend included, fits it, so that its
 * text keeps its size on a 420 px phone instead of being scaled down with the SVG.
 */
export const NARROW_WIDTH = 360;

/** Longest line of an axis title in a narrow chart; longer titles wrap onto more lines. */
const NARROW_TITLE_CHARS = 30;
/**
 * Category labels of a narrow chart sit inside the plot, left-aligned above their row's marks,
 * instead of taking half the width beside it.
 */
const INSIDE_LABELS = {
  labelAlign: "left",
  labelBaseline: "bottom",
  labelPadding: -4,
  labelOffset: -10,
  ticks: false,
  domain: false,
};

/**
 * `spec` drawn for a narrow screen: {@link NARROW_WIDTH} wide in all, axes included; long axis
 * titles wrapped, category labels inside the plot above their row (rows made taller for them),
 * legends in one column.
 */
export function narrowSpec(spec: TopLevelSpec): TopLevelSpec {
  const s = spec as { height?: number; encoding?: Encoding; layer?: { encoding?: Encoding }[] };
  let categories = false;
  const narrowEncoding = (e: Encoding | undefined): Encoding | undefined => {
    if (e === undefined) return undefined;
    const out: Encoding = { ...e };
    for (const ch of ["x", "y"] as const) {
      const c = e[ch];
      if (c === undefined) continue;
      const n: Channel = { ...c };
      if (typeof c.title === "string" && c.title.length > NARROW_TITLE_CHARS) n.title = wrapWords(c.title);
      if (ch === "y" && c.type === "nominal") {
        categories = true;
        n.axis = { ...(c.axis ?? {}), ...INSIDE_LABELS };
      }
      out[ch] = n;
    }
    return out;
  };
  const layer = s.layer?.map((l) => ({ ...l, encoding: narrowEncoding(l.encoding) }));
  const encoding = narrowEncoding(s.encoding);
  return {
    ...spec,
    ...(layer === undefined ? {} : { layer }),
    ...(encoding === undefined ? {} : { encoding }),
    ...(categories && s.height !== undefined ? { height: Math.round(s.height * 1.6) } : {}),
    width: NARROW_WIDTH,
    autosize: { type: "fit-x", contains: "padding" },
    config: { ...CONFIG, legend: { ...CONFIG.legend, columns: 1, labelLimit: NARROW_WIDTH - 40 } },
  } as TopLevelSpec;
}

/** A position channel as far as {@link narrowSpec} reads and rewrites it. */
interface Channel {
  type?: string;
  title?: string | string[] | null;
  axis?: Record<string, unknown>;
  [k: string]: unknown;
}
type Encoding = { x?: Channel; y?: Channel; [k: string]: unknown };

/** `text` as lines of at most {@link NARROW_TITLE_CHARS} characters, broken between words. */
function wrapWords(text: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const w of text.split(" ")) {
    if (line !== "" && line.length + 1 + w.length > NARROW_TITLE_CHARS) {
      lines.push(line);
      line = w;
    } else line = line === "" ? w : `${line} ${w}`;
  }
  lines.push(line);
  return lines;
}

/** Values spanning more than two decades (all positive) read on a log scale; others on a linear one. */
const DECADES = 100;

/** Whether the finite values of `values` are all positive and their largest over smallest exceeds 100. */
export function spansDecades(values: readonly number[]): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v <= 0) return false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max / min > DECADES;
}

/** model: sig-scalability pod startup SLO, p99 <= 5 s excluding image pulls. */
const SLO_SECONDS = 5;

/** Startup latency CDF (one line per series) with the 5 s SLO as a rule. */
export function startupCdfChart(points: readonly CdfPoint[]): TopLevelSpec {
  // A log axis cannot show 0 s: only then are such points left out.
  const log = spansDecades(points.map((p) => p.seconds));
  return {
    ...base(),
    layer: [
      {
        data: { values: log ? points.filter((p) => p.seconds > 0) : [...points] },
        mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
        encoding: {
          x: {
            field: "seconds",
            type: "quantitative",
            title: log ? "pod startup latency (s, log scale)" : "pod startup latency (s)",
            ...(log ? { scale: { type: "log" } } : {}),
          },
          y: { field: "fraction", type: "quantitative", title: "fraction of pods", scale: { domain: [0, 1] } },
          color: { field: "series", type: "nominal", title: null },
        },
      },
      {
        data: { values: [{ x: SLO_SECONDS, label: "SLO p99 5 s" }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#c33" },
        encoding: { x: { field: "x", type: "quantitative" } },
      },
      {
        data: { values: [{ x: SLO_SECONDS, y: 0.05, label: "SLO 5 s" }] },
        mark: { type: "text", align: "left", dx: 4, color: "#c33" },
        encoding: {
          x: { field: "x", type: "quantitative" },
          y: { field: "y", type: "quantitative" },
          text: { field: "label" },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Pods not yet created (wanted by their Deployments), Pending and Running over simulated time. */
export function podsOverTimeChart(points: readonly StatePoint[]): TopLevelSpec {
  return {
    ...base(),
    data: { values: [...points] },
    mark: { type: "line", strokeWidth: 2 },
    encoding: {
      x: { field: "seconds", type: "quantitative", title: "simulated time (s)" },
      y: { field: "pods", type: "quantitative", title: "pods" },
      color: {
        field: "state",
        type: "nominal",
        title: null,
        scale: { domain: ["Not created", "Pending", "Running"], range: ["#cc79a7", "#e69f00", "#009e73"] },
      },
    },
  } as TopLevelSpec;
}

/** The per-stage waterfall: one bar per lifecycle step, from its mean start to its mean end. */
export function waterfallChart(steps: readonly WaterfallStep[]): TopLevelSpec {
  return {
    ...base(640, Math.max(120, 26 * steps.length)),
    data: { values: [...steps] },
    mark: { type: "bar", height: 16 },
    encoding: {
      y: { field: "step", type: "nominal", sort: { field: "order" }, title: null, axis: { labelLimit: 0 } },
      x: { field: "startSeconds", type: "quantitative", title: "mean time since the pod was created (s)" },
      x2: { field: "endSeconds" },
      color: { value: "#0072b2" },
      tooltip: [{ field: "step" }, { field: "startSeconds", format: ".3f" }, { field: "endSeconds", format: ".3f" }],
    },
  } as TopLevelSpec;
}

/**
 * API latency by verb and resource: a dot for p50 and one for p99 joined by a line, on a log
 * scale so that millisecond writes and minute-long throttled creates both read.
 */
export function apiLatencyChart(points: readonly ApiLatencyPoint[]): TopLevelSpec {
  const requests = new Set(points.map((p) => p.request)).size;
  const y = { field: "request", type: "nominal", title: null, axis: { labelLimit: 0 } };
  const x = {
    field: "ms",
    type: "quantitative",
    title: "latency, client submit to response (ms, log scale)",
    scale: { type: "log" },
  };
  return {
    ...base(640, Math.max(100, 24 * requests)),
    data: { values: [...points] },
    layer: [
      {
        mark: { type: "rule", color: "#999", strokeWidth: 2 },
        encoding: { y, x: { ...x, aggregate: "min" }, x2: { field: "ms", aggregate: "max" } },
      },
      {
        mark: { type: "point", filled: true, size: 70, opacity: 1 },
        encoding: {
          y,
          x,
          color: {
            field: "quantile",
            type: "nominal",
            title: null,
            scale: { domain: ["p50", "p99"], range: ["#56b4e9", "#d55e00"] },
          },
          tooltip: [{ field: "request" }, { field: "quantile" }, { field: "ms", format: ".3f" }, { field: "calls" }],
        },
      },
    ],
  } as TopLevelSpec;
}

/** One row of a sweep curve: a run's figure at a grid point. */
export interface SweepPoint {
  x: number | string;
  series: string;
  seed: number;
  value: number;
}

/**
 * A sweep curve: the mean over seeds of a figure against the first study parameter (one line
 * per combination of the other parameters), with each seed's value as a point and the range
 * over seeds as an error bar.
 */
export function sweepChart(points: readonly SweepPoint[], xTitle: string, yTitle: string): TopLevelSpec {
  const numeric = points.every((p) => typeof p.x === "number");
  const xType = numeric ? "quantitative" : "ordinal";
  const xLog = numeric && spansDecades(points.map((p) => p.x as number));
  const yLog = spansDecades(points.map((p) => p.value));
  const x = {
    field: "x",
    type: xType,
    title: xLog ? `${xTitle} (log scale)` : xTitle,
    ...(numeric ? { scale: xLog ? { type: "log" } : { zero: false } } : {}),
  };
  const yScale = yLog ? { scale: { type: "log" } } : {};
  const yName = yLog ? `${yTitle}, log scale` : yTitle;
  const single = new Set(points.map((p) => p.series)).size === 1;
  const color = { field: "series", type: "nominal", title: null, ...(single ? { legend: null } : {}) };
  return {
    ...base(420, 240),
    data: { values: [...points] },
    layer: [
      // The range over seeds (min to max): deterministic, unlike a bootstrap interval.
      {
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: {
          x,
          y: { aggregate: "min", field: "value", type: "quantitative", title: yName, ...yScale },
          y2: { aggregate: "max", field: "value" },
          color,
        },
      },
      {
        mark: { type: "line", point: false, strokeWidth: 2 },
        encoding: { x, y: { aggregate: "mean", field: "value", type: "quantitative", title: yName, ...yScale }, color },
      },
      {
        mark: { type: "point", filled: true, size: 30, opacity: 0.6 },
        encoding: { x, y: { field: "value", type: "quantitative", ...yScale }, color },
      },
    ],
  } as TopLevelSpec;
}

/** Counts over simulated time, one line per series (nodes of each autoscaled pool, pods pending). */
export function countOverTimeChart(points: readonly CountPoint[], yTitle: string): TopLevelSpec {
  const single = new Set(points.map((p) => p.series)).size === 1;
  return {
    ...base(640, 240),
    data: { values: [...points] },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
    encoding: {
      x: { field: "seconds", type: "quantitative", title: "simulated time (s)" },
      y: { field: "count", type: "quantitative", title: yTitle, axis: { tickMinStep: 1, format: "d" } },
      color: { field: "series", type: "nominal", title: null, ...(single ? { legend: null } : {}) },
    },
  } as TopLevelSpec;
}

/** One SLO at one tried capacity point, in the chart's unit. */
export interface CapacityChartPoint {
  /** The node count tried (or, for a mix, its price per hour). */
  x: number;
  /** The mean over the runs; for a point where a run never got there, the top of the plot. */
  y: number;
  /** The interval of the mean over the runs (equal to y when there is none). */
  lo: number;
  hi: number;
  result: "pass" | "fail";
  /** Whether every run got a value (else it is drawn as "never" at the top). */
  reached: boolean;
  answer: boolean;
}

const RESULT_COLORS = { domain: ["pass", "fail"], range: ["#009e73", "#d55e00"] };

/**
 * One SLO of a capacity search: its mean over the runs (points, coloured pass or fail) with the
 * interval over the runs (bars) against the node count tried; the SLO's bound as a dashed rule;
 * points where a run never got there as triangles along the top; the answer ringed.
 */
export function capacityChart(
  points: readonly CapacityChartPoint[],
  bound: number,
  xTitle: string,
  yTitle: string,
  integerX: boolean,
): TopLevelSpec {
  // Padding keeps the end points (and the answer's ring and label) off the axes.
  const x = {
    field: "x",
    type: "quantitative",
    title: xTitle,
    scale: { zero: false, padding: 20 },
    ...(integerX ? { axis: { tickMinStep: 1, format: "d" } } : {}),
  };
  const y = { field: "y", type: "quantitative", title: yTitle };
  const answer = points.filter((p) => p.answer);
  return {
    ...base(640, 260),
    layer: [
      {
        data: { values: points.filter((p) => p.reached && p.hi > p.lo) },
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color: { value: "#777" } },
      },
      {
        data: { values: [{ bound, label: "SLO bound" }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#c33" },
        encoding: { y: { field: "bound", type: "quantitative" } },
      },
      {
        data: { values: [...points] },
        mark: { type: "point", filled: true, size: 70, opacity: 1 },
        encoding: {
          x,
          y,
          color: { field: "result", type: "nominal", title: null, scale: RESULT_COLORS },
          shape: {
            field: "reached",
            type: "nominal",
            title: null,
            scale: { domain: [true, false], range: ["circle", "triangle-up"] },
            legend: { labelExpr: "datum.value ? 'every run got there' : 'a run never got there'" },
          },
          tooltip: [{ field: "x" }, { field: "y" }, { field: "lo" }, { field: "hi" }, { field: "result" }],
        },
      },
      ...(answer.length === 0
        ? []
        : [
            {
              data: { values: answer },
              mark: { type: "point", filled: false, size: 320, strokeWidth: 2, color: "#222" },
              encoding: { x, y },
            },
            {
              data: { values: answer.map((p) => ({ ...p, label: "answer" })) },
              mark: { type: "text", dy: -16, fontWeight: "bold", color: "#222" },
              encoding: { x, y, text: { field: "label" } },
            },
          ]),
    ],
  } as TopLevelSpec;
}

/** A mix tried by `simctl capacity --pools A,B --cost`. */
export interface MixChartPoint {
  a: number;
  b: number;
  cost: string;
  result: "pass" | "fail";
  answer: boolean;
}

/**
 * The mixes a cost search tried: count of pool A against count of pool B, each labelled with its
 * price (USD per hour) and coloured pass or fail, the cheapest passing mix ringed.
 */
export function capacityMixChart(points: readonly MixChartPoint[], poolA: string, poolB: string): TopLevelSpec {
  const axis = { tickMinStep: 1, format: "d" };
  const scale = { zero: false, padding: 24 };
  const x = { field: "a", type: "quantitative", title: `nodes of ${poolA}`, axis, scale };
  const y = { field: "b", type: "quantitative", title: `nodes of ${poolB}`, axis, scale };
  return {
    ...base(640, 300),
    layer: [
      {
        data: { values: [...points] },
        mark: { type: "point", filled: true, size: 90, opacity: 1 },
        encoding: {
          x,
          y,
          color: { field: "result", type: "nominal", title: null, scale: RESULT_COLORS },
          tooltip: [{ field: "a" }, { field: "b" }, { field: "cost" }, { field: "result" }],
        },
      },
      {
        data: { values: [...points] },
        mark: { type: "text", dy: -14, color: "#333" },
        encoding: { x, y, text: { field: "cost" } },
      },
      {
        data: { values: points.filter((p) => p.answer) },
        mark: { type: "point", filled: false, size: 360, strokeWidth: 2, color: "#222" },
        encoding: { x, y },
      },
    ],
  } as TopLevelSpec;
}
