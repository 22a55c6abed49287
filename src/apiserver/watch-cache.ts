import type { Engine, EventKind } from "../core/engine.js";
import { Sampler } from "../core/distributions.js";
import type { RandomStreams } from "../core/random.js";
import type { PodTable } from "../cluster/pod-table.js";
import type { WatchSpec } from "../scenario/types.js";

/** Resources that can be watched. */
export const WatchResource = { deployments: 0, replicasets: 1, pods: 2 } as const;
export type WatchResource = (typeof WatchResource)[keyof typeof WatchResource];
const RESOURCE_KINDS = 3;

/** Watch event types, as in the watch API. */
export const WatchEvent = { ADDED: 0, MODIFIED: 1, DELETED: 2 } as const;
export type WatchEvent = (typeof WatchEvent)[keyof typeof WatchEvent];

/** Packs (object, event type) into the one number a watcher's handler receives. */
export function packWatch(object: number, type: WatchEvent): number {
  return object * 4 + type;
}
export function watchObject(arg: number): number {
  return Math.floor(arg / 4);
}
export function watchType(arg: number): WatchEvent {
  return (arg % 4) as WatchEvent;
}

/**
 * The API server's watch cache and its fan-out to watchers.
 *
 * A committed change reaches the cache after a lag, then every interested watcher after a
 * delivery latency. Order is kept as a real watch keeps it: the cache applies events in commit
 * order, and each watcher receives its events in cache order (a sample that would overtake an
 * earlier event waits behind it). Kubelets' pod watchers are indexed by node, so a pod event
 * reaches its kubelet in O(1), not by scanning all watchers.
 */
export class WatchCache {
  private readonly engine: Engine;
  private readonly pods: PodTable;
  private readonly lag: Sampler;
  private readonly delivery: Sampler;
  private readonly cacheKind: EventKind;
  private lastCacheNs = 0;
  /** Informer watchers per resource: handler kinds and targets. */
  private readonly watcherKind: number[][] = [];
  private readonly watcherTarget: number[][] = [];
  private readonly watcherId: number[][] = [];
  /** Per watcher id: time its last event is delivered (to keep each stream in order). */
  private lastDeliveryNs: Float64Array;
  private watchers = 0;
  /** Kubelet pod watchers by node: kind, target, watcher id (-1: none). */
  private readonly nodeWatcherKind: Int32Array;
  private readonly nodeWatcherTarget: Int32Array;
  private readonly nodeWatcherId: Int32Array;
  /** Events published and deliveries made, for the summary. */
  published = 0;
  delivered = 0;

  constructor(engine: Engine, random: RandomStreams, spec: WatchSpec, pods: PodTable, nodeCount: number) {
    this.engine = engine;
    this.pods = pods;
    this.lag = new Sampler(spec.cacheLag, random.stream("watch-cache/lag"));
    this.delivery = new Sampler(spec.delivery, random.stream("watch-cache/delivery"));
    for (let r = 0; r < RESOURCE_KINDS; r++) {
      this.watcherKind.push([]);
      this.watcherTarget.push([]);
      this.watcherId.push([]);
    }
    this.lastDeliveryNs = new Float64Array(16);
    this.nodeWatcherKind = new Int32Array(nodeCount);
    this.nodeWatcherTarget = new Int32Array(nodeCount);
    this.nodeWatcherId = new Int32Array(nodeCount).fill(-1);
    this.cacheKind = engine.register("watch-cache.event", (target, arg) => this.onCacheEvent(target, arg));
  }

  /** Adds an informer watch on a whole resource; events arrive as `kind(target, packWatch(...))`. */
  watch(resource: WatchResource, kind: EventKind, target: number): void {
    this.watcherKind[resource]!.push(kind);
    this.watcherTarget[resource]!.push(target);
    this.watcherId[resource]!.push(this.newWatcherId());
  }

  /** Adds a kubelet's watch on pods bound to `node` (fieldSelector spec.nodeName=node). */
  watchPodsOnNode(node: number, kind: EventKind, target: number): void {
    this.nodeWatcherKind[node] = kind;
    this.nodeWatcherTarget[node] = target;
    this.nodeWatcherId[node] = this.newWatcherId();
  }

  /** A change committed now: it reaches the cache after the lag, in commit order. */
  publish(resource: WatchResource, object: number, type: WatchEvent): void {
    this.published++;
    const t = Math.max(this.lastCacheNs, this.engine.now + this.lag.sample());
    this.lastCacheNs = t;
    this.engine.scheduleAt(t, this.cacheKind, resource, packWatch(object, type));
  }

  private onCacheEvent(resource: number, arg: number): void {
    const kinds = this.watcherKind[resource]!;
    const targets = this.watcherTarget[resource]!;
    const ids = this.watcherId[resource]!;
    for (let i = 0; i < kinds.length; i++) this.deliver(ids[i]!, kinds[i]!, targets[i]!, arg);
    if (resource === WatchResource.pods) {
      const node = this.pods.node[watchObject(arg)]!;
      if (node >= 0 && this.nodeWatcherId[node]! >= 0) {
        this.deliver(this.nodeWatcherId[node]!, this.nodeWatcherKind[node]!, this.nodeWatcherTarget[node]!, arg);
      }
    }
  }

  private deliver(watcher: number, kind: number, target: number, arg: number): void {
    const t = Math.max(this.lastDeliveryNs[watcher]!, this.engine.now + this.delivery.sample());
    this.lastDeliveryNs[watcher] = t;
    this.delivered++;
    this.engine.scheduleAt(t, kind as EventKind, target, arg);
  }

  private newWatcherId(): number {
    if (this.watchers === this.lastDeliveryNs.length) {
      const next = new Float64Array(this.watchers * 2);
      next.set(this.lastDeliveryNs);
      this.lastDeliveryNs = next;
    }
    return this.watchers++;
  }
}
