import { PodStage, type PodTable } from "../cluster/pod-table.js";
import type { DeploymentState, ReplicaSetState } from "../cluster/workloads.js";

/** The lowest availability of one Deployment once it had first reached full strength. */
export interface AvailabilitySummary {
  deployment: string;
  replicas: number;
  /** Fewest of its pods Running at one instant after all `replicas` first were (null: never full). */
  lowestRunning: number | null;
  /** lowestRunning / replicas. */
  lowestAvailability: number | null;
  /** The first instant of that low (null: never full). */
  atNs: number | null;
}

/**
 * Per Deployment (not the stand-in owners of cluster.pods), the minimum over time of its Running
 * pods, counted from the first instant all its final `replicas` ran. A pod counts from its
 * Running commit to its deletionTimestamp, or to its node's failure (`nodeFailedAtNs`, NaN for
 * nodes that never failed), as time to recovery counts it.
 */
export function lowestAvailability(
  pods: PodTable,
  deployments: readonly DeploymentState[],
  replicaSets: readonly ReplicaSetState[],
  nodeFailedAtNs: Float64Array,
): AvailabilitySummary[] {
  const times: number[][] = deployments.map(() => []);
  const deltas: number[][] = deployments.map(() => []);
  for (let p = 0; p < pods.size; p++) {
    const from = pods.time(p, PodStage.running);
    if (Number.isNaN(from)) continue;
    const d = replicaSets[pods.owner[p]!]!.deployment;
    let until = pods.deletionNs[p]!;
    const node = pods.node[p]!;
    const failed = node >= 0 ? nodeFailedAtNs[node]! : NaN;
    if (Number.isNaN(until) || failed < until) until = Number.isNaN(failed) ? until : failed;
    if (until <= from) continue;
    times[d]!.push(from);
    deltas[d]!.push(1);
    if (!Number.isNaN(until)) {
      times[d]!.push(until);
      deltas[d]!.push(-1);
    }
  }
  const out: AvailabilitySummary[] = [];
  for (const dep of deployments) {
    if (dep.ownerKind !== undefined) continue;
    const t = times[dep.idx]!;
    const dl = deltas[dep.idx]!;
    const order = t.map((_, i) => i).sort((a, b) => t[a]! - t[b]! || dl[a]! - dl[b]!);
    let running = 0;
    let full = false;
    let low = Infinity;
    let lowAt = 0;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      running += dl[i]!;
      // Judge an instant once every change at it is applied.
      if (k + 1 < order.length && t[order[k + 1]!] === t[i]) continue;
      if (!full) full = running >= dep.replicas;
      if (full && running < low) {
        low = running;
        lowAt = t[i]!;
      }
    }
    const reached = full && dep.replicas > 0;
    out.push({
      deployment: dep.spec.name,
      replicas: dep.replicas,
      lowestRunning: reached ? low : null,
      lowestAvailability: reached ? Math.round((low / dep.replicas) * 1000) / 1000 : null,
      atNs: reached ? lowAt : null,
    });
  }
  return out;
}
