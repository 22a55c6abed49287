import type { Engine, EventKind } from "../core/engine.js";
import { Sampler } from "../core/distributions.js";
import { columnTable } from "../core/column-table.js";
import { namesOf, type ValueOf } from "../core/names-of.js";
import type { RandomStreams } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import { RingQueue } from "../sync/ring-queue.js";
import type { HostCpu } from "../sync/host-cpu.js";
import type { PodTable } from "../cluster/pod-table.js";
import type { WatchSpec } from "../scenario/sections/watch.js";
import type { ApiServerSpec } from "../scenario/sections/api-server.js";

/** Resources that can be watched. */
export const WatchResource = {
  deployments: 0,
  replicasets: 1,
  pods: 2,
  jobs: 3,
  statefulsets: 4,
  cronjobs: 5,
  daemonsets: 6,
} as const;
export type WatchResource = ValueOf<typeof WatchResource>;
export const WATCH_RESOURCE_NAMES = namesOf(WatchResource);
const RESOURCE_KINDS = WATCH_RESOURCE_NAMES.length;
/**
 * model: a watch event carries the whole object, whatever the write was (a status patch, a
 * binding): the sizes the writers use for whole objects, a Deployment and a ReplicaSet ~3 kB
 * (kubectl's and the deployment controller's writes), a pod ~5 kB (the replicaset controller's
 * create), a Job, a StatefulSet, a CronJob and a DaemonSet ~3 kB (kubectl's create).
 */
const EVENT_OBJECT_BYTES: Readonly<Record<(typeof WATCH_RESOURCE_NAMES)[number], number>> = {
  deployments: 3_000,
  replicasets: 3_000,
  pods: 5_000,
  jobs: 3_000,
  statefulsets: 3_000,
  cronjobs: 3_000,
  daemonsets: 3_000,
};

/** Watch event types, as in the watch API. */
export const WatchEvent = { ADDED: 0, MODIFIED: 1, DELETED: 2 } as const;
export type WatchEvent = ValueOf<typeof WatchEvent>;

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
class ResourceLog extends columnTable(
  {
    object: { type: "Int32", unset: -1 },
    type: "Uint8",
    /** When the event entered the cache (its RecordTime). */
    recordNs: { type: "Float64", unset: NaN },
    /** When the change was committed to etcd. */
    commitNs: { type: "Float64", unset: NaN },
  },
  { appendOnly: true },
) {
  /** The cache window is log positions [windowStart, size). */
  windowStart = 0;
  windowCapacity = WATCH_CACHE_MIN_CAPACITY;
  /** Next log position the dispatcher sends. */
  dispatched = 0;
  /** When the dispatcher is free. */
  freeAtNs = 0;
  /** CPU to encode one of its events (one codec pass over the object). */
  encodeNs = 0;
  wakeArmed = false;
  liveObjects = 0;

  append(object: number, type: WatchEvent, recordNs: number, commitNs: number): void {
    this.resize(recordNs);
    if (this.size - this.windowStart === this.windowCapacity) this.windowStart++;
    const p = this.addRow();
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
    const full = this.size - this.windowStart === this.windowCapacity;
    if (!full) return;
    if (nowNs - this.recordNs[this.windowStart]! < EVENT_FRESH_NS) {
      this.windowCapacity = Math.min(this.windowCapacity * 2, WATCH_CACHE_MAX_CAPACITY);
    } else if (nowNs - this.recordNs[this.size - Math.floor(this.windowCapacity / 4)]! > EVENT_FRESH_NS) {
      const cap = Math.max(Math.floor(this.windowCapacity / 2), WATCH_CACHE_MIN_CAPACITY);
      this.windowStart = this.size - cap;
      this.windowCapacity = cap;
    }
  }

  /**
   * model: watch_cache.go suggestedWatchChannelSize: one second of history (capacity / 75 s),
   * at least 10, at most 10 for indexed triggered watches, 1000 for indexed ones, 100 otherwise.
   */
  channelSize(indexed: boolean, triggered: boolean): number {
    const size = Math.max(MIN_CHAN, Math.ceil(this.windowCapacity / (EVENT_FRESH_NS / NS_PER.s)));
    return Math.min(size, indexed && triggered ? MIN_CHAN : indexed ? MAX_CHAN_INDEXED : MAX_CHAN_UNINDEXED);
  }
}

