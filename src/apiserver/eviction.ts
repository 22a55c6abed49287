import { PodPhase, type PodTable } from "../cluster/pod-table.js";
import type { DisruptionBudgets } from "../cluster/disruption-budgets.js";
import type { EvictionPolicy } from "./api-server.js";
import { Status } from "./request-table.js";

/**
 * The Eviction API's budget check (pkg/registry/core/pod/storage/eviction.go), run by the API
 * server holding the request's seat, before the pod's graceful delete is written.
 *
 * model:
 * - canIgnorePDB: a pod already terminating, or not Running (Pending, Succeeded, Failed), is
 *   deleted without a budget check.
 * - No budget selects the pod: deleted. More than one: refused with 500 ("This pod has more
 *   than one PodDisruptionBudget, which the eviction subresource does not support").
 * - One budget: refused with 429 TooManyRequests while its stored status.disruptionsAllowed is
 *   0; otherwise disruptionsAllowed is decremented and the pod entered in status.disruptedPods
 *   (so the disruption controller does not count it healthy before it sees the pod deleted).
 *   Upstream writes that budget update to etcd before the pod's delete; (approximation) here
 *   the two are one storage write, the delete.
 * - status.observedGeneration, the DisruptedPods size limit (2000) and the
 *   unhealthyPodEvictionPolicy are not modelled (a Running pod is Ready here).
 */
export class PdbEvictions implements EvictionPolicy {
  /** Evictions refused with 429 because a budget allowed no disruption, and with 500 (several budgets). */
  refused = 0;
  refusedSeveralBudgets = 0;
  private readonly pods: PodTable;
  private readonly budgets: DisruptionBudgets;

  constructor(pods: PodTable, budgets: DisruptionBudgets) {
    this.pods = pods;
    this.budgets = budgets;
  }

  admitEviction(pod: number): number {
    const pods = this.pods;
    if (pods.isTerminating(pod) || pods.phase[pod] !== PodPhase.Running) return Status.ok;
    const matching = this.budgets.ofTemplate(pods.template[pod]!);
    if (matching.length === 0) return Status.ok;
    if (matching.length > 1) {
      this.refusedSeveralBudgets++;
      return Status.internalError;
    }
    const b = this.budgets.budgets[matching[0]!]!;
    if (b.disruptionsAllowed <= 0) {
      this.refused++;
      return Status.tooManyRequests;
    }
    b.disruptionsAllowed--;
    b.version++;
    this.budgets.setDisrupted(pod, 1);
    return Status.ok;
  }
}
