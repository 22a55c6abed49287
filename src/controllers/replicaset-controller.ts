import type { EventKind } from "../core/engine.js";
import { columnTable } from "../core/column-table.js";
import { NS_PER } from "../core/time.js";
import { PodPhase, PodStage, type PodTable } from "../cluster/pod-table.js";
import { PodDelete } from "../apiserver/object-store.js";
import { Resource, Status, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType } from "../apiserver/watch-cache.js";
import { type ControllerDeps, SyncController } from "./sync-controller.js";

/** model: pkg/controller/controller_utils.go ExpectationsTimeout = 5 * time.Minute. */
export const EXPECTATIONS_TIMEOUT_NS = 5 * 60 * NS_PER.s;
/** model: pkg/controller/controller_utils.go SlowStartInitialBatchSize = 1. */
export const SLOW_START_INITIAL_BATCH = 1;
/** model: a Pod object in etcd is ~5 kB (CALIBRATION.md). */
export const POD_BYTES = 5_000;
/** model: (assumed) a status update body and a pod DELETE (DeleteOptions) of a controller. */
export const STATUS_BYTES = 1_500;
export const DELETE_BYTES = 300;

/** Per-pod flags of the controller's informer view. */
const COUNTED = 1;
const RUNNING = 2;

/** Per pod: whether this controller counts it for its ReplicaSet (COUNTED) and saw it Running (RUNNING). */
const PodFlags = columnTable({ flags: { type: "Uint8", unset: 0 } });

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
export class ReplicaSetController extends SyncController {
  private readonly pods: PodTable;
  private readonly burstReplicas: number;
  private readonly kCreated: EventKind;
  private readonly kDeleted: EventKind;
  private readonly kStatusWritten: EventKind;
  // Per-ReplicaSet controller state, indexed by ReplicaSet id (few: plain arrays suffice).
  private readonly pendingAdds: number[] = [];
  private readonly pendingDeletes: number[] = [];
  private readonly expectationsSetNs: number[] = [];
  private readonly remaining: number[] = [];
  private readonly batchSize: number[] = [];
  /** Each ReplicaSet's pods, in creation order (terminated ones are skipped when read). */
  private readonly podsOf: number[][] = [];
  private readonly podFlags = new PodFlags(1024);
  /** Per ReplicaSet: its informer has delivered it (pods of a ReplicaSet not seen yet, or never created, queue nothing). */
  private readonly seen: boolean[] = [];
  /** Pod creates and deletes sent by this controller. */
  creates = 0;
  deletes = 0;
  /** Syncs that found creations or deletions still unobserved and so did nothing more. */
  syncsAwaitingExpectations = 0;

  constructor(deps: ControllerDeps, client: number) {
    super(deps, client, "replicaset", deps.spec.concurrentReplicaSetSyncs);
    const { engine, watch } = deps;
    this.pods = deps.store.pods;
    this.burstReplicas = deps.spec.burstReplicas;
    this.kCreated = engine.register("replicaset.created", (rs, req) => this.onCreated(rs, req));
    this.kDeleted = engine.register("replicaset.deleted", (rs, req) => this.onDeleted(rs, req));
    this.kStatusWritten = engine.register("replicaset.statusWritten", (rs, req) => {
      if (this.api.requests.status[req] !== Status.ok) this.syncFailed[rs] = true;
      this.endSync(rs);
    });
    watch.watch(
      WatchResource.replicasets,
      engine.register("replicaset.informer.rs", (_t, arg) => this.onReplicaSetEvent(arg)),
      0,
      client,
    );
    watch.watch(
      WatchResource.pods,
      engine.register("replicaset.informer.pod", (_t, arg) => this.onPodEvent(arg)),
      0,
      client,
    );
  }

  /**
   * Pods that exist before the run (cluster.pods) and belong to ReplicaSet `rs`: the first sync
   * waits until the informer has observed all of them, as upstream's controllers start their
   * workers only once their informers have synced (WaitForNamedCacheSync).
   */
  expectExisting(rs: number, pods: readonly number[]): void {
    this.ensure(rs);
    this.podsOf[rs]!.push(...pods);
    this.pendingAdds[rs]! += pods.length;
    this.expectationsSetNs[rs] = this.engine.now;
  }

  private onReplicaSetEvent(arg: number): void {
    const rs = watchObject(arg);
    this.ensure(rs);
    this.seen[rs] = true;
    this.queue.add(rs);
  }

  /** Sizes the per-ReplicaSet arrays to cover `rs`. */
  private ensure(rs: number): void {
    while (this.pendingAdds.length <= rs) {
      this.pendingAdds.push(0);
      this.pendingDeletes.push(0);
      this.expectationsSetNs.push(0);
      this.remaining.push(0);
      this.batchSize.push(0);
      this.inflight.push(0);
      this.syncFailed.push(false);
      this.podsOf.push([]);
      this.seen.push(false);
    }
  }

