import { columnTable } from "../core/column-table.js";
import { Sampler } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams } from "../core/random.js";
import type { ApiServer } from "../apiserver/api-server.js";
import type { ObjectStore } from "../apiserver/object-store.js";
import type { WatchCache, WatchResource } from "../apiserver/watch-cache.js";
import type { ControllerManagerSpec } from "../scenario/types.js";
import { WorkQueue } from "./work-queue.js";

/** What each kube-controller-manager controller is built from (one bundle, shared by all of them). */
export interface ControllerDeps {
  readonly engine: Engine;
  readonly random: RandomStreams;
  readonly spec: ControllerManagerSpec;
  readonly api: ApiServer;
  readonly store: ObjectStore;
  readonly watch: WatchCache;
}

/** Per key: writes of the current sync not answered yet; whether one failed (it then requeues with back-off). */
const SyncKeys = columnTable({
  inflight: "Int32",
  syncFailed: "Uint8",
});

/**
 * The worker loop every kube-controller-manager controller runs (pkg/controller: informers feed
 * a rate-limited work queue of object keys served by N workers): a dequeued key costs one
 * `syncCost` sample, then runs {@link syncBody}; the subclass counts its key's outstanding writes
 * in `keys.inflight`, marks a failed one in `keys.syncFailed`, and calls {@link endSync} when the
 * sync is over.
 *
 * Contract: the subclass calls {@link ensureKey} for every key before it touches that key's row.
 */
export abstract class SyncController {
  /** The controller's work queue of object keys. */
  readonly queue: WorkQueue;
  protected readonly engine: Engine;
  protected readonly api: ApiServer;
  protected readonly store: ObjectStore;
  /** The controller's own API client (its service account's token bucket). */
  protected readonly client: number;
  /** Per key: the current sync's outstanding writes and failure, indexed by key. */
  protected readonly keys = new SyncKeys(64);
  private readonly syncCost: Sampler;
  private readonly kSyncBody: EventKind;
  private readonly name: string;
  private readonly watchCache: WatchCache;
  /** Per ReplicaSet-table row holding the pods of one of this controller's keys: that key (-1 or absent: none). */
  private readonly keyOfPodSet: number[] = [];

  /** `name` prefixes the event kinds and the work queue's name; the sync-cost stream is `${name}-controller/sync`. */
  protected constructor(deps: ControllerDeps, client: number, name: string, workers: number) {
    const engine = deps.engine;
    this.engine = engine;
    this.api = deps.api;
    this.store = deps.store;
    this.client = client;
    this.name = name;
    this.watchCache = deps.watch;
    this.syncCost = new Sampler(deps.spec.syncCost, deps.random.stream(`${name}-controller/sync`));
    const kSync = engine.register(`${name}.sync`, (key) =>
      this.engine.schedule(this.syncCost.sample(), this.kSyncBody, key),
    );
    this.kSyncBody = engine.register(`${name}.syncBody`, (key) => this.syncBody(key));
    this.queue = new WorkQueue(engine, name, workers, kSync);
  }

  /**
   * An informer of this controller on `resource` (its own watch, on its client): `onEvent`
   * gets each event's packed argument (watchObject, watchType). `what` names the event kind
   * `<name>.informer.<what>`.
   */
  protected inform(resource: WatchResource, what: string, onEvent: (arg: number) => void): void {
    this.watchCache.inform(resource, `${this.name}.informer.${what}`, this.client, onEvent);
  }

  /** Makes `key`'s per-key rows addressable (a subclass with per-key tables of its own extends it). */
  protected ensureKey(key: number): void {
    this.keys.ensureRow(key);
  }

  /** Records that ReplicaSet-table row `row` holds pods of `key` (a Job's, a DaemonSet's, a StatefulSet revision's). */
  protected holdsPods(row: number, key: number): void {
    while (this.keyOfPodSet.length <= row) this.keyOfPodSet.push(-1);
    this.keyOfPodSet[row] = key;
  }

  /** The key `pod` belongs to, by its owner row (-1: none of this controller's). */
  protected keyOfPod(pod: number): number {
    // A pod without an owner has row -1: not an index into the array.
    const row = this.store.pods.owner[pod]!;
    return row >= 0 && row < this.keyOfPodSet.length ? this.keyOfPodSet[row]! : -1;
  }

  /** One sync of `key`, after its cost has elapsed; ends, now or when its writes are answered, with {@link endSync}. */
  protected abstract syncBody(key: number): void;

  /**
   * model: deployment_controller.go handleErr, replica_set.go processNextWorkItem: a sync that
   * failed is requeued through the rate limiter (AddRateLimited); one that succeeded resets the
   * key's back-off (Forget).
   */
  protected endSync(key: number): void {
    this.queue.done(key);
    if (this.keys.syncFailed[key]) this.queue.addRateLimited(key);
    else this.queue.forget(key);
  }
}
