import type { Engine, EventKind } from "../core/engine.js";
import { Sampler } from "../core/distributions.js";
import { growF64, growI32, growU8 } from "../core/grow.js";
import type { RandomStreams } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import { RingQueue } from "../sync/ring-queue.js";
import type { PodTable } from "../cluster/pod-table.js";
import type { WatchSpec } from "../scenario/sections/watch.js";

/** Resources that can be watched. */
export const WatchResource = { deployments: 0, replicasets: 1, pods: 2 } as const;
export type WatchResource = (typeof WatchResource)[keyof typeof WatchResource];
export const WATCH_RESOURCE_NAMES = ["deployments", "replicasets", "pods"] as const;
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

/** model: cacher/watch_cache.go defaultLowerBoundCapacity = 100. */
export const WATCH_CACHE_MIN_CAPACITY = 100;
/** model: cacher/watch_cache.go defaultUpperBoundCapacity = 100 * 1024. */
export const WATCH_CACHE_MAX_CAPACITY = 100 * 1024;
/** model: cacher/watch_cache.go eventFreshDuration = 75 s. */
export const EVENT_FRESH_NS = 75 * NS_PER.s;
/** model: cacher/watch_cache.go minWatchChanSize = 10 (also the max for indexed, triggered watches). */
const MIN_CHAN = 10;
/** model: maxWatchChanSizeWithIndexWithoutTrigger = 1000 (pods have a nodeName index). */
const MAX_CHAN_INDEXED = 1000;
/** model: maxWatchChanSizeWithoutIndex = 100. */
const MAX_CHAN_UNINDEXED = 100;
/** model: cacher/time_budget.go refreshPerSecond = 50 ms, maxBudget = 100 ms. */
const BUDGET_REFRESH_NS = 50 * NS_PER.ms;
const BUDGET_MAX_NS = 100 * NS_PER.ms;

const ACTIVE = 0;
const TERMINATED = 1;

/** Per-resource event log, dispatcher state and sliding-window capacity. */
class ResourceLog {
  size = 0;
  object = new Int32Array(1024);
  type = new Uint8Array(1024);
  /** When the event entered the cache (its RecordTime). */
  recordNs = new Float64Array(1024);
  /** When the change was committed to etcd. */
  commitNs = new Float64Array(1024);
  /** The cache window is log positions [windowStart, size). */
  windowStart = 0;
  capacity = WATCH_CACHE_MIN_CAPACITY;
  /** Next log position the dispatcher sends. */
  dispatched = 0;
  /** When the dispatcher is free. */
  freeAtNs = 0;
  wakeArmed = false;
  liveObjects = 0;

  append(object: number, type: WatchEvent, recordNs: number, commitNs: number): void {
    if (this.size === this.object.length) {
      const cap = this.size * 2;
      this.object = growI32(this.object, cap);
      this.type = growU8(this.type, cap);
      this.recordNs = growF64(this.recordNs, cap);
      this.commitNs = growF64(this.commitNs, cap);
    }
    this.resize(recordNs);
    if (this.size - this.windowStart === this.capacity) this.windowStart++;
    const p = this.size++;
    this.object[p] = object;
    this.type[p] = type;
    this.recordNs[p] = recordNs;
    this.commitNs[p] = commitNs;
    this.liveObjects += type === WatchEvent.ADDED ? 1 : type === WatchEvent.DELETED ? -1 : 0;
  }

  /**
   * model: watch_cache.go resizeCacheLocked: a full window doubles (up to the upper bound) when
   * its oldest event is younger than eventFreshDuration, and halves (down to the lower bound)
   * when its newest quarter is already older than that.
   */
  private resize(nowNs: number): void {
    const full = this.size - this.windowStart === this.capacity;
    if (!full) return;
    if (nowNs - this.recordNs[this.windowStart]! < EVENT_FRESH_NS) {
      this.capacity = Math.min(this.capacity * 2, WATCH_CACHE_MAX_CAPACITY);
    } else if (nowNs - this.recordNs[this.size - Math.floor(this.capacity / 4)]! > EVENT_FRESH_NS) {
      const cap = Math.max(Math.floor(this.capacity / 2), WATCH_CACHE_MIN_CAPACITY);
      this.windowStart = this.size - cap;
      this.capacity = cap;
    }
  }

  /**
   * model: watch_cache.go suggestedWatchChannelSize: one second of history (capacity / 75 s),
   * at least 10, at most 10 for indexed triggered watches, 1000 for indexed ones, 100 otherwise.
   */
  channelSize(indexed: boolean, triggered: boolean): number {
    const size = Math.max(MIN_CHAN, Math.ceil(this.capacity / (EVENT_FRESH_NS / NS_PER.s)));
    return Math.min(size, indexed && triggered ? MIN_CHAN : indexed ? MAX_CHAN_INDEXED : MAX_CHAN_UNINDEXED);
  }
}

