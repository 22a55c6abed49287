import { parseDurationNs } from "../core/time.js";
import type { PairedDifference } from "../study/stats.js";
import { GATE_METRICS, gateMetric, type GateMetric } from "./gate-metrics.js";

/**
 * A bound on how far a metric may move from its baseline: `METRIC=+10%` (a `--tolerance`: so
 * far in the worse direction), or `METRIC>+5%`, `METRIC<-5%` (a `--fail-if`: an explicit side).
 */
export interface Threshold {
  /** The metric, or undefined for every metric (`--tolerance 10%`). */
  metric: GateMetric | undefined;
  /** ">": beyond means above the bound; "<": below it; "worse": the metric's worse side. */
  op: ">" | "<" | "worse";
  /** Signed amount (a magnitude for "worse"): a fraction of the baseline mean when relative, else in the metric's unit (ns for durations). */
  amount: number;
  relative: boolean;
  /** The expression as written. */
  text: string;
}

const EXPR =
  /^\s*(?:([A-Za-z*][A-Za-z0-9]*)\s*([=<>]))?\s*([+-])?\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(%|[a-zµ]+)?\s*$/;

/**
 * Parses a `--tolerance` (`METRIC=+10%`, `METRIC=200ms`, `schedulerThroughput=-5%`, or `10%` /
 * `*=10%` for every metric) or, with `failIf`, a `--fail-if` (`METRIC>+5%`, `METRIC<-2`).
 * A tolerance's sign, when written, must be the metric's worse direction. Absolute amounts
 * take a duration unit (`ms`, `s`...) for a latency and none for a count or rate; every-metric
 * tolerances are percentages. Returns the reason when `expr` is none of these.
 */
export function parseThreshold(expr: string, failIf = false): Threshold | { error: string } {
  const form = failIf
    ? "METRIC>AMOUNT or METRIC<AMOUNT, such as startupP99>+5% or schedulerThroughput<-10%"
    : "METRIC=AMOUNT such as startupP99=+10% or timeToAllRunning=+2s, or a percentage for every metric such as 10%";
  const m = EXPR.exec(expr);
  if (m === null) return { error: `expected ${form}, found ${JSON.stringify(expr)}` };
  const [, name, op, sign, num, unit] = m;
  if (failIf ? op !== ">" && op !== "<" : op !== undefined && op !== "=")
    return { error: `expected ${form}, found ${JSON.stringify(expr)}` };
  let metric: GateMetric | undefined;
  if (name !== undefined && name !== "*") {
    metric = gateMetric(name);
    if (metric === undefined)
      return {
        error: `unknown metric ${JSON.stringify(name)} in ${JSON.stringify(expr)}; known: ${GATE_METRICS.map((x) => x.name).join(", ")}`,
      };
  } else if (failIf) return { error: `name a metric: expected ${form}, found ${JSON.stringify(expr)}` };
  const relative = unit === "%";
  let magnitude = Number(num);
  if (!relative) {
    if (metric === undefined)
      return { error: `a tolerance for every metric is a percentage such as 10%, found ${JSON.stringify(expr)}` };
    if (metric.unit === "ns") {
      const ns = unit === undefined ? undefined : parseDurationNs(`${num}${unit}`);
      if (ns === undefined)
        return {
          error: `${metric.name} is a duration: give a percentage or a duration such as 200ms or 2s, found ${JSON.stringify(expr)}`,
        };
      magnitude = ns;
    } else if (unit !== undefined)
      return {
        error: `${metric.name} is a ${metric.unit}: give a percentage or a plain number, found ${JSON.stringify(expr)}`,
      };
  } else magnitude /= 100;
  if (failIf)
    return { metric, op: op as ">" | "<", amount: sign === "-" ? -magnitude : magnitude, relative, text: expr };
  if (sign !== undefined && metric !== undefined && (sign === "+") !== (metric.worse === "higher"))
    return {
      error: `${metric.name} gets worse as it ${metric.worse === "higher" ? "rises: its tolerance is + (or unsigned)" : "falls: its tolerance is - (or unsigned)"}, found ${JSON.stringify(expr)}`,
    };
  return { metric, op: "worse", amount: magnitude, relative, text: expr };
}

/** Parses every expression; the first that does not parse is returned as the problem. */
export function parseThresholds(exprs: readonly string[], failIf = false): Threshold[] | { error: string } {
  const out: Threshold[] = [];
  for (const e of exprs) {
    const t = parseThreshold(e, failIf);
    if ("error" in t) return t;
    out.push(t);
  }
  return out;
}

/**
 * The tolerance that applies to `metric`: the last one naming it, else the last for every
 * metric, else none (0: any significant worsening is a regression).
 */
export function toleranceFor(metric: GateMetric, tolerances: readonly Threshold[]): Threshold | undefined {
  let all: Threshold | undefined;
  let own: Threshold | undefined;
  for (const t of tolerances) {
    if (t.metric === undefined) all = t;
    else if (t.metric.name === metric.name) own = t;
  }
  return own ?? all;
}

/** A threshold turned into a bound on the paired difference (now - baseline) of one metric. */
export interface Bound {
  op: ">" | "<";
  /** In the metric's unit. */
  limit: number;
}

/** The bound `t` (or, undefined, a tolerance of 0) sets on `metric` for a baseline mean of `baseMean`. */
export function boundOf(metric: GateMetric, t: Threshold | undefined, baseMean: number): Bound {
  const scale = t?.relative ? Math.abs(baseMean) : 1;
  if (t === undefined || t.op === "worse") {
    const limit = (t?.amount ?? 0) * scale;
    return metric.worse === "higher" ? { op: ">", limit } : { op: "<", limit: -limit };
  }
  return { op: t.op, limit: t.amount * scale };
}

/**
 * Whether a paired difference is beyond a bound: its whole confidence interval lies past the
 * limit, so even the most favourable reading of the seed-to-seed noise crosses it. Fewer than
 * two pairs never are.
 */
export function beyond(d: PairedDifference, b: Bound): boolean {
  if (d.n < 2) return false;
  return b.op === ">" ? d.lo > b.limit : d.hi < b.limit;
}
