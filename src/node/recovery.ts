import { PodStage, type PodTable } from "../cluster/pod-table.js";
import type { Disruption } from "./node-events.js";

/** How long the cluster took to get back to full strength after a disruption. */
export interface RecoverySummary {
  kind: Disruption["kind"];
  atNs: number;
  nodes: number;
  /** Pods on those nodes that were deleted (evicted) after the disruption. */
  podsEvicted: number;
  /** When the last of them was deleted (null: none was). */
  lastEvictionNs: number | null;
  /** When `expected` healthy Running pods were counted again, after the last eviction (null: never in the run). */
  recoveredAtNs: number | null;
  /** recoveredAtNs - atNs. */
  timeToRecoveryNs: number | null;
}

/**
 * Time to recovery of each disruption, from the pod table after the run.
 *
 * A pod is healthy from its Running commit until the earlier of its deletion (deletionTimestamp)
 * and its node's failure. After a disruption at t0, recovery is the first instant, no earlier
 * than the last eviction the disruption caused (or t0), at which `expected` pods are healthy.
 * `nodeFailedAtNs` is NaN for nodes that never failed.
 */
export function recoveryTimes(
  pods: PodTable,
  nodeFailedAtNs: Float64Array,
  disruptions: readonly Disruption[],
  expected: number,
): RecoverySummary[] {
  const n = pods.size;
  // Sweep line over +1 (healthy from) and -1 (healthy until) events.
  const times: number[] = [];
  const deltas: number[] = [];
  for (let p = 0; p < n; p++) {
    const from = pods.time(p, PodStage.running);
    if (Number.isNaN(from)) continue;
    const node = pods.node[p]!;
    let until = pods.deletionNs[p]!;
    if (Number.isNaN(until)) until = Infinity;
    const failed = node >= 0 ? nodeFailedAtNs[node]! : NaN;
    if (!Number.isNaN(failed) && failed < until) until = failed;
    if (until <= from) continue;
    times.push(from);
    deltas.push(1);
    if (until !== Infinity) {
      times.push(until);
      deltas.push(-1);
    }
  }
  const order = times.map((_, i) => i).sort((a, b) => times[a]! - times[b]! || deltas[a]! - deltas[b]!);
  const out: RecoverySummary[] = [];
  for (const d of disruptions) {
    const onNodes = new Set(d.nodes);
    let evicted = 0;
    let last = -Infinity;
    for (let p = 0; p < n; p++) {
      const del = pods.deletionNs[p]!;
      if (!Number.isNaN(del) && del >= d.atNs && onNodes.has(pods.node[p]!)) {
        evicted++;
        if (del > last) last = del;
      }
    }
    const from = Math.max(d.atNs, last);
    let healthy = 0;
    // Already at full strength when the last eviction happened (nothing left to recover).
    let recovered: number | null = healthyAt(order, times, deltas, from) >= expected ? from : null;
    for (let k = 0; k < order.length && recovered === null; k++) {
      const i = order[k]!;
      healthy += deltas[i]!;
      const t = times[i]!;
      // Apply every change at this instant before judging it.
      const next = k + 1 < order.length ? times[order[k + 1]!]! : Infinity;
      if (next === t) continue;
      if (t >= from && healthy >= expected) {
        recovered = t;
        break;
      }
    }
    out.push({
      kind: d.kind,
      atNs: d.atNs,
      nodes: d.nodes.length,
      podsEvicted: evicted,
      lastEvictionNs: last === -Infinity ? null : last,
      recoveredAtNs: recovered,
      timeToRecoveryNs: recovered === null ? null : recovered - d.atNs,
    });
  }
  return out;
}

function healthyAt(order: number[], times: number[], deltas: number[], t: number): number {
  let h = 0;
  for (const i of order) {
    if (times[i]! > t) break;
    h += deltas[i]!;
  }
  return h;
}