/**
 * The API server's watch cache (cacher) and its fan-out to watchers, as upstream runs it.
 *
 * A committed change enters the cache after a lag, in commit order. One dispatcher per resource
 * sends each event, serially, to the watchers it concerns: informers of the whole resource, and
 * for a pod the one kubelet watching that node (the nodeName index and trigger), so fan-out is
 * O(1) in the number of nodes. Each send costs dispatcher time; each watcher has a bounded
 * channel drained by its client at the client's pace. When a channel is full the dispatcher
 * waits, within a time budget refreshed at 50 ms per second up to 100 ms; a watcher still
 * blocked when the budget runs out is terminated, and its reflector watches again after a
 * delay: from its last resourceVersion if that is still in the cache window, otherwise by a
 * full relist (410 Gone). Either way it then receives the events it missed.
 */
export class WatchCache {
  private readonly engine: Engine;
  private readonly pods: PodTable;
  private readonly spec: WatchSpec;
  private readonly lag: Sampler;
  private readonly delivery: Sampler;
  private readonly kAppend: EventKind;
  private readonly kWake: EventKind;
  private readonly kRewatch: EventKind;
  private readonly logs: ResourceLog[] = [];
  private lastCacheNs = 0;
  private readonly pendingCommitNs = new RingQueue();
  private budgetNs = 0;
  private budgetTickNs = 0;
  // Watchers, structure of arrays indexed by watcher id.
  private watchers = 0;
  private wResource = new Int8Array(16);
  private wKind = new Int32Array(16);
  private wTarget = new Int32Array(16);
  private wState = new Uint8Array(16);
  /** Node of a kubelet's pod watcher (-1 for informers of a whole resource). */
  private wNode = new Int32Array(16);
  /** Log position of the next event the watcher has not been sent. */
  private wNext = new Float64Array(16);
  /** When the watcher's client will have consumed the last event sent to it. */
  private wLastDeliveryNs = new Float64Array(16);
  /** Delivery times of events still in the watcher's channel: a ring per watcher. */
  private wOutStart = new Int32Array(16);
  private wOutHead = new Int32Array(16);
  private wOutCount = new Int32Array(16);
  private wChan = new Int32Array(16);
  private outstanding = new Float64Array(1024);
  private outstandingUsed = 0;
  /** Informer watcher ids per resource. */
  private readonly resourceWatchers: number[][] = [];
  /** Kubelet pod watcher per node (-1: none). */
  private readonly nodeWatcher: Int32Array;
  /** Commit-to-delivery latency of every delivery, for the summary. */
  deliveryLatencyNs = new Float64Array(4096);
  deliveries = 0;
  published = 0;
  terminations = 0;
  relists = 0;
  rewatches = 0;
  /** Dispatcher time spent blocked on full watcher channels. */
  blockedNs = 0;

  constructor(engine: Engine, random: RandomStreams, spec: WatchSpec, pods: PodTable, nodeCount: number) {
    this.engine = engine;
    this.pods = pods;
    this.spec = spec;
    this.lag = new Sampler(spec.cacheLag, random.stream("watch-cache/lag"));
    this.delivery = new Sampler(spec.delivery, random.stream("watch-cache/delivery"));
    for (let r = 0; r < RESOURCE_KINDS; r++) {
      this.logs.push(new ResourceLog());
      this.resourceWatchers.push([]);
    }
    this.nodeWatcher = new Int32Array(nodeCount).fill(-1);
    this.kAppend = engine.register("watch-cache.append", (resource, arg) => this.onAppend(resource, arg));
    this.kWake = engine.register("watch-cache.dispatch", (resource) => this.onWake(resource));
    this.kRewatch = engine.register("watch-cache.rewatch", (w) => this.onRewatch(w));
  }

  /** Adds an informer watch on a whole resource; events arrive as `kind(target, packWatch(...))`. */
  watch(resource: WatchResource, kind: EventKind, target: number): number {
    // model: pods carry a nodeName index, so an unfiltered pod watch is "indexed, not triggered".
    const w = this.addWatcher(resource, kind, target, -1, resource === WatchResource.pods);
    this.resourceWatchers[resource]!.push(w);
    return w;
  }

  /** Adds a kubelet's watch on pods bound to `node` (fieldSelector spec.nodeName=node). */
  watchPodsOnNode(node: number, kind: EventKind, target: number): number {
    const w = this.addWatcher(WatchResource.pods, kind, target, node, true);
    this.nodeWatcher[node] = w;
    return w;
  }

