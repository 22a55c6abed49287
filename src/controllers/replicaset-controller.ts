import { Sampler } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import { PodPhase, type PodTable } from "../cluster/pod-table.js";
import type { ApiServer } from "../apiserver/api-server.js";
import type { ObjectStore } from "../apiserver/object-store.js";
import { Resource, Status, Verb } from "../apiserver/request-table.js";
import { WatchEvent, WatchResource, watchObject, watchType, type WatchCache } from "../apiserver/watch-cache.js";
import type { ControllerManagerSpec } from "../scenario/types.js";
import { WorkQueue } from "./work-queue.js";

/** model: pkg/controller/controller_utils.go ExpectationsTimeout = 5 * time.Minute. */
export const EXPECTATIONS_TIMEOUT_NS = 5 * 60 * NS_PER.s;
/** model: pkg/controller/controller_utils.go SlowStartInitialBatchSize = 1. */
export const SLOW_START_INITIAL_BATCH = 1;
/** model: a Pod object in etcd is ~5 kB (CALIBRATION.md). */
export const POD_BYTES = 5_000;
const STATUS_BYTES = 1_500;

/**
 * The replicaset controller (pkg/controller/replicaset/replica_set.go).
 *
 * Informers on ReplicaSets and Pods feed a work queue served by `concurrentReplicaSetSyncs`
 * workers. A sync compares observed pods with spec.replicas and creates the difference, at
 * most `burstReplicas` per sync, in slow-start batches of 1, 2, 4, ... (each batch's creates run
 * in parallel and the next batch starts when all have answered). Before creating it records
 * expectations; until the informer has observed every expected pod (or 5 minutes pass) a
 * sync creates nothing more, which is why it never over-creates. A sync ends with a status
 * update when the observed counts changed.
 */
export class ReplicaSetController {
  readonly queue: WorkQueue;
  private readonly engine: Engine;
  private readonly api: ApiServer;
  private readonly store: ObjectStore;
  private readonly pods: PodTable;
  private readonly client: number;
  private readonly burstReplicas: number;
  private readonly syncCost: Sampler;
  private readonly kSync: EventKind;
  private readonly kSyncBody: EventKind;
  private readonly kCreated: EventKind;
  private readonly kStatusWritten: EventKind;
  // Per-ReplicaSet controller state, indexed by ReplicaSet id (few: plain arrays suffice).
  private readonly pendingAdds: number[] = [];
  private readonly expectationsSetNs: number[] = [];
  private readonly remaining: number[] = [];
  private readonly batchSize: number[] = [];
  private readonly inflight: number[] = [];
  /** Pod creates sent by this controller (for the no-over-create invariant). */
  creates = 0;
  /** Syncs that found creations still unobserved and so created nothing more. */
  syncsAwaitingExpectations = 0;

  constructor(engine: Engine, random: RandomStreams, spec: ControllerManagerSpec, api: ApiServer, store: ObjectStore, watch: WatchCache, client: number) {
    this.engine = engine;
    this.api = api;
    this.store = store;
    this.pods = store.pods;
    this.client = client;
    this.burstReplicas = spec.burstReplicas;
    this.syncCost = new Sampler(spec.syncCost, random.stream("replicaset-controller/sync"));
    this.kSync = engine.register("replicaset.sync", (rs) => this.onSync(rs));
    this.kSyncBody = engine.register("replicaset.syncBody", (rs) => this.syncBody(rs));
    this.kCreated = engine.register("replicaset.created", (rs, req) => this.onCreated(rs, req));
    this.kStatusWritten = engine.register("replicaset.statusWritten", (rs) => this.queue.done(rs));
    this.queue = new WorkQueue(engine, "replicaset", spec.concurrentReplicaSetSyncs, this.kSync);
    watch.watch(WatchResource.replicasets, engine.register("replicaset.informer.rs", (_t, arg) => this.onReplicaSetEvent(arg)), 0);
    watch.watch(WatchResource.pods, engine.register("replicaset.informer.pod", (_t, arg) => this.onPodEvent(arg)), 0);
  }

