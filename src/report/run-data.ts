import type { Table } from "apache-arrow";
import { POD_STAGE_COLUMNS } from "../cluster/pod-table.js";
import { NS_PER } from "../core/time.js";
import type { SimulatedSummary } from "../metrics/summary.js";
import { numberColumn } from "./arrow-columns.js";

/** A point of an empirical CDF: `fraction` of the values are <= `seconds`. */
export interface CdfPoint {
  series: string;
  seconds: number;
  fraction: number;
}

/** Points of an ECDF (at most `points + 1` of them, at evenly spaced quantiles) of finite values in ns. */
export function ecdf(valuesNs: ArrayLike<number>, series: string, points = 200): CdfPoint[] {
  const v: number[] = [];
  for (let i = 0; i < valuesNs.length; i++) if (Number.isFinite(valuesNs[i])) v.push(valuesNs[i]!);
  v.sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return [];
  const out: CdfPoint[] = [{ series, seconds: v[0]! / NS_PER.s, fraction: 0 }];
  const steps = Math.min(points, n);
  for (let k = 1; k <= steps; k++) {
    const rank = Math.ceil((k / steps) * n); // the rank-th smallest value has ECDF rank/n
    out.push({ series, seconds: v[rank - 1]! / NS_PER.s, fraction: rank / n });
  }
  return out;
}

/**
 * Pod startup latency CDFs from pods.arrow: creation to Running, and the same without the time
 * spent pulling images (sandbox ready to images pulled), as the upstream SLO measures it.
 */
export function startupCdf(pods: Table, label = ""): CdfPoint[] {
  const created = numberColumn(pods, "created_ns");
  const running = numberColumn(pods, "running_ns");
  if (created === undefined || running === undefined) return [];
  const n = pods.numRows;
  const all = new Float64Array(n);
  for (let i = 0; i < n; i++) all[i] = running[i]! - created[i]!;
  const out = ecdf(all, `${label}create -> Running`);
  const sandbox = numberColumn(pods, "sandbox_ready_ns");
  const pulled = numberColumn(pods, "images_pulled_ns");
  if (sandbox !== undefined && pulled !== undefined) {
    const noPull = new Float64Array(n);
    for (let i = 0; i < n; i++) noPull[i] = all[i]! - (pulled[i]! - sandbox[i]!);
    out.push(...ecdf(noPull, `${label}excluding image pulls`));
  }
  return out;
}

/** Pods in a state at a time. */
export interface StatePoint {
  seconds: number;
  /** `Not created`: wanted by their Deployment, not yet created (timeseries.arrow `pods_not_created`). */
  state: "Not created" | "Pending" | "Running";
  pods: number;
}

/**
 * Pods Pending (created, not yet Running) and Running over simulated time, from the
 * `created_ns` and `running_ns` columns, sampled exactly at `samples + 1` evenly spaced times
 * from 0 to the last timestamp. (Pods deleted during the run have no deletion time in
 * pods.arrow, so they count as long as they had reached the state.)
 */
export function podsOverTime(pods: Table, samples = 300): StatePoint[] {
  const created = numberColumn(pods, "created_ns");
  const running = numberColumn(pods, "running_ns");
  if (created === undefined || running === undefined) return [];
  const c = sortedFinite(created);
  const r = sortedFinite(running);
  const end = Math.max(c[c.length - 1] ?? 0, r[r.length - 1] ?? 0);
  const out: StatePoint[] = [];
  for (let k = 0; k <= samples; k++) {
    const t = (end * k) / samples;
    const nc = upperBound(c, t);
    const nr = upperBound(r, t);
    out.push(
      { seconds: t / NS_PER.s, state: "Pending", pods: nc - nr },
      { seconds: t / NS_PER.s, state: "Running", pods: nr },
    );
  }
  return out;
}

/** A sample of a timeseries.arrow column: its value at a simulated time. */
export interface SeriesPoint {
  seconds: number;
  value: number;
}

/**
 * Column `column` of timeseries.arrow (one sample per simulated second), every k-th sample so
 * that at most `samples + 1` remain, and the last one (where it ended). Empty without that
 * column (a run of an older simctl, or without the component that samples it).
 */