  /** A change committed now: it enters the cache after the lag, in commit order. */
  publish(resource: WatchResource, object: number, type: WatchEvent): void {
    this.published++;
    const t = Math.max(this.lastCacheNs, this.engine.now + this.lag.sample());
    this.lastCacheNs = t;
    // Appends fire in publish order (non-decreasing times, FIFO ties), so commit times queue up.
    this.pendingCommitNs.push(this.engine.now);
    this.engine.scheduleAt(t, this.kAppend, resource, packWatch(object, type));
  }

  /** Events in the cache window of a resource (its current capacity and fill). */
  window(resource: WatchResource): { capacity: number; events: number } {
    const log = this.logs[resource]!;
    return { capacity: log.capacity, events: log.size - log.windowStart };
  }

  private onAppend(resource: number, arg: number): void {
    const log = this.logs[resource]!;
    log.append(watchObject(arg), watchType(arg), this.engine.now, this.pendingCommitNs.shift());
    this.pump(resource, log);
  }

  private onWake(resource: number): void {
    const log = this.logs[resource]!;
    log.wakeArmed = false;
    this.pump(resource, log);
  }

  /** Dispatches pending events while the dispatcher is free now; otherwise arms a wake-up. */
  private pump(resource: number, log: ResourceLog): void {
    const now = this.engine.now;
    while (log.dispatched < log.size && log.freeAtNs <= now) {
      log.freeAtNs = this.dispatch(resource, log, log.dispatched++, Math.max(now, log.freeAtNs));
    }
    if (log.dispatched < log.size && !log.wakeArmed) {
      log.wakeArmed = true;
      this.engine.scheduleAt(log.freeAtNs, this.kWake, resource);
    }
  }

  /** Sends log event `p` to its watchers starting at `t`; returns when the dispatcher is free. */
  private dispatch(resource: number, log: ResourceLog, p: number, t: number): number {
    t += this.spec.dispatchCostNs;
    const list = this.resourceWatchers[resource]!;
    for (let i = 0; i < list.length; i++) t = this.send(list[i]!, log, p, t);
    if (resource === WatchResource.pods) {
      const node = this.pods.node[log.object[p]!]!;
      if (node >= 0) {
        const w = this.nodeWatcher[node]!;
        if (w >= 0) t = this.send(w, log, p, t);
      }
    }
    return t;
  }

  /** One send into watcher `w`'s channel at time `t`; returns the dispatcher's time after it. */
  private send(w: number, log: ResourceLog, p: number, t: number): number {
    if (this.wState[w] !== ACTIVE) return t;
    t += this.spec.perDeliveryCostNs;
    this.drain(w, t);
    if (this.wOutCount[w]! >= this.wChan[w]!) {
      // The channel is full: wait for the client to take one event, within the time budget.
      this.refreshBudget(t);
      const wait = this.outstanding[this.wOutStart[w]! + this.wOutHead[w]!]! - t;
      if (wait > this.budgetNs) {
        this.blockedNs += this.budgetNs;
        t += this.budgetNs;
        this.budgetNs = 0;
        this.terminate(w, t);
        return t;
      }
      this.budgetNs -= wait;
      this.blockedNs += wait;
      t += wait;
      this.drain(w, t);
    }
    this.deliver(w, log, p, t);
    return t;
  }

  /** Schedules the client-side receipt of event `p` by watcher `w`, sent at `t`. */
  private deliver(w: number, log: ResourceLog, p: number, t: number): void {
    const at = Math.max(this.wLastDeliveryNs[w]! + this.spec.clientEventCostNs, t + this.delivery.sample());
    this.wLastDeliveryNs[w] = at;
    const chan = this.wChan[w]!;
    const count = this.wOutCount[w]!;
    this.outstanding[this.wOutStart[w]! + ((this.wOutHead[w]! + count) % chan)] = at;
    this.wOutCount[w] = count + 1;
    this.wNext[w] = p + 1;
    if (this.deliveries === this.deliveryLatencyNs.length)
      this.deliveryLatencyNs = growF64(this.deliveryLatencyNs, this.deliveries * 2);
    this.deliveryLatencyNs[this.deliveries++] = at - log.commitNs[p]!;
    this.engine.scheduleAt(
      at,
      this.wKind[w]! as EventKind,
      this.wTarget[w]!,
      packWatch(log.object[p]!, log.type[p]! as WatchEvent),
    );
  }

  /** Drops from `w`'s channel the events its client has consumed by `t`. */
  private drain(w: number, t: number): void {
    const start = this.wOutStart[w]!;
    const chan = this.wChan[w]!;
    let head = this.wOutHead[w]!;
    let count = this.wOutCount[w]!;
    while (count > 0 && this.outstanding[start + head]! <= t) {
      head = (head + 1) % chan;
      count--;
    }
    this.wOutHead[w] = head;
    this.wOutCount[w] = count;
  }

