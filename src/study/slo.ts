import { formatDuration, parseDurationNs } from "../core/time.js";
import { GATE_METRICS } from "../gate/gate-metrics.js";
import type { ClusterRunOutcome } from "./run-task.js";
import { UserError } from "./user-error.js";

/** A figure of one run an SLO can bound, and how it reads and prints. */
interface SloMetric {
  name: string;
  unit: "duration" | "count" | "percent" | "rate";
  describe: string;
  /** The run's value; NaN when the run has none (never all Running), which fails every bound. */
  get: (o: ClusterRunOutcome) => number;
}

/**
 * The metrics of `--slo` expressions: every metric of `simctl gate` (one vocabulary for both,
 * src/gate/gate-metrics.ts), then two that only a capacity question needs.
 */
export const SLO_METRICS: readonly SloMetric[] = [
  ...GATE_METRICS.map(
    (m): SloMetric => ({
      name: m.name,
      unit: m.unit === "ns" ? "duration" : m.unit,
      describe: m.label,
      get: (o) => m.get(o.summary) ?? Number.NaN,
    }),
  ),
  {
    name: "pending",
    unit: "count",
    describe: "pods wanted but not Running when the run stops",
    get: (o) => o.summary.pods.expected - o.summary.pods.running,
  },
  {
    name: "cpuAllocated",
    unit: "percent",
    describe: "CPU requested of the schedulable nodes' allocatable CPU, at the end",
    get: (o) => o.placement.cpuAllocated * 100,
  },
];

/** Shorter spellings accepted in `--slo` (the capacity question is usually put this way). */
const SLO_ALIASES: Readonly<Record<string, string>> = { allRunning: "timeToAllRunning" };

const OPERATORS = ["<=", ">=", "==", "<", ">"] as const;
type Operator = (typeof OPERATORS)[number];

/** A parsed `--slo` expression: `metric op value`. */
export interface Slo {
  text: string;
  metric: SloMetric;
  op: Operator;
  /** The bound in the metric's unit (ns, pods or percent). */
  value: number;
}

/**
 * Parses `--slo` number `index` (1-based, for the message), e.g. `allRunning <= 30m`,
 * `startupP99 <= 5s`, `pending == 0`, `cpuAllocated <= 80%`. A bad expression throws a
 * UserError (exit 2) that names the flag, the column and what was expected and found.
 */
export function parseSlo(text: string, index: number): Slo {
  const fail = (column: number, expected: string, found: string): never => {
    throw new UserError(
      `--slo ${index} ${JSON.stringify(text)}, column ${column}: expected ${expected}, found ${found}`,
      2,
    );
  };
  const m = /^(\s*)([A-Za-z0-9]*)(\s*)(<=|>=|==|<|>)?(\s*)(.*?)\s*$/.exec(text)!;
  const [, lead, name, gap, op, gap2, valueText] = m as unknown as string[];
  const nameCol = lead!.length + 1;
  const canonical = SLO_ALIASES[name!] ?? name;
  const metric = SLO_METRICS.find((x) => x.name === canonical);
  if (metric === undefined)
    fail(
      nameCol,
      `a metric (${[...Object.keys(SLO_ALIASES), ...SLO_METRICS.map((x) => x.name)].join(", ")})`,
      name === "" ? "nothing" : JSON.stringify(name),
    );
  const opCol = nameCol + name!.length + gap!.length;
  if (op === undefined)
    fail(opCol, `an operator (${OPERATORS.join(" ")})`, JSON.stringify(text.slice(opCol - 1)) || "nothing");
  const valueCol = opCol + op!.length + gap2!.length;
  const value = parseSloValue(metric!, valueText!);
  if (value === undefined)
    fail(valueCol, expectedValue(metric!, name!), valueText === "" ? "nothing" : JSON.stringify(valueText));
  return { text: text.trim(), metric: metric!, op: op as Operator, value: value! };
}

/** What the value of metric `m`, written `as` in the expression, must look like. */
function expectedValue(m: SloMetric, as: string): string {
  switch (m.unit) {
    case "duration":
      return `a duration such as 30m, 5s or 250ms for ${as}`;
    case "count":
      return `a whole number of pods for ${as}`;
    case "percent":
      return `a percentage from 0% to 100% for ${as}`;
    case "rate":
      return `a number per second for ${as}`;
  }
}

function parseSloValue(m: SloMetric, text: string): number | undefined {
  switch (m.unit) {
    case "duration": {
      const ns = parseDurationNs(text);
      return ns !== undefined && ns >= 0 ? ns : undefined;
    }
    case "count":
      return /^\d+$/.test(text) ? Number(text) : undefined;
    case "percent": {
      const p = /^(\d+(?:\.\d+)?)%$/.exec(text);
      return p !== null && Number(p[1]) <= 100 ? Number(p[1]) : undefined;
    }
    case "rate":
      return /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : undefined;
  }
}

/** Whether `value` meets the SLO (a missing value, NaN, never does). */
export function sloHolds(slo: Slo, value: number): boolean {
  if (Number.isNaN(value)) return false;
  switch (slo.op) {
    case "<=":
      return value <= slo.value;
    case "<":
      return value < slo.value;
    case ">=":
      return value >= slo.value;
    case ">":
      return value > slo.value;
    case "==":
      return value === slo.value;
  }
}

/**
 * How far `value` is inside the bound, as a fraction of the bound (negative when outside; 0
 * for `==`, which has no room): the margin `simctl capacity` prints for its answer.
 */
export function sloMargin(slo: Slo, value: number): number {
  if (Number.isNaN(value) || slo.op === "==") return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : 0;
  const room = slo.op === "<=" || slo.op === "<" ? slo.value - value : value - slo.value;
  return slo.value === 0 ? room : room / slo.value;
}

/** A metric value for people, in its unit. */
export function formatSloValue(slo: Slo, value: number): string {
  if (Number.isNaN(value)) return "never";
  switch (slo.metric.unit) {
    case "duration":
      return formatDuration(Math.round(value));
    case "count":
      return Number.isInteger(value) ? String(value) : value.toFixed(1);
    case "percent":
      return `${value.toFixed(1)}%`;
    case "rate":
      return `${value.toFixed(1)}/s`;
  }
}

/**
 * One SLO's cell for a tried capacity point (the `simctl capacity` table and the report): mean ±
 * the interval over the runs, the worst run, ok or FAIL; `never` when a run never got there.
 */
export function formatSloResult(
  slo: Slo,
  r: { readonly mean: number; readonly half: number; readonly worst: number; readonly holds: boolean },
): string {
  const f = (v: number) => formatSloValue(slo, v);
  const spread = Number.isFinite(r.half) && r.half > 0 ? ` ± ${f(r.half)}` : "";
  return `${Number.isNaN(r.worst) ? "never" : `${f(r.mean)}${spread}, worst ${f(r.worst)}`} ${r.holds ? "ok" : "FAIL"}`;
}