  private onPodEvent(arg: number): void {
    const pod = watchObject(arg);
    const type = watchType(arg);
    const rs = this.pods.owner[pod]!;
    const state = this.store.replicaSets[rs]!;
    this.ensure(rs);
    this.podFlags.ensureRow(pod);
    const flags = this.podFlags.flags[pod]!;
    if (type === WatchEvent.ADDED) {
      this.pendingAdds[rs]!--; // model: expectations.CreationObserved on the pod add event
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
      if (this.pods.isTerminating(pod)) this.pendingDeletes[rs]!--;
    } else if (this.pods.phase[pod] === PodPhase.Running && flags === COUNTED) {
      this.podFlags.flags[pod] = COUNTED | RUNNING;
      state.observedRunning++;
    } else {
      return;
    }
    if (this.seen[rs]) this.queue.add(rs);
  }

  protected syncBody(rs: number): void {
    const state = this.store.replicaSets[rs]!;
    this.syncFailed[rs] = false;
    const now = this.engine.now;
    const satisfied =
      (this.pendingAdds[rs]! <= 0 && this.pendingDeletes[rs]! <= 0) ||
      now - this.expectationsSetNs[rs]! > EXPECTATIONS_TIMEOUT_NS;
    if (!satisfied) {
      this.syncsAwaitingExpectations++;
      this.finishSync(rs);
      return;
    }
    const diff = state.replicas - state.observedPods;
    if (diff > 0) {
      const n = Math.min(diff, this.burstReplicas);
      this.pendingAdds[rs] = n; // model: expectations.ExpectCreations(rsKey, diff)
      this.pendingDeletes[rs] = 0;
      this.expectationsSetNs[rs] = now;
      this.remaining[rs] = n;
      this.batchSize[rs] = Math.min(n, SLOW_START_INITIAL_BATCH);
      this.startBatch(rs);
    } else if (diff < 0) {
      this.deleteSurplus(rs, Math.min(-diff, this.burstReplicas));
    } else {
      this.finishSync(rs);
    }
  }

  private startBatch(rs: number): void {
    const state = this.store.replicaSets[rs]!;
    const size = this.batchSize[rs]!;
    this.inflight[rs] = size;
    for (let i = 0; i < size; i++) {
      const pod = this.pods.add(rs, state.nextOrdinal++, state.template);
      this.podsOf[rs]!.push(pod);
      this.creates++;
      this.api.submit(this.client, Verb.create, Resource.pods, pod, 0, POD_BYTES, this.kCreated, rs);
    }
  }

  private onCreated(rs: number, req: number): void {
    if (this.api.requests.status[req] !== Status.created) {
      // model: a failed create lowers the expectation so the next sync retries it (replica_set.go).
      this.pendingAdds[rs]!--;
      this.syncFailed[rs] = true;
    }
    if (--this.inflight[rs]! > 0) return;
    this.remaining[rs]! -= this.batchSize[rs]!;
    const rem = this.remaining[rs]!;
    if (rem > 0 && this.syncFailed[rs]) {
      // model: controller_utils.go slowStartBatch stops after a batch with an error; the pods it
      // skipped are observed as never coming (expectations.CreationObserved for each).
      this.pendingAdds[rs]! -= rem;
    } else if (rem > 0) {
      this.batchSize[rs] = Math.min(2 * this.batchSize[rs]!, rem);
      this.startBatch(rs);
      return;
    }
    this.finishSync(rs);
  }

  /**
   * Deletes `n` active pods, all in parallel, chosen as upstream's getPodsToDelete ranks them
   * (controller_utils.go ActivePodsWithRanks): unassigned before assigned, Pending before
   * Running, pods doubled up on a node with more of their siblings first, newer before older.
   */
  private deleteSurplus(rs: number, n: number): void {
    const pods = this.pods;
    const active = this.podsOf[rs]!.filter((p) => (this.podFlags.flags[p]! & COUNTED) !== 0);
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
    this.pendingDeletes[rs] = n; // model: expectations.ExpectDeletions(rsKey, podKeys)
    this.pendingAdds[rs] = 0;
    this.expectationsSetNs[rs] = this.engine.now;
    this.inflight[rs] = n;
    for (let i = 0; i < n; i++) {
      this.deletes++;
      this.api.submit(
        this.client,
        Verb.delete,
        Resource.pods,
        active[i]!,
        PodDelete.graceful,
        DELETE_BYTES,
        this.kDeleted,
        rs,
      );
    }
  }

  private onDeleted(rs: number, req: number): void {
    if (this.api.requests.status[req] !== Status.ok) {
      this.pendingDeletes[rs]!--;
      this.syncFailed[rs] = true;
    }
    if (--this.inflight[rs]! === 0) this.finishSync(rs);
  }

  /** Writes status.replicas/availableReplicas if they changed, then ends the sync. */
  private finishSync(rs: number): void {
    const state = this.store.replicaSets[rs]!;
    if (state.statusReplicas === state.observedPods && state.statusAvailable === state.observedRunning) {
      this.endSync(rs);
      return;
    }
    state.statusReplicas = state.observedPods;
    this.api.submit(
      this.client,
      Verb.update,
      Resource.replicasetsStatus,
      rs,
      state.observedRunning,
      STATUS_BYTES,
      this.kStatusWritten,
      rs,
    );
  }
}
