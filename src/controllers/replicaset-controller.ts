import type { EventKind } from "../core/engine.js";
import { columnTable } from "../core/column-table.js";
import { PodPhase, PodStage, type PodTable } from "../cluster/pod-table.js";
import { Resource, STATUS_BYTES, Status, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType } from "../apiserver/watch-cache.js";
import type { ControllerDeps } from "./sync-controller.js";
import { PodControlController } from "./pod-control.js";

export { EXPECTATIONS_TIMEOUT_NS, POD_BYTES, SLOW_START_INITIAL_BATCH } from "./pod-control.js";

/** Per-pod flags of the controller's informer view. */
const COUNTED = 1;
const RUNNING = 2;

/** Per pod: whether this controller counts it for its ReplicaSet (COUNTED) and saw it Running (RUNNING). */
const PodFlags = columnTable({ flags: "Uint8" });

/** Per ReplicaSet: its pods, in creation order (terminated ones are skipped when read). */
interface ReplicaSetView {
  readonly pods: number[];
}

/**
 * The replicaset controller (pkg/controller/replicaset/replica_set.go).
 *
 * Informers on ReplicaSets and Pods feed a work queue served by `concurrentReplicaSetSyncs`
 * workers. A sync compares the active pods it has observed (created, not terminating) with
 * spec.replicas. Too few: it creates the difference, at most `burstReplicas` per sync, in
 * slow-start batches of 1, 2, 4, ... (each batch's creates run in parallel; the next batch
 * starts when all have answered). Too many: it deletes the surplus, ranked as upstream ranks
 * them. Before acting it records expectations; until the informer has observed every expected
 * create and delete (or 5 minutes pass) a sync does nothing more, which is why it never
 * over-creates. A sync ends with a status update when the observed counts changed.
 */
export class ReplicaSetController extends PodControlController<ReplicaSetView> {
  private readonly pods: PodTable;
  private readonly burstReplicas: number;
  private readonly kStatusWritten: EventKind;
  private readonly podFlags = new PodFlags(1024);
  /** Syncs that found creations or deletions still unobserved and so did nothing more. */
  syncsAwaitingExpectations = 0;

  constructor(deps: ControllerDeps, client: number) {
    super(deps, client, "replicaset", deps.spec.concurrentReplicaSetSyncs);
    const { engine } = deps;
    this.pods = deps.store.pods;
    this.burstReplicas = deps.spec.burstReplicas;
    this.kStatusWritten = engine.register("replicaset.statusWritten", (rs, req) => {
      if (this.api.requests.status[req] !== Status.ok) this.keys.syncFailed[rs] = 1;
      this.endSync(rs);
    });
    this.inform(WatchResource.replicasets, "rs", (arg) => this.observeOwner(watchObject(arg)));
    this.inform(WatchResource.pods, "pod", (arg) => this.onPodEvent(arg));
  }

  /**
   * Pods that exist before the run (cluster.pods) and belong to ReplicaSet `rs`: the first sync
   * waits until the informer has observed all of them, as upstream's controllers start their
   * workers only once their informers have synced (WaitForNamedCacheSync).
   */
  expectExisting(rs: number, pods: readonly number[]): void {
    this.ensureKey(rs);
    this.views[rs]!.pods.push(...pods);
    this.expect.pendingAdds[rs]! += pods.length;
    this.expect.setNs[rs] = this.engine.now;
  }

  protected newView(): ReplicaSetView {
    return { pods: [] };
  }

  private onPodEvent(arg: number): void {
    const pod = watchObject(arg);
    const type = watchType(arg);
    const rs = this.pods.owner[pod]!;
    const state = this.store.replicaSets[rs]!;
    this.ensureKey(rs);
    this.podFlags.ensureRow(pod);
    const flags = this.podFlags.flags[pod]!;
    if (type === WatchEvent.ADDED) {
      this.expect.pendingAdds[rs]!--; // model: expectations.CreationObserved on the pod add event
      if (!this.pods.isTerminating(pod)) {
        this.podFlags.flags[pod] = COUNTED;
        state.observedPods++;
      }
    } else if (
      this.pods.isTerminating(pod) ||
      this.pods.phase[pod] === PodPhase.Failed ||
      this.pods.phase[pod] === PodPhase.Succeeded
    ) {
      // model: replica_set.go updatePod/deletePod: a pod with a deletionTimestamp is treated as
      // deleted at once (expectations.DeletionObserved); neither it nor a pod in a terminal
      // phase counts as active any more (controller_utils.go IsPodActive).
      if ((flags & COUNTED) === 0) return;
      this.podFlags.flags[pod] = 0;
      state.observedPods--;
      if (flags & RUNNING) state.observedRunning--;
      if (this.pods.isTerminating(pod)) this.expect.pendingDeletes[rs]!--;
    } else if (this.pods.phase[pod] === PodPhase.Running && flags === COUNTED) {
      this.podFlags.flags[pod] = COUNTED | RUNNING;
      state.observedRunning++;
    } else {
      return;
    }
    if (this.observed(rs)) this.queue.add(rs);
  }

