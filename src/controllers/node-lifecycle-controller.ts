import type { NodeIdx, PodIdx } from "../cluster/ids.js";
import type { ValueOf } from "../core/names-of.js";
import type { NodeTable } from "../cluster/node-table.js";
import { PodReason, type PodTable } from "../cluster/pod-table.js";
import { Sampler, type DistSpec } from "../core/distributions.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import type { ApiServer } from "../apiserver/api-server.js";
import type { ApiClients } from "../apiserver/clients.js";
import { PodDelete } from "../apiserver/object-store.js";
import { DELETE_BYTES, Resource, Verb } from "../apiserver/request-table.js";
import type { Interner } from "../cluster/interner.js";
import type { NodeLifecycleSpec } from "../scenario/sections/kubelet.js";
import type { NodeChangeListener } from "../node/node-events.js";
import type { NodePodTemplates } from "../node/node-templates.js";
import type { PodsByNode } from "../node/pods-by-node.js";
import { nextTick } from "../node/volume-manager.js";
import type { AllRunningCondition } from "../sim/all-running.js";
import { columnTable } from "../core/column-table.js";
import { AllowBuckets } from "../sync/allow-buckets.js";

/** model: pkg/controller/nodelifecycle/scheduler/rate_limited_queue.go NodeEvictionPeriod = 100 ms. */
export const NODE_EVICTION_PERIOD_NS = 100 * NS_PER.ms;
/** model: rate_limited_queue.go EvictionRateLimiterBurst = 1. */
const EVICTION_BURST = 1;
/** model: (assumed) a pod status patch size. */
const STATUS_BYTES = 2_000;

/** Zone states, as node_lifecycle_controller.go names them. */
export const ZoneState = { Normal: 0, PartialDisruption: 1, FullDisruption: 2 } as const;
export type ZoneState = ValueOf<typeof ZoneState>;

/** What {@link NodeLifecycleController} is built from. */
export interface NodeLifecycleDeps {
  engine: Engine;
  random: RandomStreams;
  spec: NodeLifecycleSpec;
  nodes: NodeTable;
  pods: PodTable;
  api: ApiServer;
  clients: ApiClients;
  /** qps/burst of kube-controller-manager's rest config; each controller builds its own client from it. */
  controllerQps: number;
  controllerBurst: number;
  podsByNode: PodsByNode;
  /** Zone index of each node (region/zone labels). */
  zoneOf: Int32Array;
  /** Node-side pod templates: how long each pod tolerates the unreachable NoExecute taint. */
  podTemplates: NodePodTemplates;
  /** The GET of a pod before the taint-eviction controller patches it (round trip). */
  getLatency: DistSpec;
  /** Told when a node's readiness changes (the scheduler's node events). */
  nodeChanges: NodeChangeListener;
  /** Waits for the controller to settle ({@link NodeLifecycleController.pending} 0) before judging "all Running". */
  allRunning: AllRunningCondition;
}

/** Per pod: when its taint eviction is due (NaN: none). */
const PodEvictions = columnTable({ atNs: { type: "Float64", unset: NaN } });

/**
 * kube-controller-manager's node lifecycle controller and taint-eviction controller, for nodes
 * that stop (a `failNodes` step).
 *
 * model: pkg/controller/nodelifecycle/node_lifecycle_controller.go:
 * - the kubelet renews its Lease every leaseRenewInterval; a failed node renews no more. Every
 *   nodeMonitorPeriod, monitorNodeHealth sets a node's probeTimestamp to now when it sees a
 *   newer lease, and marks NodeReady Unknown once now is past probeTimestamp + grace period;
 *   the node then carries `node.kubernetes.io/unreachable:NoSchedule` at once (here:
 *   NodeTable.ready = 0) and its pods are marked NotReady (MarkPodsNotReady: one status update
 *   per pod through the node-controller's client).
 * - the NoExecute taint is applied through one RateLimitedTimedQueue per zone, drained every
 *   100 ms with a token bucket (burst 1) at --node-eviction-rate (0.1 nodes/s) while the zone
 *   is Normal or FullDisruption; a PartialDisruption zone (more than 2 and >= 55% NotReady)
 *   uses --secondary-node-eviction-rate if larger than --large-cluster-size-threshold, else 0;
 *   when every zone is FullDisruption all tainting stops (handleDisruption, setLimiterInZone,
 *   ReducedQPSFunc, HealthyQPSFunc; SwapLimiter starts the new bucket drained if the old one was).
 * pkg/controller/tainteviction/taint_eviction.go: each pod on a NoExecute-tainted node is
 * deleted after its toleration (DefaultTolerationSeconds gives 300 s) by
 * addConditionAndDeletePod: GET, PATCH the DisruptionTarget condition (reason
 * DeletionByTaintManager), then DELETE, through the taint-eviction-controller's own client.
 * The pods then stay Terminating: their kubelet is gone and cannot finish them.
 */
