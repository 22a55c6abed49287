import type { DeploymentState, ReplicaSetState } from "../cluster/workloads.js";

/**
 * Pods the Deployments want that do not exist yet: for each Deployment the API holds, its
 * spec.replicas minus the active pods (created, not terminating) of its ReplicaSets that the
 * replicaset controller's informer has seen, and never below 0 (a rollout's surge). This is the
 * deployment and replicaset controllers' backlog: what they still have to create, at their
 * client's rate limit and slow-start batches, before the scheduler sees the pods. Stand-in owners
 * of `cluster.pods` (no controller) and Jobs are not counted.
 */
// perf: a sample walks the Deployments and their ReplicaSets (few), never the pods.
export function podsNotCreated(
  deployments: readonly DeploymentState[],
  replicaSets: readonly ReplicaSetState[],
): number {
  let backlog = 0;
  for (let d = 0; d < deployments.length; d++) {
    const dep = deployments[d]!;
    if (!dep.exists || dep.ownerKind !== undefined) continue;
    let active = 0;
    for (let i = 0; i < dep.replicaSets.length; i++) active += replicaSets[dep.replicaSets[i]!]!.observedPods;
    if (dep.replicas > active) backlog += dep.replicas - active;
  }
  return backlog;
}