/** Watchers by id: what they watch, whom to notify, their state, position and channel ring. */
const Watchers = columnTable({
  resource: { type: "Int8", unset: -1 },
  kind: "Int32",
  target: "Int32",
  state: { type: "Uint8", unset: ACTIVE },
  /** Node of a kubelet's pod watcher (-1 for informers of a whole resource). */
  node: { type: "Int32", unset: -1 },
  /** API server replica serving the watch (its client's replica). */
  replica: "Int16",
  /** The API client that watches (its reflector relists as that client). */
  client: { type: "Int32", unset: -1 },
  /** Log position of the next event the watcher has not been sent. */
  next: "Float64",
  /** When the watcher's client will have consumed the last event sent to it. */
  lastDeliveryNs: "Float64",
  /** The watcher's ring in `outstanding`: first slot, head, events in it, size (channel capacity). */
  outStart: "Int32",
  outHead: "Int32",
  outCount: "Int32",
  chan: "Int32",
});
/** Delivery times of events in the watchers' channels (each watcher owns a range). */
const OutstandingDeliveries = columnTable({ atNs: "Float64" });
/** How a reflector's relist reaches the API server: a LIST through its request path. */
export interface RelistPath {
  /**
   * Sends a LIST of `resource` (`objects` objects, `cpuNs` of serving work) from `client`;
   * `replyKind(target, request)` fires when the client has the answer.
   */
  list(
    client: number,
    resource: WatchResource,
    objects: number,
    cpuNs: number,
    replyKind: EventKind,
    target: number,
  ): void;
}

/** A latency {@link DeliveryLatencies} keeps beside its column, not in it. */
const OTHER_LATENCY = 0xffff_ffff;

/**
 * Commit-to-delivery latency of every delivery, for the summary's percentiles. perf: a latency
 * is whole ns under 2^32 - 1 (4.3 s) unless the cache is overloaded, so it takes 4 bytes, not 8
 * (a 2M-pod run delivers 24M events); any other value is kept exactly beside the column.
 */
export class DeliveryLatencies extends columnTable({ latencyNs: "Uint32" }, { appendOnly: true }) {
  private readonly others: number[] = [];

  add(ns: number): void {
    const d = this.addRow();
    if (Number.isInteger(ns) && ns >= 0 && ns < OTHER_LATENCY) this.latencyNs[d] = ns;
    else {
      this.latencyNs[d] = OTHER_LATENCY;
      this.others.push(ns);
    }
  }