export class NodeLifecycleController {
  readonly spec: NodeLifecycleSpec;
  /** When each node failed, stopped being Ready (Unknown), and got the NoExecute taint (NaN: never). */
  readonly failedAtNs: Float64Array;
  readonly notReadyAtNs: Float64Array;
  readonly taintedAtNs: Float64Array;
  private readonly d: NodeLifecycleDeps;
  private readonly engine: Engine;
  private readonly nodeClient: number;
  private readonly taintClient: number;
  private readonly getLatency: Sampler;
  private readonly monitorPhase: number;
  private readonly evictionPhase: number;
  private readonly leasePhase: Float64Array;
  /** When the controller last saw each failed node's lease renewed (NaN: not failed). */
  private readonly probeNs: Float64Array;
  private readonly kMonitor: EventKind;
  private readonly kTaintPass: EventKind;
  private readonly kEvict: EventKind;
  private readonly kEvictGot: EventKind;
  private readonly kEvictPatched: EventKind;
  private readonly kEvictDeleted: EventKind;
  private readonly kMarked: EventKind;
  /** Failed nodes not yet marked NotReady. */
  private undetected: NodeIdx[] = [];
  private monitorArmed = false;
  // Zones: tainter queue and token bucket.
  private readonly zoneCount: number;
  private readonly zoneQueue: NodeIdx[][] = [];
  private readonly zoneQps: Float64Array;
  private readonly zoneBuckets: AllowBuckets;
  private readonly zoneStateOf: Uint8Array;
  private taintPassAtNs = Infinity;
  /** Per node: waiting in its zone's tainter queue. */
  private readonly queued: Uint8Array;
  /** Whether every zone was fully disrupted at the last pass ("master disruption mode"). */
  private allWereFull = false;
  /** Evictions scheduled but whose DELETE has not been answered. */
  private evictionsPending = 0;
  /** When each pod's eviction is due (NaN: none); an event not at this time is stale. */
  private readonly evictDue = new PodEvictions(1024);
  /** Pod status updates (MarkPodsNotReady, DisruptionTarget) and deletes sent. */
  podsMarkedNotReady = 0;
  /** Times a node went from Ready to NotReady (Unknown), and back to Ready. */
  notReadyTransitions = 0;
  readyTransitions = 0;
  /**
   * When the controller last saw each node's Lease renewed (NaN: not seen yet), once the
   * kubelets' Lease renewals are simulated ({@link watchLeases}); until then a node is judged
   * by its failure time and the phase of its renewals.
   */
  private leaseSeenNs: Float64Array | undefined;
  evictions = 0;
  lastEvictionNs = NaN;

