/**
 * Resolves an int-or-percent (`25%` or `3`) against a total, as apimachinery's
 * intstr.GetScaledValueFromIntOrPercent does: percentages round up or down as asked.
 */
export function scaledValue(v: string | number, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  const pct = Number(v.slice(0, -1));
  const x = (pct * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/**
 * model: pkg/controller/deployment/util/deployment_util.go ResolveFenceposts: maxSurge rounds
 * up, maxUnavailable rounds down, and if both come out 0, maxUnavailable is 1.
 */
export function resolveFenceposts(
  maxSurge: string | number,
  maxUnavailable: string | number,
  replicas: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, replicas, true);
  let unavailable = scaledValue(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/**
 * model: deployment_util.go NewRSNewReplicas (RollingUpdate): scale the new ReplicaSet up so
 * that all ReplicaSets together hold at most replicas + maxSurge pods, and no further than
 * the Deployment's replicas.
 */
export function newReplicaSetReplicas(
  replicas: number,
  surge: number,
  allReplicas: number,
  newReplicas: number,
): number {
  const maxTotal = replicas + surge;
  if (allReplicas >= maxTotal) return newReplicas;
  return newReplicas + Math.min(maxTotal - allReplicas, replicas - newReplicas);
}

/**
 * model: rolling.go reconcileOldReplicaSets: how many old pods may go now without dropping
 * below replicas - maxUnavailable available pods, counting the new ReplicaSet's not yet
 * available pods as unavailable: allPods - minAvailable - newUnavailable.
 */
export function maxScaledDown(
  replicas: number,
  unavailable: number,
  allReplicas: number,
  newReplicas: number,
  newAvailable: number,
): number {
  const minAvailable = replicas - Math.min(unavailable, replicas);
  return allReplicas - minAvailable - (newReplicas - newAvailable);
}