  private onReplicaSetEvent(arg: number): void {
    const rs = watchObject(arg);
    while (this.pendingAdds.length <= rs) {
      this.pendingAdds.push(0);
      this.expectationsSetNs.push(0);
      this.remaining.push(0);
      this.batchSize.push(0);
      this.inflight.push(0);
    }
    if (watchType(arg) === WatchEvent.ADDED) this.queue.add(rs);
  }

  private onPodEvent(arg: number): void {
    const pod = watchObject(arg);
    const rs = this.pods.owner[pod]!;
    const state = this.store.replicaSets[rs]!;
    if (watchType(arg) === WatchEvent.ADDED) {
      state.observedPods++;
      this.pendingAdds[rs]!--; // model: expectations.CreationObserved on the pod add event
    } else if (this.pods.phase[pod] === PodPhase.Running && !this.seenRunning(pod)) {
      state.observedRunning++;
    } else {
      return;
    }
    this.queue.add(rs);
  }

  /** Whether the informer already counted `pod` as Running (marks it on first sight). */
  private seenRunning(pod: number): boolean {
    if (this.runningSeen.length <= pod) {
      const next = new Uint8Array(Math.max(pod + 1, this.runningSeen.length * 2));
      next.set(this.runningSeen);
      this.runningSeen = next;
    }
    if (this.runningSeen[pod]) return true;
    this.runningSeen[pod] = 1;
    return false;
  }
  private runningSeen = new Uint8Array(1024);

  private onSync(rs: number): void {
    this.engine.schedule(this.syncCost.sample(), this.kSyncBody, rs);
  }

  private syncBody(rs: number): void {
    const state = this.store.replicaSets[rs]!;
    const now = this.engine.now;
    const satisfied = this.pendingAdds[rs]! <= 0 || now - this.expectationsSetNs[rs]! > EXPECTATIONS_TIMEOUT_NS;
    if (!satisfied) this.syncsAwaitingExpectations++;
    const diff = state.replicas - state.observedPods;
    if (satisfied && diff > 0) {
      const n = Math.min(diff, this.burstReplicas);
      this.pendingAdds[rs] = n; // model: expectations.ExpectCreations(rsKey, diff)
      this.expectationsSetNs[rs] = now;
      this.remaining[rs] = n;
      this.batchSize[rs] = Math.min(n, SLOW_START_INITIAL_BATCH);
      this.startBatch(rs);
      return;
    }
    this.finishSync(rs);
  }

  private startBatch(rs: number): void {
    const state = this.store.replicaSets[rs]!;
    const size = this.batchSize[rs]!;
    this.inflight[rs] = size;
    for (let i = 0; i < size; i++) {
      const pod = this.pods.add(rs, state.nextOrdinal++, state.template);
      this.creates++;
      this.api.submit(this.client, Verb.create, Resource.pods, pod, 0, POD_BYTES, this.kCreated, rs);
    }
  }

  private onCreated(rs: number, req: number): void {
    if (this.api.requests.status[req] !== Status.created) {
      // model: a failed create lowers the expectation so the next sync retries it (replica_set.go).
      this.pendingAdds[rs]!--;
    }
    if (--this.inflight[rs]! > 0) return;
    const rem = (this.remaining[rs]! -= this.batchSize[rs]!);
    if (rem > 0) {
      this.batchSize[rs] = Math.min(2 * this.batchSize[rs]!, rem);
      this.startBatch(rs);
      return;
    }
    this.finishSync(rs);
  }

  /** Writes status.replicas/readyReplicas if they changed, then frees the worker. */
  private finishSync(rs: number): void {
    const state = this.store.replicaSets[rs]!;
    if (state.statusReplicas === state.observedPods && state.statusReady === state.observedRunning) {
      this.queue.done(rs);
      return;
    }
    state.statusReplicas = state.observedPods;
    this.api.submit(this.client, Verb.update, Resource.replicasetsStatus, rs, state.observedRunning, STATUS_BYTES, this.kStatusWritten, rs);
  }
}