  constructor(d: NodeLifecycleDeps) {
    this.d = d;
    this.spec = d.spec;
    this.engine = d.engine;
    const n = d.nodes.size;
    this.failedAtNs = new Float64Array(n).fill(NaN);
    this.notReadyAtNs = new Float64Array(n).fill(NaN);
    this.taintedAtNs = new Float64Array(n).fill(NaN);
    this.probeNs = new Float64Array(n).fill(NaN);
    // model: with --use-service-account-credentials each controller has its own client, built
    // from kube-controller-manager's rest config (same qps/burst, its own token bucket).
    this.nodeClient = d.clients.add(
      "system:serviceaccount:kube-system:node-controller",
      d.controllerQps,
      d.controllerBurst,
      "controlPlane.controllerManager",
    );
    this.taintClient = d.clients.add(
      "system:serviceaccount:kube-system:taint-eviction-controller",
      d.controllerQps,
      d.controllerBurst,
      "controlPlane.controllerManager",
    );
    this.getLatency = new Sampler(d.getLatency, d.random.stream("node-lifecycle/get"));
    const rng = d.random.stream("node-lifecycle/phase");
    this.monitorPhase = Math.floor(rng.next() * d.spec.nodeMonitorPeriod);
    this.evictionPhase = Math.floor(rng.next() * NODE_EVICTION_PERIOD_NS);
    this.leasePhase = new Float64Array(n);
    for (let i = 0; i < n; i++) this.leasePhase[i] = Math.floor(rng.next() * d.spec.leaseRenewInterval);
    let zones = 0;
    for (let i = 0; i < n; i++) zones = Math.max(zones, d.zoneOf[i]! + 1);
    this.zoneCount = zones;
    for (let z = 0; z < zones; z++) this.zoneQueue.push([]);
    this.zoneQps = new Float64Array(zones).fill(d.spec.nodeEvictionRate);
    this.zoneBuckets = new AllowBuckets(zones, EVICTION_BURST);
    this.zoneStateOf = new Uint8Array(zones);
    this.queued = new Uint8Array(n);
    this.kMonitor = d.engine.register("nodeLifecycle.monitor", () => this.onMonitor());
    this.kTaintPass = d.engine.register("nodeLifecycle.taintPass", () => this.onTaintPass());
    this.kEvict = d.engine.register("taintEviction.evict", (pod) => this.onEvict(pod));
    this.kEvictGot = d.engine.register("taintEviction.got", (pod) => this.onEvictGot(pod));
    this.kEvictPatched = d.engine.register("taintEviction.patched", (pod) => this.onEvictPatched(pod));
    this.kEvictDeleted = d.engine.register("taintEviction.deleted", (pod) => this.onEvictDeleted(pod));
    this.kMarked = d.engine.register("nodeLifecycle.podMarkedNotReady", () => {});
    d.allRunning.awaitSettled(this);
  }

  /** Failed nodes whose pods are not all evicted yet, plus evictions in flight: 0 when settled. */
  get pending(): number {
    let p = this.evictionsPending + this.undetected.length;
    for (let z = 0; z < this.zoneCount; z++) p += this.zoneQueue[z]!.length;
    return p;
  }

  /** The state each zone was last computed in. */
  zoneState(zone: number): ZoneState {
    return this.zoneStateOf[zone]! as ZoneState;
  }

  /** The node's kubelet stops now: it renews its Lease no more. */
  failNode(node: NodeIdx): void {
    const now = this.engine.now;
    if (!Number.isNaN(this.failedAtNs[node])) return;
    this.failedAtNs[node] = now;
    this.undetected.push(node);
    // With simulated Leases the failed node's renewals just stop (NodeLeases asks isFailed).
    if (this.leaseSeenNs !== undefined) return;
    const period = this.spec.leaseRenewInterval;
    const phase = this.leasePhase[node]!;
    // The last renewal at or before the failure, and the monitor pass that first saw it.
    const lastRenew = phase + Math.floor((now - phase) / period) * period;
    this.probeNs[node] = nextTick(lastRenew, this.spec.nodeMonitorPeriod, this.monitorPhase);
    this.armMonitor();
  }

  /** Whether `node`'s kubelet has stopped (a `failNodes` step). */
  isFailed(node: NodeIdx): boolean {
    return !Number.isNaN(this.failedAtNs[node]);
  }

  /**
   * The kubelets' Lease renewals are simulated (src/background/node-leases.ts): from now on
   * every node's readiness is judged from the renewals the controller sees, on every
   * monitor pass, so that delayed renewals make nodes NotReady as in a real cluster.
   */
  watchLeases(): void {
    this.leaseSeenNs = new Float64Array(this.d.nodes.size).fill(NaN);
    this.armMonitor();
  }