  /** Every latency, in no particular order (what percentiles need). */
  values(): ArrayLike<number> {
    const col = this.view("latencyNs");
    if (this.others.length === 0) return col;
    const out = new Float64Array(this.size);
    let j = 0;
    for (let i = 0; i < col.length; i++) if (col[i] !== OTHER_LATENCY) out[j++] = col[i]!;
    for (const x of this.others) out[j++] = x;
    return out;
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
 *
 * model: the fan-out costs the serving replica's CPU ({@link HostCpu}). Each replica's cacher
 * wraps an event in a cachingObject (cacher/caching_object.go), whose CacheEncode encodes it
 * once per encoding and hands the same bytes to every watcher, so a replica spends one encode
 * burst per event (proportional to the object's bytes) if any of its watchers receives it;
 * then each watcher's serveWatch goroutine frames and writes it (`watchSendCost` per watcher).
 * An event reaches its watcher after its send finishes; a relist served from the cache is a
 * burst on the replica too. Replayed events reuse the cached encoding and pay the send only.
 */
export class WatchCache {
  private readonly engine: Engine;
  private readonly pods: PodTable;
  private readonly spec: WatchSpec;
  /** The cores of each API server replica. */
  private readonly cpus: readonly HostCpu[];
  private readonly sendCostNs: number;
  /** Per replica: the dispatch the replica last encoded an event for, and when that encode ends. */
  private readonly encodedFor: Float64Array;
  private readonly encodedAtNs: Float64Array;
  /** Dispatches so far, an id for the event being dispatched. */
  private dispatches = 0;
  private readonly lag: Sampler;
  private readonly delivery: Sampler;
  private readonly kAppend: EventKind;
  private readonly kWake: EventKind;
  private readonly kRewatch: EventKind;
  private readonly kRelisted: EventKind;
  /** The API server's request path for relists; without it a relist is a burst on the replica. */
  private lister: RelistPath | undefined;
  private readonly logs: ResourceLog[] = [];
  private lastCacheNs = 0;
  private readonly pendingCommitNs = new RingQueue();
  private budgetNs = 0;
  private budgetTickNs = 0;
  // Watchers, structure of arrays indexed by watcher id.
  private readonly ws = new Watchers(16);
  /** Delivery times of events still in the watchers' channels: one ring per watcher at `ws.outStart`. */
  private readonly outstanding = new OutstandingDeliveries(1024);
  private outstandingUsed = 0;
  /** Informer watcher ids per resource. */
  private readonly resourceWatchers: number[][] = [];
  /** Kubelet pod watcher per node (-1: none). */
  private readonly nodeWatcher: Int32Array;
  /** Commit-to-delivery latency of every delivery, for the summary. */
  readonly deliveries = new DeliveryLatencies(4096);
  published = 0;
  terminations = 0;
  relists = 0;
  rewatches = 0;
  /** Dispatcher time spent blocked on full watcher channels. */
  blockedNs = 0;

  /**
   * `cpus` are the API server replicas' cores (one HostCpu per replica); `apiserver` gives the
   * codec cost per KiB and the per-watcher send cost.
   */
  constructor(
    engine: Engine,
    random: RandomStreams,
    spec: WatchSpec,
    pods: PodTable,
    nodeCount: number,
    cpus: readonly HostCpu[],
    apiserver: ApiServerSpec,
  ) {
    this.engine = engine;
    this.pods = pods;
    this.spec = spec;
    this.cpus = cpus;
    this.sendCostNs = apiserver.watchSendCostNs;
    this.encodedFor = new Float64Array(cpus.length).fill(-1);
    this.encodedAtNs = new Float64Array(cpus.length);
    this.lag = new Sampler(spec.cacheLag, random.stream("watch-cache/lag"));
    this.delivery = new Sampler(spec.delivery, random.stream("watch-cache/delivery"));
    for (let r = 0; r < RESOURCE_KINDS; r++) {
      const log = new ResourceLog();
      log.encodeNs = Math.round(
        (EVENT_OBJECT_BYTES[WATCH_RESOURCE_NAMES[r]!] / 1024) * (apiserver.serializationPerKiBNs / 2),
      );
      this.logs.push(log);
      this.resourceWatchers.push([]);
    }
    this.nodeWatcher = new Int32Array(nodeCount).fill(-1);
    this.kAppend = engine.register("watch-cache.append", (resource, arg) => this.onAppend(resource, arg));
    this.kWake = engine.register("watch-cache.dispatch", (resource) => this.onWake(resource));
    this.kRewatch = engine.register("watch-cache.rewatch", (w) => this.onRewatch(w));
    this.kRelisted = engine.register("watch-cache.relisted", (w) => this.resume(w, this.engine.now));
  }

  /**
   * Relists go through the API server from now on (it is built after the cache, so the
   * assembly attaches it).
   */
  attachLister(lister: RelistPath): void {
    this.lister = lister;
  }

  /**
   * An informer of client `client` on a whole resource: registers the event kind `name`, which
   * hands each event's packed argument (watchObject, watchType) to `onEvent`, and watches with it.
   */
  inform(resource: WatchResource, name: string, client: number, onEvent: (arg: number) => void): number {
    const kind = this.engine.register(name, (_t, arg) => onEvent(arg));
    return this.watch(resource, kind, 0, client);
  }

  /**
   * Adds an informer watch on a whole resource by API client `client` (served by the client's
   * replica); events arrive as `kind(target, packWatch(...))`.
   */
  watch(resource: WatchResource, kind: EventKind, target: number, client: number): number {
    // model: pods carry a nodeName index, so an unfiltered pod watch is "indexed, not triggered".
    const w = this.addWatcher(resource, kind, target, -1, resource === WatchResource.pods, client);
    this.resourceWatchers[resource]!.push(w);
    return w;
  }

  /** Adds a kubelet's watch (client `client`) on pods bound to `node` (fieldSelector spec.nodeName=node). */
  watchPodsOnNode(node: number, kind: EventKind, target: number, client: number): number {
    const w = this.addWatcher(WatchResource.pods, kind, target, node, true, client);
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
    return { capacity: log.windowCapacity, events: log.size - log.windowStart };
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
    this.dispatches++;
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
    if (this.ws.state[w] !== ACTIVE) return t;
    t += this.spec.perDeliveryCostNs;
    this.drain(w, t);
    if (this.ws.outCount[w]! >= this.ws.chan[w]!) {
      // The channel is full: wait for the client to take one event, within the time budget.
      this.refreshBudget(t);
      const wait = this.outstanding.atNs[this.ws.outStart[w]! + this.ws.outHead[w]!]! - t;
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

  /**
   * Schedules the client-side receipt of event `p` by watcher `w`, handed to it at `t`: on the
   * watcher's replica the event is encoded (once per dispatch), then sent to the watcher.
   */
  private deliver(w: number, log: ResourceLog, p: number, t: number): void {
    const k = this.ws.replica[w]!;
    const cpu = this.cpus[k]!;
    if (this.encodedFor[k] !== this.dispatches) {
      this.encodedFor[k] = this.dispatches;
      this.encodedAtNs[k] = cpu.run(t, log.encodeNs);
    }
    const sent = cpu.run(Math.max(t, this.encodedAtNs[k]!), this.sendCostNs);
    const at = Math.max(this.ws.lastDeliveryNs[w]! + this.spec.clientEventCostNs, sent + this.delivery.sample());
    this.ws.lastDeliveryNs[w] = at;
    const chan = this.ws.chan[w]!;
    const count = this.ws.outCount[w]!;
    this.outstanding.atNs[this.ws.outStart[w]! + ((this.ws.outHead[w]! + count) % chan)] = at;
    this.ws.outCount[w] = count + 1;
    this.ws.next[w] = p + 1;
    this.deliveries.add(at - log.commitNs[p]!);
    this.engine.scheduleAt(
      at,
      this.ws.kind[w]! as EventKind,
      this.ws.target[w]!,
      packWatch(log.object[p]!, log.type[p]! as WatchEvent),
    );
  }

  /** Drops from `w`'s channel the events its client has consumed by `t`. */
  private drain(w: number, t: number): void {
    const start = this.ws.outStart[w]!;
    const chan = this.ws.chan[w]!;
    let head = this.ws.outHead[w]!;
    let count = this.ws.outCount[w]!;
    while (count > 0 && this.outstanding.atNs[start + head]! <= t) {
      head = (head + 1) % chan;
      count--;
    }
    this.ws.outHead[w] = head;
    this.ws.outCount[w] = count;
  }

  /** model: cacher.go dispatchEvent: "Forcing watcher close due to unresponsiveness". */
  private terminate(w: number, t: number): void {
    this.ws.state[w] = TERMINATED;
    this.terminations++;
    this.engine.scheduleAt(Math.max(this.engine.now, Math.round(t)) + this.spec.rewatchDelayNs, this.kRewatch, w);
  }

  /**
   * The reflector watches again from its last resourceVersion. Still in the window: the new
   * watch replays the missed events. Fallen out of it: 410 Gone, so it relists first (cost per
   * live object), then receives the difference, which we deliver as the missed events.
   */
  private onRewatch(w: number): void {
    const log = this.logs[this.ws.resource[w]!]!;
    let t = this.engine.now;
    if (this.ws.next[w]! < log.windowStart) {
      this.relists++;
      const cpuNs = log.liveObjects * this.spec.relistCostPerObjectNs;
      if (this.lister !== undefined) {
        // model: the reflector's LIST is a request like any other: its client, APF (seats
        // from the object count, list_work_estimator.go), the replica's cores; served from
        // the watch cache. (v1.30 reflectors relist with resourceVersion "" after a 410,
        // a quorum read from etcd unless ConsistentListFromCache, beta in v1.31, is on.)
        this.lister.list(
          this.ws.client[w]!,
          this.ws.resource[w]! as WatchResource,
          log.liveObjects,
          cpuNs,
          this.kRelisted,
          w,
        );
        return;
      }
      t = this.cpus[this.ws.replica[w]!]!.run(t, cpuNs);
    } else {
      this.rewatches++;
    }
    this.resume(w, t);
  }

  /** The new watch starts at `t` and replays what the watcher missed. */
  private resume(w: number, t: number): void {
    const log = this.logs[this.ws.resource[w]!]!;
    this.ws.state[w] = ACTIVE;
    this.ws.outCount[w] = 0;
    this.ws.lastDeliveryNs[w] = Math.max(this.ws.lastDeliveryNs[w]!, t);
    const node = this.ws.node[w]!;
    const end = Math.min(log.dispatched, log.size);
    for (let p = this.ws.next[w]!; p < end; p++) {
      if (node >= 0 && this.pods.node[log.object[p]!] !== node) continue;
      this.deliverReplay(w, log, p, t);
    }
    this.ws.next[w] = end;
  }

  /**
   * Replayed events bypass the channel bound: the new watcher's own goroutine sends them, each
   * a send burst on its replica (the encoding is the cached one).
   */
  private deliverReplay(w: number, log: ResourceLog, p: number, t: number): void {
    const sent = this.cpus[this.ws.replica[w]!]!.run(t, this.sendCostNs);
    const at = Math.max(this.ws.lastDeliveryNs[w]! + this.spec.clientEventCostNs, sent);
    this.ws.lastDeliveryNs[w] = at;
    this.deliveries.add(at - log.commitNs[p]!);
    this.engine.scheduleAt(
      Math.round(at),
      this.ws.kind[w]! as EventKind,
      this.ws.target[w]!,
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

  private addWatcher(
    resource: WatchResource,
    kind: EventKind,
    target: number,
    node: number,
    indexed: boolean,
    client: number,
  ): number {
    const triggered = node >= 0;
    const w = this.ws.addRow();
    const log = this.logs[resource]!;
    // model: a watcher's channel size is fixed when it starts; the window then is at its minimum
    // for a new cluster, which gives the upstream floor of 10. Informers of all pods get the
    // indexed maximum as the cache grows: we size them at the maximum their kind allows.
    const chan = triggered ? log.channelSize(true, true) : indexed ? MAX_CHAN_INDEXED : MAX_CHAN_UNINDEXED;
    this.outstanding.ensureRow(this.outstandingUsed + chan - 1);
    this.ws.resource[w] = resource;
    this.ws.kind[w] = kind;
    this.ws.target[w] = target;
    this.ws.state[w] = ACTIVE;
    this.ws.node[w] = node;
    // model: a client keeps one HTTP/2 connection, so its watches are on its requests' replica.
    this.ws.replica[w] = client % this.cpus.length;
    this.ws.client[w] = client;
    this.ws.next[w] = log.size;
    this.ws.lastDeliveryNs[w] = 0;
    this.ws.outStart[w] = this.outstandingUsed;
    this.ws.outHead[w] = 0;
    this.ws.outCount[w] = 0;
    this.ws.chan[w] = chan;
    this.outstandingUsed += chan;
    return w;
  }
}
