import { columnTable } from "../core/column-table.js";
import type { EventKind } from "../core/engine.js";
import { PodDelete } from "../apiserver/object-store.js";
import { DELETE_BYTES, Resource, Status, Verb } from "../apiserver/request-table.js";
import { NS_PER } from "../core/time.js";
import { type ControllerDeps, SyncController } from "./sync-controller.js";

/** model: pkg/controller/controller_utils.go ExpectationsTimeout = 5 * time.Minute. */
export const EXPECTATIONS_TIMEOUT_NS = 5 * 60 * NS_PER.s;
/** model: pkg/controller/controller_utils.go SlowStartInitialBatchSize = 1. */
export const SLOW_START_INITIAL_BATCH = 1;
/** model: a Pod object in etcd is ~5 kB (CALIBRATION.md). */
export const POD_BYTES = 5_000;

/**
 * Per key: whether the informer has delivered the key's own object; the creates and deletes
 * expected and when they were set (ControllerExpectations); the current sync's creates not yet
 * sent, and the size of the batch in flight.
 */
const Expectations = columnTable({
  observed: "Uint8",
  pendingAdds: "Int32",
  pendingDeletes: "Int32",
  setNs: "Float64",
  remaining: "Int32",
  batchSize: "Int32",
});

/**
 * The pod-making half that the replicaset, DaemonSet and Job controllers share
 * (pkg/controller/controller_utils.go): per key, the creates and deletes it expects its
 * informer to observe (ControllerExpectations: until they are observed, or 5 minutes pass, a
 * sync does nothing more, so it never over-creates), pod creates in slow-start batches of 1, 2,
 * 4, ... (each batch's creates in parallel, the next once all have answered; a batch with a
 * failure stops the rest, whose expectations are lowered), and graceful deletes all at once.
 *
 * Contract: the subclass sizes every per-key row with {@link ensureKey} (which makes the key's
 * view of type `V` with {@link newView} the first time), makes each pod of a batch in
 * {@link newPod}, and ends a sync in {@link finishSync}; {@link afterCreates} runs once the
 * creates of a sync are over (by default the sync ends there); {@link createFailed} and
 * {@link deleteFailed} see each refused write (by default they do nothing more).
 */
export abstract class PodControlController<V> extends SyncController {
  protected readonly expect = new Expectations(64);
  /** Per key: the subclass's own bookkeeping (keys are few: plain objects). */
  protected readonly views: V[] = [];
  private readonly kCreated: EventKind;
  private readonly kDeleted: EventKind;
  /** Pod creates and deletes sent by this controller. */
  creates = 0;
  deletes = 0;

  protected constructor(deps: ControllerDeps, client: number, name: string, workers: number) {
    super(deps, client, name, workers);
    this.kCreated = deps.engine.register(`${name}.created`, (key, req) => this.onCreated(key, req));
    this.kDeleted = deps.engine.register(`${name}.deleted`, (key, req) => this.onDeleted(key, req));
  }

  protected override ensureKey(key: number): void {
    super.ensureKey(key);
    this.expect.ensureRow(key);
    while (this.views.length <= key) this.views.push(this.newView(this.views.length));
  }

  /** The view of `key` before its first sync. */
  protected abstract newView(key: number): V;

  /** The informer delivered `key`'s own object: its rows are sized, it is queued, and pod events queue it from now on. */
  protected observeOwner(key: number): void {
    this.ensureKey(key);
    this.expect.observed[key] = 1;
    this.queue.add(key);
  }

  /** Whether {@link observeOwner} has seen `key`'s object (before, its pods' events do not queue it). */
  protected observed(key: number): boolean {
    return this.expect.observed[key] === 1;
  }

  /** Every expected create and delete of `key` was observed, or the expectations expired. */
  protected expectationsSatisfied(key: number): boolean {
    return (
      (this.expect.pendingAdds[key]! <= 0 && this.expect.pendingDeletes[key]! <= 0) ||
      this.engine.now - this.expect.setNs[key]! > EXPECTATIONS_TIMEOUT_NS
    );
  }

  /** model: expectations.SetExpectations(key, adds, deletes). */
  protected setExpectations(key: number, adds: number, deletes: number): void {
    this.expect.pendingAdds[key] = adds;
    this.expect.pendingDeletes[key] = deletes;
    this.expect.setNs[key] = this.engine.now;
  }

  /** Creates `n` pods of `key` in slow-start batches; then {@link afterCreates}. */
  protected startCreates(key: number, n: number): void {
    this.expect.remaining[key] = n;
    this.expect.batchSize[key] = Math.min(n, SLOW_START_INITIAL_BATCH);
    this.createBatch(key);
  }

  /** The next pod of `key`'s current batch: its row, made with its owner and template. */
  protected abstract newPod(key: number): number;

  /** Ends the sync of `key` (status write, then endSync). */
  protected abstract finishSync(key: number): void;

  /** The creates of the current sync are over: by default the sync ends. */
  protected afterCreates(key: number): void {
    this.finishSync(key);
  }

  /** The create of `pod` (of `key`) was refused; its expectation is already lowered. */
  protected createFailed(_key: number, _pod: number): void {}

  /** A delete of `key`'s sync was refused. */
  protected deleteFailed(_key: number): void {}

  private createBatch(key: number): void {
    const size = this.expect.batchSize[key]!;
    this.keys.inflight[key] = size;
    for (let i = 0; i < size; i++) {
      const pod = this.newPod(key);
      this.creates++;
      this.api.submit(this.client, Verb.create, Resource.pods, pod, 0, POD_BYTES, this.kCreated, key);
    }
  }

  private onCreated(key: number, req: number): void {
    if (this.api.requests.status[req] !== Status.created) {
      // model: a failed create lowers the expectation so the next sync retries it.
      this.expect.pendingAdds[key]!--;
      this.keys.syncFailed[key] = 1;
      this.createFailed(key, this.api.requests.object[req]!);
    }
    if (--this.keys.inflight[key]! > 0) return;
    this.expect.remaining[key]! -= this.expect.batchSize[key]!;
    const rem = this.expect.remaining[key]!;
    if (rem > 0 && this.keys.syncFailed[key]) {
      // model: slowStartBatch stops after a batch with an error; the pods it skipped are
      // observed as never coming (expectations.CreationObserved / LowerExpectations).
      this.expect.pendingAdds[key]! -= rem;
    } else if (rem > 0) {
      this.expect.batchSize[key] = Math.min(2 * this.expect.batchSize[key]!, rem);
      this.createBatch(key);
      return;
    }
    this.afterCreates(key);
  }

  /** Deletes the first `n` of `pods` gracefully, all at once; the sync ends when all have answered. */
  protected deletePods(key: number, pods: readonly number[], n: number): void {
    this.keys.inflight[key] = n;
    for (let i = 0; i < n; i++) {
      this.deletes++;
      this.api.submit(
        this.client,
        Verb.delete,
        Resource.pods,
        pods[i]!,
        PodDelete.graceful,
        DELETE_BYTES,
        this.kDeleted,
        key,
      );
    }
  }

  private onDeleted(key: number, req: number): void {
    if (this.api.requests.status[req] !== Status.ok) {
      this.expect.pendingDeletes[key]!--;
      this.keys.syncFailed[key] = 1;
      this.deleteFailed(key);
    }
    if (--this.keys.inflight[key]! === 0) this.finishSync(key);
  }
}