  /**
   * A renewal of `node`'s Lease reached the API (the controller's Lease informer sees it).
   * model: monitorNodeHealth tryUpdateNodeHealth: a lease with a newer renewTime sets the
   * node's probeTimestamp; a NotReady node whose kubelet reports again becomes Ready, and
   * markNodeAsReachable removes its NoExecute taint, so its pending evictions are cancelled.
   * (Upstream the Ready condition comes back with the kubelet's next status update, at most
   * one nodeStatusUpdateFrequency later; here with the renewal.)
   */
  leaseRenewed(node: NodeIdx): void {
    const seen = this.leaseSeenNs;
    if (seen === undefined) return;
    seen[node] = this.engine.now;
    if (this.d.nodes.ready[node] === 0 && !Number.isNaN(this.notReadyAtNs[node]) && !this.isFailed(node))
      this.markReady(node);
  }

  private markReady(node: NodeIdx): void {
    this.readyTransitions++;
    this.notReadyAtNs[node] = NaN;
    this.d.nodes.ready[node] = 1;
    this.taintedAtNs[node] = NaN;
    if (this.queued[node] === 1) {
      this.queued[node] = 0;
      const z = this.d.zoneOf[node]!;
      this.zoneQueue[z] = this.zoneQueue[z]!.filter((n) => n !== node);
    }
    this.d.nodeChanges.onNodeChanged(node);
    this.handleDisruption();
    this.checkSettled();
  }

  /** A pod appeared on `node` (its binding was observed): evict it too if the node is tainted. */
  podBound(pod: PodIdx, node: NodeIdx): void {
    if (!Number.isNaN(this.taintedAtNs[node])) this.scheduleEviction(pod, this.engine.now);
  }

  private armMonitor(): void {
    if (this.monitorArmed) return;
    this.monitorArmed = true;
    const now = this.engine.now;
    const at = nextTick(now + 1, this.spec.nodeMonitorPeriod, this.monitorPhase);
    this.engine.scheduleAt(at, this.kMonitor);
  }

  /** model: monitorNodeHealth: one pass over the nodes every nodeMonitorPeriod. */
  private onMonitor(): void {
    this.monitorArmed = false;
    if (this.leaseSeenNs !== undefined) {
      this.monitorLeases(this.leaseSeenNs);
      return;
    }
    const now = this.engine.now;
    const grace = this.spec.nodeMonitorGracePeriod;
    const keep: NodeIdx[] = [];
    let changed = false;
    for (const node of this.undetected) {
      if (now >= this.probeNs[node]! + grace) {
        this.markNotReady(node);
        changed = true;
      } else {
        keep.push(node);
      }
    }
    this.undetected = keep;
    if (changed) {
      this.handleDisruption();
      this.armTaintPass();
    }
    if (this.undetected.length > 0) this.armMonitor();
  }

  /**
   * model: monitorNodeHealth over every node: probeTimestamp is the pass that first saw the
   * latest renewal (a node not seen yet is first seen now); past probeTimestamp + grace period
   * the node is marked NotReady (Ready Unknown, tainted unreachable).
   */
  private monitorLeases(seen: Float64Array): void {
    const now = this.engine.now;
    const grace = this.spec.nodeMonitorGracePeriod;
    const period = this.spec.nodeMonitorPeriod;
    const nodes = this.d.nodes;
    let changed = false;
    for (let node = 0; node < nodes.size; node++) {
      if (nodes.present[node] === 0) continue;
      const t = seen[node]!;
      if (Number.isNaN(t)) {
        seen[node] = now;
        continue;
      }
      if (nodes.ready[node] === 0 && !Number.isNaN(this.notReadyAtNs[node])) continue;
      if (now >= nextTick(t, period, this.monitorPhase) + grace) {
        this.markNotReady(node);
        changed = true;
      }
    }
    if (changed) {
      this.undetected = this.undetected.filter((n) => Number.isNaN(this.notReadyAtNs[n]));
      this.handleDisruption();
      this.armTaintPass();
    }
    this.armMonitor();
  }

  private markNotReady(node: NodeIdx): void {
    const now = this.engine.now;
    this.notReadyTransitions++;
    this.notReadyAtNs[node] = now;
    this.d.nodes.ready[node] = 0;
    this.d.nodeChanges.onNodeChanged(node);
    // model: MarkPodsNotReady: a status update per pod of the node (Ready condition False).
    const pods = this.d.pods;
    for (const pod of this.d.podsByNode.podsOf(node)) {
      if (pods.isTerminating(pod)) continue;
      this.podsMarkedNotReady++;
      this.writePodStatus(this.nodeClient, Verb.update, pod, this.kMarked);
    }
    this.enqueueTaint(node);
  }