  /** model: cacher.go dispatchEvent: "Forcing watcher close due to unresponsiveness". */
  private terminate(w: number, t: number): void {
    this.wState[w] = TERMINATED;
    this.terminations++;
    this.engine.scheduleAt(Math.max(this.engine.now, Math.round(t)) + this.spec.rewatchDelayNs, this.kRewatch, w);
  }

  /**
   * The reflector watches again from its last resourceVersion. Still in the window: the new
   * watch replays the missed events. Fallen out of it: 410 Gone, so it relists first (cost per
   * live object), then receives the difference, which we deliver as the missed events.
   */
  private onRewatch(w: number): void {
    const log = this.logs[this.wResource[w]!]!;
    let t = this.engine.now;
    if (this.wNext[w]! < log.windowStart) {
      this.relists++;
      t += log.liveObjects * this.spec.relistCostPerObjectNs;
    } else {
      this.rewatches++;
    }
    this.wState[w] = ACTIVE;
    this.wOutCount[w] = 0;
    this.wLastDeliveryNs[w] = Math.max(this.wLastDeliveryNs[w]!, t);
    const node = this.wNode[w]!;
    const end = Math.min(log.dispatched, log.size);
    for (let p = this.wNext[w]!; p < end; p++) {
      if (node >= 0 && this.pods.node[log.object[p]!] !== node) continue;
      this.deliverReplay(w, log, p, t);
    }
    this.wNext[w] = end;
  }

  /** Replayed events bypass the channel bound: the new watcher's own goroutine sends them. */
  private deliverReplay(w: number, log: ResourceLog, p: number, t: number): void {
    const at = Math.max(this.wLastDeliveryNs[w]! + this.spec.clientEventCostNs, t);
    this.wLastDeliveryNs[w] = at;
    if (this.deliveries === this.deliveryLatencyNs.length)
      this.deliveryLatencyNs = growF64(this.deliveryLatencyNs, this.deliveries * 2);
    this.deliveryLatencyNs[this.deliveries++] = at - log.commitNs[p]!;
    this.engine.scheduleAt(
      Math.round(at),
      this.wKind[w]! as EventKind,
      this.wTarget[w]!,
      packWatch(log.object[p]!, log.type[p]! as WatchEvent),
    );
  }

  /** model: time_budget.go: +50 ms every second, capped at 100 ms. */
  private refreshBudget(t: number): void {
    const ticks = Math.floor((t - this.budgetTickNs) / NS_PER.s);
    if (ticks > 0) {
      this.budgetNs = Math.min(BUDGET_MAX_NS, this.budgetNs + ticks * BUDGET_REFRESH_NS);
      this.budgetTickNs += ticks * NS_PER.s;
    }
  }

  private addWatcher(resource: WatchResource, kind: EventKind, target: number, node: number, indexed: boolean): number {
    const triggered = node >= 0;
    if (this.watchers === this.wKind.length) {
      const cap = this.watchers * 2;
      const r = new Int8Array(cap);
      r.set(this.wResource);
      this.wResource = r;
      this.wKind = growI32(this.wKind, cap);
      this.wTarget = growI32(this.wTarget, cap);
      this.wState = growU8(this.wState, cap);
      this.wNode = growI32(this.wNode, cap);
      this.wNext = growF64(this.wNext, cap);
      this.wLastDeliveryNs = growF64(this.wLastDeliveryNs, cap);
      this.wOutStart = growI32(this.wOutStart, cap);
      this.wOutHead = growI32(this.wOutHead, cap);
      this.wOutCount = growI32(this.wOutCount, cap);
      this.wChan = growI32(this.wChan, cap);
    }
    const w = this.watchers++;
    const log = this.logs[resource]!;
    // model: a watcher's channel size is fixed when it starts; the window then is at its minimum
    // for a new cluster, which gives the upstream floor of 10. Informers of all pods get the
    // indexed maximum as the cache grows: we size them at the maximum their kind allows.
    const chan = triggered ? log.channelSize(true, true) : indexed ? MAX_CHAN_INDEXED : MAX_CHAN_UNINDEXED;
    if (this.outstandingUsed + chan > this.outstanding.length)
      this.outstanding = growF64(this.outstanding, Math.max(this.outstanding.length * 2, this.outstandingUsed + chan));
    this.wResource[w] = resource;
    this.wKind[w] = kind;
    this.wTarget[w] = target;
    this.wState[w] = ACTIVE;
    this.wNode[w] = node;
    this.wNext[w] = log.size;
    this.wLastDeliveryNs[w] = 0;
    this.wOutStart[w] = this.outstandingUsed;
    this.wOutHead[w] = 0;
    this.wOutCount[w] = 0;
    this.wChan[w] = chan;
    this.outstandingUsed += chan;
    return w;
  }
}
