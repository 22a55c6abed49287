import type { EventKind } from "../core/engine.js";
import { PodStage } from "../cluster/pod-table.js";
import { PodDelete } from "../apiserver/object-store.js";
import { DELETE_BYTES, Resource, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType } from "../apiserver/watch-cache.js";
import type { ControllerDeps } from "./sync-controller.js";

/**
 * kube-controller-manager's garbage collector (pkg/controller/garbagecollector), for the owners
 * the simulation deletes: Jobs (the CronJob controller's history limits and Replace policy
 * delete them with propagationPolicy Background). Its graph builder learns each pod's owner
 * from the pod informer; when a Job's delete reaches its Job informer, each of the Job's pods
 * that still exists and is not terminating is deleted (gracefully, as attemptToDeleteItem does
 * for a dependent whose owners are all gone).
 *
 * model: (approximation) the dependents' deletes are sent at once and paced only by the
 * collector's client rate limit; upstream's 20 workers (--concurrent-gc-syncs) and its GET of
 * the absent owner (cached after the first) are not modelled.
 */
export class GarbageCollector {
  private readonly deps: ControllerDeps;
  private readonly client: number;
  private readonly kDeleted: EventKind;
  /** Pods seen per ReplicaSet-table row of a Job (the rows of other workloads stay empty). */
  private readonly podsOfSet: number[][] = [];
  /** Pod deletes sent. */
  deletes = 0;

  constructor(deps: ControllerDeps, client: number) {
    this.deps = deps;
    this.client = client;
    const { engine, watch } = deps;
    this.kDeleted = engine.register("garbage-collector.deleted", () => {});
    watch.inform(WatchResource.jobs, "garbage-collector.informer.job", client, (arg) => {
      if (watchType(arg) === WatchEvent.DELETED) this.onJobDeleted(watchObject(arg));
    });
    watch.inform(WatchResource.pods, "garbage-collector.informer.pod", client, (arg) => {
      if (watchType(arg) === WatchEvent.ADDED) this.onPodAdded(watchObject(arg));
    });
  }

  private onPodAdded(pod: number): void {
    const store = this.deps.store;
    const set = store.pods.owner[pod]!;
    const kind = store.deployments[store.replicaSets[set]!.deployment]!.spec.kind;
    if (kind !== "Job" && kind !== "CronJob") return;
    while (this.podsOfSet.length <= set) this.podsOfSet.push([]);
    this.podsOfSet[set]!.push(pod);
  }

  private onJobDeleted(j: number): void {
    const { store, api } = this.deps;
    const pods = store.pods;
    for (const p of this.podsOfSet[store.jobs[j]!.podSet] ?? []) {
      if (!Number.isNaN(pods.deletedNs[p]) || pods.isTerminating(p) || Number.isNaN(pods.time(p, PodStage.created)))
        continue;
      this.deletes++;
      api.submit(this.client, Verb.delete, Resource.pods, p, PodDelete.graceful, DELETE_BYTES, this.kDeleted, p);
    }
  }
}