  /** Writes `pod`'s status from `client`, its phase unchanged; `replyKind(pod, request)` fires on the answer. */
  private writePodStatus(client: number, verb: Verb, pod: PodIdx, replyKind: EventKind): void {
    const phase = this.d.pods.phase[pod]!;
    this.d.api.submit(client, verb, Resource.podsStatus, pod, phase, STATUS_BYTES, replyKind, pod);
  }

  /** model: markNodeForTainting: the node waits in its zone's RateLimitedTimedQueue (added once). */
  private enqueueTaint(node: NodeIdx): void {
    if (this.queued[node] === 1) return;
    this.queued[node] = 1;
    this.zoneQueue[this.d.zoneOf[node]!]!.push(node);
  }

  /** model: handleDisruption + ComputeZoneState + setLimiterInZone. */
  private handleDisruption(): void {
    const nodes = this.d.nodes;
    const Z = this.zoneCount;
    const ready = new Int32Array(Z);
    const notReady = new Int32Array(Z);
    for (let i = 0; i < nodes.size; i++) {
      if (nodes.present[i] === 0) continue;
      if (nodes.ready[i] === 1) ready[this.d.zoneOf[i]!]!++;
      else notReady[this.d.zoneOf[i]!]!++;
    }
    let allFull = true;
    let anyZone = false;
    for (let z = 0; z < Z; z++) {
      const r = ready[z]!;
      const nr = notReady[z]!;
      if (r + nr === 0) continue;
      anyZone = true;
      let st: ZoneState = ZoneState.Normal;
      if (r === 0 && nr > 0) st = ZoneState.FullDisruption;
      else if (nr > 2 && nr / (nr + r) >= this.spec.unhealthyZoneThreshold) st = ZoneState.PartialDisruption;
      this.zoneStateOf[z] = st;
      if (st !== ZoneState.FullDisruption) allFull = false;
    }
    const full = anyZone && allFull;
    if (full && !this.allWereFull) {
      // model: "Controller detected that all Nodes are not-Ready. Entering master disruption
      // mode": markNodeAsReachable removes the NoExecute taints (the taint-eviction controller
      // then cancels the pending deletions) and every zone's limiter is swapped to 0. The
      // nodes stay NotReady and are queued again for tainting.
      for (let i = 0; i < nodes.size; i++) {
        if (Number.isNaN(this.taintedAtNs[i])) continue;
        this.taintedAtNs[i] = NaN;
        this.enqueueTaint(i);
      }
    }
    this.allWereFull = full;
    for (let z = 0; z < Z; z++) {
      const size = ready[z]! + notReady[z]!;
      let qps = this.spec.nodeEvictionRate;
      if (full) qps = 0;
      else if (this.zoneStateOf[z] === ZoneState.PartialDisruption)
        qps = size > this.spec.largeClusterSizeThreshold ? this.spec.secondaryNodeEvictionRate : 0;
      this.swapLimiter(z, qps);
    }
  }

  private swapLimiter(zone: number, qps: number): void {
    if (this.zoneQps[zone] === qps) return;
    const now = this.engine.now;
    const drained = !this.tryAccept(zone, now, false);
    this.zoneQps[zone] = qps;
    this.zoneBuckets.reset(zone, now, drained ? 0 : EVICTION_BURST);
  }

  /** golang.org/x/time/rate AllowN(now, 1) with burst 1: takes a token if one is there. */
  private tryAccept(zone: number, now: number, take = true): boolean {
    const qps = this.zoneQps[zone]!;
    if (qps <= 0) return false;
    if (!take) return this.zoneBuckets.available(zone, now, qps) >= 1;
    return this.zoneBuckets.tryTake(zone, now, qps);
  }