  protected syncBody(rs: number): void {
    const state = this.store.replicaSets[rs]!;
    this.keys.syncFailed[rs] = 0;
    if (!this.expectationsSatisfied(rs)) {
      this.syncsAwaitingExpectations++;
      this.finishSync(rs);
      return;
    }
    const diff = state.replicas - state.observedPods;
    if (diff > 0) {
      const n = Math.min(diff, this.burstReplicas);
      this.setExpectations(rs, n, 0); // model: expectations.ExpectCreations(rsKey, diff)
      this.startCreates(rs, n);
    } else if (diff < 0) {
      this.deleteSurplus(rs, Math.min(-diff, this.burstReplicas));
    } else {
      this.finishSync(rs);
    }
  }

  protected newPod(rs: number): number {
    const state = this.store.replicaSets[rs]!;
    const pod = this.pods.add(rs, state.nextOrdinal++, state.template);
    this.views[rs]!.pods.push(pod);
    return pod;
  }

  /**
   * Deletes `n` active pods, all in parallel, chosen as upstream's getPodsToDelete ranks them
   * (controller_utils.go ActivePodsWithRanks): unassigned before assigned, Pending before
   * Running, pods doubled up on a node with more of their siblings first, newer before older.
   */
  private deleteSurplus(rs: number, n: number): void {
    const pods = this.pods;
    const active = this.views[rs]!.pods.filter((p) => (this.podFlags.flags[p]! & COUNTED) !== 0);
    const onNode = new Map<number, number>();
    for (const p of active) if (pods.node[p]! >= 0) onNode.set(pods.node[p]!, (onNode.get(pods.node[p]!) ?? 0) + 1);
    const rank = (p: number) => (pods.node[p]! >= 0 ? onNode.get(pods.node[p]!)! : 0);
    active.sort((a, b) => {
      const assigned = Number(pods.node[a]! >= 0) - Number(pods.node[b]! >= 0);
      if (assigned !== 0) return assigned;
      const phase = pods.phase[a]! - pods.phase[b]!;
      if (phase !== 0) return phase;
      const doubled = rank(b) - rank(a);
      if (doubled !== 0) return doubled;
      const created = pods.time(b, PodStage.created) - pods.time(a, PodStage.created);
      return created !== 0 ? created : b - a;
    });
    this.setExpectations(rs, 0, n); // model: expectations.ExpectDeletions(rsKey, podKeys)
    this.deletePods(rs, active, n);
  }

  /**
   * Writes status.replicas/availableReplicas if they changed, then ends the sync.
   *
   * model: replica_set.go calculateStatus counts a pod available once it has been Ready for
   * minReadySeconds (podutil.IsPodAvailable; Ready here is the Running status, as ever in this
   * model); with minReadySeconds, a ReplicaSet whose pods are all Ready but not all available is
   * synced again after minReadySeconds (syncReplicaSet's queue.AddAfter).
   */
  protected finishSync(rs: number): void {
    const state = this.store.replicaSets[rs]!;
    const minReady = state.minReadyNs ?? 0;
    const available = minReady > 0 ? this.availablePods(rs, minReady) : state.observedRunning;
    if (minReady > 0 && state.observedRunning === state.replicas && available !== state.replicas)
      this.queue.addAfter(rs, minReady);
    if (state.statusReplicas === state.observedPods && state.statusAvailable === available) {
      this.endSync(rs);
      return;
    }
    state.statusReplicas = state.observedPods;
    this.api.submit(
      this.client,
      Verb.update,
      Resource.replicasetsStatus,
      rs,
      available,
      STATUS_BYTES,
      this.kStatusWritten,
      rs,
    );
  }

  /** The ReplicaSet's active pods that have been Running for at least `minReadyNs`. */
  private availablePods(rs: number, minReadyNs: number): number {
    const since = this.engine.now - minReadyNs;
    let n = 0;
    for (const p of this.views[rs]!.pods)
      if (this.podFlags.flags[p] === (COUNTED | RUNNING) && this.pods.time(p, PodStage.running) <= since) n++;
    return n;
  }
}
