import type { EventKind } from "../core/engine.js";
import { PodPhase, type PodTable } from "../cluster/pod-table.js";
import {
  disruptionsAllowed,
  expectedAndDesired,
  type DisruptionBudgets,
  type PdbState,
} from "../cluster/disruption-budgets.js";
import { Resource, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType } from "../apiserver/watch-cache.js";
import { type ControllerDeps, SyncController } from "./sync-controller.js";

/** model: (assumed) a PodDisruptionBudget status update body. */
const STATUS_BYTES = 1_000;

/**
 * The disruption controller (pkg/controller/disruption/disruption.go): keeps each
 * PodDisruptionBudget's status current.
 *
 * Informers on Pods and Deployments queue the budgets that select the changed pod (or the
 * Deployment's pods); one worker syncs a budget: it counts the pods the budget selects, those
 * healthy (Running, the simulation's Ready, without deletionTimestamp and not in
 * status.disruptedPods), the expected pods and the desired healthy ones
 * ({@link expectedAndDesired}), and writes status.disruptionsAllowed through the API when it
 * changed. A pod it sees terminating leaves disruptedPods (buildDisruptedPodMap).
 *
 * model:
 * - expectedPods from the controllers' scale: for each distinct controller of the selected
 *   pods, its replicas (a Deployment's spec.replicas, for a ReplicaSet of its own the
 *   ReplicaSet's); a pod with no controller (a bare Pod of cluster.pods) counts in no scale
 *   (upstream's unmanagedPods).
 * - The status write carries the resourceVersion read; an eviction in between makes it a
 *   conflict and the budget is requeued with back-off.
 * - One worker, as upstream's Run starts one. The recheck queue for disruptedPods older than
 *   DeletionTimeout (2 min) is not modelled: an admitted eviction deletes its pod in the same
 *   write here, so no entry outlives its pod.
 * - currentHealthy, desiredHealthy and expectedPods are kept as the last sync computed them
 *   (only disruptionsAllowed, which evictions read, is a stored field).
 */
export class DisruptionController extends SyncController {
  readonly budgets: DisruptionBudgets;
  private readonly pods: PodTable;
  private readonly kWritten: EventKind;
  /** Per Deployment: the budgets selecting its pods (matched once). */
  private readonly byDeployment: (readonly number[] | undefined)[] = [];
  /** Per Deployment: the sync stamp that last counted its scale (dedupes controllers). */
  private readonly countedAt: number[] = [];
  private stamp = 0;

  constructor(deps: ControllerDeps, client: number, budgets: DisruptionBudgets) {
    super(deps, client, "disruption", 1);
    const { engine } = deps;
    this.budgets = budgets;
    this.pods = deps.store.pods;
    this.ensureKey(budgets.budgets.length - 1);
    this.kWritten = engine.register("disruption.statusWritten", (p, req) => this.onWritten(p, req));
    this.inform(WatchResource.pods, "pod", (arg) => this.onPodEvent(arg));
    this.inform(WatchResource.deployments, "deployment", (arg) => this.onDeploymentEvent(watchObject(arg)));
  }

  private onPodEvent(arg: number): void {
    const pod = watchObject(arg);
    const matching = this.budgets.ofTemplate(this.pods.template[pod]!);
    const added = watchType(arg) === WatchEvent.ADDED;
    for (let i = 0; i < matching.length; i++) {
      const b = matching[i]!;
      if (added) this.budgets.budgets[b]!.pods.push(pod);
      this.queue.add(b);
    }
  }

  private onDeploymentEvent(d: number): void {
    let m = this.byDeployment[d];
    if (m === undefined) {
      m = this.budgets.matching(this.store.deployments[d]!.spec);
      this.byDeployment[d] = m;
    }
    for (let i = 0; i < m.length; i++) this.queue.add(m[i]!);
  }

  protected syncBody(key: number): void {
    const b = this.budgets.budgets[key]!;
    this.keys.syncFailed[key] = 0;
    const pods = this.pods;
    const budgets = this.budgets;
    const rsList = this.store.replicaSets;
    const deps = this.store.deployments;
    const stamp = ++this.stamp;
    let matched = 0;
    let healthy = 0;
    let scale = 0;
    let kept = 0;
    const list = b.pods;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (!Number.isNaN(pods.deletedNs[p])) {
        budgets.setDisrupted(p, 0);
        continue; // gone from the informer's cache
      }
      list[kept++] = p;
      matched++;
      if (pods.isTerminating(p)) budgets.setDisrupted(p, 0);
      else if (pods.phase[p] === PodPhase.Running && !budgets.isDisrupted(p)) healthy++;
      const d = rsList[pods.owner[p]!]!.deployment;
      const dep = deps[d]!;
      if (dep.ownerKind === "Pod" || this.countedAt[d] === stamp) continue;
      this.countedAt[d] = stamp;
      scale += dep.replicas;
    }
    list.length = kept;
    const [expected, desired] = expectedAndDesired(b.spec, scale, matched);
    const allowed = disruptionsAllowed(healthy, desired, expected);
    const changed =
      allowed !== b.disruptionsAllowed ||
      healthy !== b.currentHealthy ||
      desired !== b.desiredHealthy ||
      expected !== b.expectedPods;
    setStatus(b, expected, healthy, desired);
    if (!changed && b.version > 0) {
      this.endSync(key);
      return;
    }
    b.readVersion = b.version;
    this.keys.inflight[key] = 1;
    this.api.submit(
      this.client,
      Verb.update,
      Resource.poddisruptionbudgetsStatus,
      key,
      allowed,
      STATUS_BYTES,
      this.kWritten,
      key,
    );
  }

  private onWritten(key: number, req: number): void {
    const b = this.budgets.budgets[key]!;
    // The store clears readVersion on a conflict.
    if (b.readVersion === -1 || this.api.requests.status[req]! >= 300) this.keys.syncFailed[key] = 1;
    b.readVersion = -1;
    this.keys.inflight[key] = 0;
    this.endSync(key);
  }
}

function setStatus(b: PdbState, expected: number, healthy: number, desired: number): void {
  b.expectedPods = expected;
  b.currentHealthy = healthy;
  b.desiredHealthy = desired;
}