export function sampledColumn(timeSeries: Table, column: string, samples = 300): SeriesPoint[] {
  const time = numberColumn(timeSeries, "time_ns");
  const values = numberColumn(timeSeries, column);
  if (time === undefined || values === undefined) return [];
  const n = timeSeries.numRows;
  const step = Math.max(1, Math.ceil((n - 1) / samples));
  const out: SeriesPoint[] = [];
  for (let i = 0; i < n; i += step) out.push({ seconds: time[i]! / NS_PER.s, value: values[i]! });
  if (n > 0 && (n - 1) % step !== 0) out.push({ seconds: time[n - 1]! / NS_PER.s, value: values[n - 1]! });
  return out;
}

/**
 * Pods the Deployments want that the controllers have not yet created, over simulated time:
 * the `pods_not_created` column of timeseries.arrow ({@link sampledColumn}).
 */
export function notCreatedOverTime(timeSeries: Table, samples = 300): StatePoint[] {
  return sampledColumn(timeSeries, "pods_not_created", samples).map((p) => ({
    seconds: p.seconds,
    state: "Not created",
    pods: p.value,
  }));
}

/** A count in a series at a time (nodes of a pool, pods pending). */
export interface CountPoint {
  seconds: number;
  series: string;
  count: number;
}

/**
 * Registered nodes of each autoscaled pool over simulated time: the Cluster Autoscaler's
 * `nodes_<pool>` columns of timeseries.arrow, one series per pool.
 */
export function poolNodesOverTime(timeSeries: Table, pools: readonly string[]): CountPoint[] {
  const out: CountPoint[] = [];
  for (const pool of pools)
    for (const p of sampledColumn(timeSeries, `nodes_${pool}`))
      out.push({ seconds: p.seconds, series: pool, count: p.value });
  return out;
}

/** One lifecycle step of the waterfall: mean offsets from creation, in seconds. */
export interface WaterfallStep {
  order: number;
  step: string;
  startSeconds: number;
  endSeconds: number;
}

/**
 * The per-stage waterfall: for each consecutive pair of lifecycle stage columns of pods.arrow
 * (created -> queued -> ... -> running), the mean time from creation to the start and to the
 * end of the step, over the pods that reached Running. Means add up, so the last bar ends at
 * the mean startup latency.
 */
export function stageWaterfall(pods: Table): WaterfallStep[] {
  const stages = POD_STAGE_COLUMNS.filter((c) => pods.getChild(c) !== null);
  const cols = stages.map((s) => numberColumn(pods, s)!);
  const created = numberColumn(pods, "created_ns");
  const running = numberColumn(pods, "running_ns");
  if (created === undefined || running === undefined || stages.length < 2) return [];
  const sums = new Float64Array(stages.length);
  let n = 0;
  for (let i = 0; i < pods.numRows; i++) {
    if (!Number.isFinite(running[i]) || !Number.isFinite(created[i])) continue;
    let ok = true;
    for (const c of cols) if (!Number.isFinite(c[i])) ok = false;
    if (!ok) continue;
    n++;
    for (let s = 0; s < cols.length; s++) sums[s]! += cols[s]![i]! - created[i]!;
  }
  if (n === 0) return [];
  const out: WaterfallStep[] = [];
  const name = (c: string) => c.replace(/_ns$/, "").replace(/_/g, " ");
  for (let s = 0; s + 1 < stages.length; s++) {
    out.push({
      order: s,
      step: `${name(stages[s]!)} -> ${name(stages[s + 1]!)}`,
      startSeconds: sums[s]! / n / NS_PER.s,
      endSeconds: sums[s + 1]! / n / NS_PER.s,
    });
  }
  return out;
}

/** API latency of one request kind at one quantile. */
export interface ApiLatencyPoint {
  request: string;
  verb: string;
  quantile: "p50" | "p99";
  ms: number;
  calls: number;
}

/** API latency by verb and resource from summary.json (`results.api`), p50 and p99 in ms. */
export function apiLatency(summary: SimulatedSummary): ApiLatencyPoint[] {
  const out: ApiLatencyPoint[] = [];
  for (const [request, l] of Object.entries(summary.api)) {
    const verb = request.split(" ")[0] ?? request;
    if (l.p50Ns !== null) out.push({ request, verb, quantile: "p50", ms: l.p50Ns / NS_PER.ms, calls: l.count });
    if (l.p99Ns !== null) out.push({ request, verb, quantile: "p99", ms: l.p99Ns / NS_PER.ms, calls: l.count });
  }
  return out;
}

function sortedFinite(a: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) out[k++] = a[i]!;
  return out.sort();
}

/** Number of values <= t in a sorted array. */
function upperBound(a: Float64Array, t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