  /** Schedules the next 100 ms tainting pass at which some zone can taint a node. */
  private armTaintPass(): void {
    const now = this.engine.now;
    let at = Infinity;
    for (let z = 0; z < this.zoneCount; z++) {
      if (this.zoneQueue[z]!.length === 0) continue;
      const qps = this.zoneQps[z]!;
      if (qps <= 0) continue;
      const tokens = this.zoneBuckets.available(z, now, qps);
      const wait = tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * NS_PER.s) / qps);
      at = Math.min(at, nextTick(now + wait, NODE_EVICTION_PERIOD_NS, this.evictionPhase));
    }
    if (at === Infinity || at >= this.taintPassAtNs) return;
    this.taintPassAtNs = at;
    this.engine.scheduleAt(at, this.kTaintPass);
  }

  /** model: doNoExecuteTaintingPass: each zone's queue is tried while its limiter allows. */
  private onTaintPass(): void {
    const now = this.engine.now;
    if (now !== this.taintPassAtNs) return; // superseded by an earlier pass
    this.taintPassAtNs = Infinity;
    for (let z = 0; z < this.zoneCount; z++) {
      const q = this.zoneQueue[z]!;
      while (q.length > 0 && this.tryAccept(z, now)) {
        const node = q.shift()!;
        this.queued[node] = 0;
        this.taint(node);
      }
    }
    this.armTaintPass();
    this.checkSettled();
  }

  private checkSettled(): void {
    if (this.pending === 0) this.d.allRunning.settled();
  }

  private taint(node: NodeIdx): void {
    const now = this.engine.now;
    this.taintedAtNs[node] = now;
    for (const pod of this.d.podsByNode.podsOf(node)) this.scheduleEviction(pod, now);
  }

  private scheduleEviction(pod: PodIdx, fromNs: number): void {
    if (this.d.pods.isTerminating(pod)) return;
    this.evictDue.ensureRow(pod);
    const tol = this.d.podTemplates.of(pod).unreachableTolerationNs;
    if (tol === Infinity) return;
    const at = fromNs + tol;
    if (this.evictDue.atNs[pod] === at) return;
    this.evictDue.atNs[pod] = at;
    this.evictionsPending++;
    this.engine.scheduleAt(at, this.kEvict, pod);
  }

  private onEvict(pod: PodIdx): void {
    const node = this.d.pods.node[pod]!;
    const stale = this.engine.now !== this.evictDue.atNs[pod];
    if (stale || this.d.pods.isTerminating(pod) || Number.isNaN(this.taintedAtNs[node])) {
      // Superseded, already deleted, or the taint was removed (the taint-eviction controller
      // cancelled the deletion).
      if (!stale) this.evictDue.atNs[pod] = NaN;
      this.evictionsPending--;
      this.checkSettled();
      return;
    }
    const wait = this.d.clients.limiters[this.taintClient]!.reserve(this.engine.now);
    this.engine.schedule(wait + this.getLatency.sample(), this.kEvictGot, pod);
  }

  private onEvictGot(pod: PodIdx): void {
    this.d.pods.reason[pod] = PodReason.DeletionByTaintManager;
    // model: the DisruptionTarget condition is a status patch; the phase is unchanged.
    this.writePodStatus(this.taintClient, Verb.patch, pod, this.kEvictPatched);
  }

  private onEvictPatched(pod: PodIdx): void {
    this.d.api.submit(
      this.taintClient,
      Verb.delete,
      Resource.pods,
      pod,
      PodDelete.graceful,
      DELETE_BYTES,
      this.kEvictDeleted,
      pod,
    );
  }

  private onEvictDeleted(_pod: PodIdx): void {
    this.evictionsPending--;
    this.evictions++;
    this.lastEvictionNs = this.engine.now;
    this.checkSettled();
  }
}

/**
 * The zone index of each node, for the controller's per-zone eviction queues.
 * model: k8s.io/component-helpers/node/topology GetZoneKey: region and zone labels (stable
 * topology.kubernetes.io/* keys) make a node's zone; nodes without them share the zone "".
 */
export function zonesOf(nodes: NodeTable, labels: Interner): Int32Array {
  const regionKey = labels.lookup("topology.kubernetes.io/region");
  const zoneKey = labels.lookup("topology.kubernetes.io/zone");
  const ids = new Map<string, number>();
  const out = new Int32Array(nodes.size);
  for (let i = 0; i < nodes.size; i++) {
    const r = regionKey < 0 ? -1 : nodes.labelValueOf(i, regionKey);
    const z = zoneKey < 0 ? -1 : nodes.labelValueOf(i, zoneKey);
    const key = `${r}/${z}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    out[i] = id;
  }
  return out;
}
