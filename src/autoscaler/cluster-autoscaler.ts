import type { ApiServer } from "../apiserver/api-server.js";
import { Resource, Status, Verb } from "../apiserver/request-table.js";
import type { DisruptionBudgets } from "../cluster/disruption-budgets.js";
import type { NodeTable } from "../cluster/node-table.js";
import { PodPhase, PodStage, type PodTable } from "../cluster/pod-table.js";
import type { DeploymentState, ReplicaSetState } from "../cluster/workloads.js";
import { columnTable } from "../core/column-table.js";
import type { Component } from "../core/component.js";
import type { Engine, EventKind } from "../core/engine.js";
import type { RandomStreams, Rng } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import type { Gauge } from "../metrics/time-series.js";
import { EVICTION_RETRY_DELAY_NS, type NodeChangeListener } from "../node/node-events.js";
import type { DeploymentSpec } from "../scenario/manifests.js";
import type { ClusterAutoscalerSpec } from "../scenario/sections/cluster-autoscaler.js";
import type { NodePoolSpec } from "../scenario/types.js";
import type { KubeScheduler } from "../scheduler/kube-scheduler.js";
import { DecisionLog, Reason } from "./decision-log.js";
import { chooseOption } from "./expander.js";
import type { ScaleUpOption } from "./expanders/option.js";
import { NodeGroups, RowState } from "./node-groups.js";
import { ScaleDownPlanner } from "./scale-down.js";
import {
  equivalenceGroups,
  estimate,
  filterOutSchedulable,
  MAX_NODES_PER_SCALE_UP,
  type PodGroups,
} from "./scale-up.js";
import { ClusterSnapshot } from "./snapshot.js";

/** model: (assumed) size of a Node object as the kubelet registers it, and of a Lease. */
const NODE_BYTES = 10_000;
const LEASE_BYTES = 300;
/** model: (assumed) size of a pods/eviction body and of a node taint patch. */
const EVICTION_BYTES = 300;
const PATCH_BYTES = 500;
/** model: --node-delete-delay-after-taint 5s: the taint reaches the schedulers before the node goes. */
const DELETE_DELAY_AFTER_TAINT_NS = 5 * NS_PER.s;
/** model: (assumed) how often the actuator looks whether a drained node's pods are gone. */
const DRAIN_POLL_NS = NS_PER.s;
/**
 * model: kubelet_node_status.go registerWithAPIServer retries a failed Node create after a
 * step that starts at 100 ms and doubles to 7 s; (approximation) a constant 1 s here.
 */
const REGISTER_RETRY_NS = NS_PER.s;

/**
 * Per node row: when it registered (NaN: not yet or never); the drain in progress, when its
 * evictions start (NaN: none) and how many of its pods are not evicted yet.
 */
const NodeRows = columnTable({
  joinedAtNs: { type: "Float64", unset: Number.NaN },
  drainStartNs: { type: "Float64", unset: Number.NaN },
  evictLeft: "Int32",
});

/** Hears of a node the autoscaler brought in, before the scheduler does (a DaemonSet controller feeds it its pods). */
export interface NodeJoinListener {
  onNodeJoined(node: number): void;
}

/** What {@link ClusterAutoscaler} is built from. */
export interface ClusterAutoscalerDeps {
  engine: Engine;
  random: RandomStreams;
  spec: ClusterAutoscalerSpec;
  pools: readonly NodePoolSpec[];
  nodes: NodeTable;
  pods: PodTable;
  scheduler: KubeScheduler;
  api: ApiServer;
  /** The autoscaler's own API client, and each node's kubelet client (it registers the Node). */
  client: number;
  kubeletClients: Int32Array;
  deployments: readonly DeploymentState[];
  replicaSets: readonly ReplicaSetState[];
  templateSpecs: readonly DeploymentSpec[];
  budgets: DisruptionBudgets | undefined;
  /** Told of node changes (the scheduler). */
  nodeChanges: NodeChangeListener;
  /** autoscaler.arrow's names of the {@link Reason} ids (default: the Cluster Autoscaler's). */
  reasonNames?: readonly string[];
  /** Karpenter's removal rules (do-not-disrupt, budgets; see ScaleDownDeps.karpenter). */
  karpenter?: boolean;
}

/**
 * The Cluster Autoscaler (kubernetes/autoscaler cluster-autoscaler, core/static_autoscaler.go
 * RunOnce), one scan every scan-interval of simulated time (the first one scan-interval after
 * start, as main.go's loop waits before each RunOnce):
 *
 * 1. Unschedulable pods: Pending, not on a node in the scheduler's cache, with at least one
 *    failed scheduling attempt (PodScheduled=False, reason Unschedulable), older than
 *    new-pod-scale-up-delay and not expendable.
 * 2. Upcoming nodes (VMs created, Node not registered yet) join the snapshot as template
 *    nodes; pods that fit on existing or upcoming nodes are filtered out (filter_out_schedulable).
 * 3. Scale-up: per node group not at its max and not backed off, the binpacking estimate on
 *    template nodes with the scheduler's own PreFilter/Filter plugins (scale-up.ts); the
 *    expander picks the option (expander.ts); its nodes' VMs are created at once. A node
 *    registers after its provisioning time: the kubelet creates the Node (Ready) and its Lease
 *    through the API; join listeners hear of it before the scheduler. A node not registered
 *    within max-node-provision-time is deleted and the group backs off
 *    (initial-node-group-backoff-duration). A scan that scales up does not scale down.
 * 4. Scale-down (scale-down.ts): unneeded nodes; after scale-down-delay-after-add since the
 *    last scale-up (and the delays after a delete or a failed drain; all count from start, as
 *    upstream initialises them to the start time), nodes unneeded for scale-down-unneeded-time
 *    are tainted ToBeDeletedByClusterAutoscaler:NoSchedule, their pods evicted through the
 *    Eviction API (PodDisruptionBudgets apply; a refused eviction is retried until
 *    max-pod-eviction-time, then the drain fails and the node is untainted), and the node is
 *    deleted once its pods are gone. Empty nodes first, at most max-scale-down-parallelism in
 *    flight, of which at most max-drain-parallelism non-empty; never below a group's min.
 *
 * Not modelled: balance-similar-node-groups, resource limits (cores/memory-total), exponential
 * group backoff (only the initial step), unready-node handling, the status ConfigMap. The
 * taint is modelled as the node's unschedulable flag (the NodeTable's taints are fixed), which
 * differs only for pods tolerating one and not the other. A deleted node's row is reused by a
 * later scale-up with the image cache it had.
 */
export class ClusterAutoscaler implements Component {
  readonly name: string = "cluster-autoscaler";
  readonly groups: NodeGroups;
  readonly decisions: DecisionLog;
  /** Listeners told of each node that registers (e.g. a DaemonSet controller). */
  readonly joinListeners: NodeJoinListener[] = [];
  scans = 0;
  nodesAdded = 0;
  nodesRemoved = 0;
  provisionTimeouts = 0;
  failedDrains = 0;
  private readonly rows: InstanceType<typeof NodeRows>;
  protected readonly d: ClusterAutoscalerDeps;
  private readonly rng: Rng;
  protected readonly snap: ClusterSnapshot;
  protected readonly planner: ScaleDownPlanner;
  /** model: --node-delete-delay-after-taint (Karpenter's termination controller evicts at once). */
  protected deleteDelayAfterTaintNs = DELETE_DELAY_AFTER_TAINT_NS;
  private lastScaleUpNs = 0;
  private lastDeleteNs = 0;
  private lastFailureNs = 0;
  private readonly kScan: EventKind;
  private readonly kProvisioned: EventKind;
  private readonly kRegistered: EventKind;
  private readonly kTimeout: EventKind;
  private readonly kReply: EventKind;
  private readonly kDrain: EventKind;
  private readonly kEvicted: EventKind;
  private readonly kEvictRetry: EventKind;
  private readonly kDrainPoll: EventKind;
  private readonly kDelete: EventKind;
  private readonly pending: number[] = [];
  private readonly candidates: number[] = [];

  constructor(d: ClusterAutoscalerDeps) {
    this.d = d;
    this.decisions = new DecisionLog(d.reasonNames);
    this.rng = d.random.stream("cluster-autoscaler");
    this.groups = new NodeGroups(d.nodes, d.pools, d.random.stream("cluster-autoscaler/provision"));
    this.snap = new ClusterSnapshot(d.scheduler.cache, d.scheduler.config, this.rng);
    this.planner = new ScaleDownPlanner({ ...d, groups: this.groups, snap: this.snap });
    this.rows = new NodeRows(d.nodes.size);
    const e = d.engine;
    this.kScan = e.register("cluster-autoscaler.scan", () => this.scan());
    this.kProvisioned = e.register("cluster-autoscaler.provisioned", (row) => this.register(row));
    this.kRegistered = e.register("cluster-autoscaler.registered", (row, req) => this.onRegistered(row, req));
    this.kTimeout = e.register("cluster-autoscaler.provision-timeout", (row) => this.onProvisionTimeout(row));
    this.kReply = e.register("cluster-autoscaler.reply", () => {});
    this.kDrain = e.register("cluster-autoscaler.drain", (node) => this.drain(node));
    this.kEvicted = e.register("cluster-autoscaler.evicted", (node, req) => this.onEvicted(node, req));
    this.kEvictRetry = e.register("cluster-autoscaler.evict-retry", (node, pod) => this.evict(node, pod));
    this.kDrainPoll = e.register("cluster-autoscaler.drain-poll", (node) => this.pollDrained(node));
    this.kDelete = e.register("cluster-autoscaler.delete", (node) => this.deleteNode(node));
  }

  /** Per node: when it registered (NaN: not yet or never). */
  get joinedAtNs(): Float64Array {
    return this.rows.joinedAtNs;
  }

  /** Whether row `node` is a registered node now. */
  nodesPresent(node: number): boolean {
    return this.d.nodes.present[node] === 1;
  }

  start(): void {
    this.d.engine.schedule(this.d.spec.scanIntervalNs, this.kScan);
  }

  finish(): void {}

  /** The time series gauges: registered nodes per group, and pods not yet on a node. */
  gauges(): Gauge[] {
    const out: Gauge[] = this.groups.groups.map((g) => ({
      name: `nodes_${g.name}`,
      read: () => {
        let n = 0;
        for (const r of g.rows) if (this.d.nodes.present[r] === 1) n++;
        return n;
      },
    }));
    out.push({ name: "pods_pending", read: () => this.pendingPods() });
    return out;
  }

  /** Pods not terminated that no node holds yet (Pending and unscheduled). */
  private pendingPods(): number {
    const pods = this.d.pods;
    const node = pods.node;
    let n = 0;
    for (let p = 0; p < pods.size; p++) if (node[p] === -1 && !pods.isTerminating(p)) n++;
    return n;
  }

  private scan(): void {
    const d = this.d;
    const now = d.engine.now;
    this.scans++;
    d.engine.schedule(d.spec.scanIntervalNs, this.kScan);
    const snap = this.snap;
    snap.beginScan();
    for (const g of this.groups.groups) this.groups.adoptJoined(g, now);
    const pending = this.unschedulablePods(now);
    let scaledUp = false;
    if (pending.length > 0) {
      snap.fork();
      const left = this.stillUnschedulable(pending);
      if (left.groups.length > 0) {
        const options: ScaleUpOption[] = [];
        const total = this.totalNodes();
        for (const g of this.groups.groups) {
          if (now < g.backoffUntilNs) continue;
          let limit = Math.min(MAX_NODES_PER_SCALE_UP, g.maxNodes - this.groups.targetSize(g));
          if (d.spec.maxNodesTotal > 0) limit = Math.min(limit, d.spec.maxNodesTotal - total);
          if (limit <= 0) continue;
          const o = estimate(snap, this.groups, g, left, limit);
          if (o !== undefined) options.push(o);
        }
        const best = chooseOption(options, d.spec, this.rng);
        if (best !== undefined) {
          this.scaleUp(best, now);
          scaledUp = true;
        }
      }
      snap.revert();
    }
    if (scaledUp) {
      this.lastScaleUpNs = now;
      return;
    }
    if (d.spec.scaleDownEnabled) this.scaleDown(now);
  }

  /**
   * Inside the caller's snapshot layer: shows the upcoming nodes and places the pods of
   * `pending` that fit on existing or upcoming nodes (filter_out_schedulable); returns the rest.
   */
  protected stillUnschedulable(pending: readonly number[]): PodGroups {
    const d = this.d;
    const upcoming: number[] = [];
    for (const g of this.groups.groups) this.groups.upcoming(g, upcoming);
    for (const r of upcoming) this.snap.show(r);
    const cand = this.candidates;
    cand.length = 0;
    for (let i = 0; i < d.nodes.size; i++) if (d.nodes.present[i] === 1) cand.push(i);
    const sched = d.scheduler;
    const pg = equivalenceGroups(pending, (p) => sched.groupOfTemplate(d.pods.template[p]!));
    return filterOutSchedulable(this.snap, pg, cand);
  }

  /** Pods with PodScheduled=False (Unschedulable) that may trigger a scale-up now. */
  protected unschedulablePods(now: number): number[] {
    const d = this.d;
    const pods = d.pods;
    const cache = d.scheduler.cache;
    const out = this.pending;
    out.length = 0;
    const cutoff = d.spec.expendablePodsPriorityCutoff;
    const delay = d.spec.newPodScaleUpDelayNs;
    for (let p = 0; p < pods.size; p++) {
      if (pods.attempts[p] === 0 || pods.phase[p] !== PodPhase.Pending || cache.nodeOf(p) >= 0) continue;
      if (pods.isTerminating(p) || now - pods.time(p, PodStage.created) < delay) continue;
      const g = d.scheduler.groupOfTemplate(pods.template[p]!);
      // model: --expendable-pods-priority-cutoff: pods below it never trigger a scale-up.
      if (cache.groups[g]!.priority < cutoff || !this.snap.served(g)) continue;
      out.push(p);
    }
    return out;
  }

  /** Nodes in the cluster and coming: the nodes of pools that are not autoscaled, and every group's target. */
  private totalNodes(): number {
    const nodes = this.d.nodes;
    let n = this.groups.totalTarget();
    for (let i = 0; i < nodes.size; i++) if (this.groups.groupOf[i]! < 0 && nodes.present[i] === 1) n++;
    return n;
  }

  protected scaleUp(o: ScaleUpOption, now: number): void {
    const d = this.d;
    const g = o.group;
    const groups = this.groups;
    const maxProvision = d.spec.maxNodeProvisionTimeNs;
    for (const row of o.rows) {
      groups.created(row, now);
      const delay = g.provision.sample();
      // model: a node that has not registered within max-node-provision-time never will (its
      // VM is deleted then); one that does registers after its provisioning time.
      if (delay > maxProvision) d.engine.schedule(maxProvision, this.kTimeout, row);
      else d.engine.schedule(delay, this.kProvisioned, row);
    }
    this.nodesAdded += o.rows.length;
    this.decisions.append({
      timeNs: now,
      group: g.index,
      change: o.rows.length,
      reason: Reason.ScaleUp,
      groupSize: groups.targetSize(g),
      pods: o.pods.length,
      workloads: this.workloadsOf(o.pods),
      node: -1,
    });
  }

  /** The distinct workloads (Deployment names) of `pods`, comma-separated in first-seen order. */
  private workloadsOf(pods: readonly number[]): string {
    const names: string[] = [];
    for (const p of pods) {
      const name = this.d.templateSpecs[this.d.pods.template[p]!]?.name ?? "";
      if (!names.includes(name)) names.push(name);
    }
    return names.join(",");
  }

  /** The VM is up: its kubelet registers the Node (model: kubelet_node_status.go registerWithAPIServer). */
  private register(row: number): void {
    const d = this.d;
    this.groups.state[row] = RowState.registering;
    d.api.submit(d.kubeletClients[row]!, Verb.create, Resource.nodes, row, 0, NODE_BYTES, this.kRegistered, row);
  }

  private onRegistered(row: number, req: number): void {
    const d = this.d;
    if (d.api.requests.status[req]! >= 300) {
      d.engine.schedule(REGISTER_RETRY_NS, this.kProvisioned, row);
      return;
    }
    const nodes = d.nodes;
    // model: the registered Node carries its Ready condition (initialNode runs the status setters).
    nodes.present[row] = 1;
    nodes.ready[row] = 1;
    this.groups.state[row] = RowState.joined;
    this.rows.joinedAtNs[row] = d.engine.now;
    // model: the node lease controller creates the node's Lease right after registration.
    d.api.submit(d.kubeletClients[row]!, Verb.create, Resource.leases, row, 0, LEASE_BYTES, this.kReply, row);
    for (const l of this.joinListeners) l.onNodeJoined(row);
    d.nodeChanges.onNodeChanged(row);
  }

  private onProvisionTimeout(row: number): void {
    const d = this.d;
    const now = d.engine.now;
    const g = this.groups.groups[this.groups.groupOf[row]!]!;
    this.groups.released(row, now);
    this.provisionTimeouts++;
    g.backoffUntilNs = now + d.spec.initialNodeGroupBackoffNs;
    this.decisions.append({
      timeNs: now,
      group: g.index,
      change: -1,
      reason: Reason.ScaleUpTimedOut,
      groupSize: this.groups.targetSize(g),
      pods: 0,
      workloads: "",
      node: row,
    });
  }

  private scaleDown(now: number): void {
    const d = this.d;
    const spec = d.spec;
    const groups = this.groups;
    this.snap.fork();
    const removals = this.planner.update(now);
    this.snap.revert();
    if (
      now < this.lastScaleUpNs + spec.scaleDownDelayAfterAddNs ||
      now < this.lastDeleteNs + spec.scaleDownDelayAfterDeleteNs ||
      now < this.lastFailureNs + spec.scaleDownDelayAfterFailureNs
    )
      return;
    let inFlight = 0;
    let draining = 0;
    const room = groups.groups.map((g) => groups.targetSize(g) - g.minNodes);
    for (let i = 0; i < d.nodes.size; i++) {
      if (groups.state[i] !== RowState.deleting) continue;
      inFlight++;
      room[groups.groupOf[i]!]!--;
      if (!Number.isNaN(this.rows.drainStartNs[i])) draining++;
    }
    // Empty nodes first, then nodes to drain (actuation: empty and drain budgets).
    for (const empty of [true, false]) {
      for (const r of removals) {
        if ((r.pods.length === 0) !== empty || now - this.planner.unneededSince[r.node]! < spec.scaleDownUnneededTimeNs)
          continue;
        const g = groups.groupOf[r.node]!;
        if (inFlight >= spec.maxScaleDownParallelism || room[g]! <= 0) continue;
        if (!empty && draining >= spec.maxDrainParallelism) continue;
        inFlight++;
        room[g]!--;
        if (!empty) draining++;
        this.startRemoval(
          r.node,
          r.pods,
          now,
          r.pods.length === 0 ? Reason.ScaleDownEmpty : Reason.ScaleDownUnderutilized,
        );
      }
    }
  }

  /** Taints the node ToBeDeletedByClusterAutoscaler (NoSchedule), then drains or deletes it. */
  protected startRemoval(node: number, pods: readonly number[], now: number, reason: Reason): void {
    const d = this.d;
    const groups = this.groups;
    const g = groups.groups[groups.groupOf[node]!]!;
    groups.state[node] = RowState.deleting;
    d.nodes.unschedulable[node] = 1;
    d.nodeChanges.onNodeChanged(node);
    d.api.submit(d.client, Verb.patch, Resource.nodes, node, 0, PATCH_BYTES, this.kReply, node);
    this.decisions.append({
      timeNs: now,
      group: g.index,
      change: -1,
      reason,
      groupSize: groups.targetSize(g) - 1,
      pods: pods.length,
      workloads: this.workloadsOf(pods),
      node,
    });
    if (pods.length === 0) {
      d.engine.schedule(this.deleteDelayAfterTaintNs, this.kDelete, node);
      return;
    }
    this.rows.drainStartNs[node] = now + this.deleteDelayAfterTaintNs;
    this.rows.evictLeft[node] = pods.length;
    this.drainPods.set(node, [...pods]);
    d.engine.schedule(this.deleteDelayAfterTaintNs, this.kDrain, node);
  }

  /** The pods each node being drained must lose. */
  private readonly drainPods = new Map<number, number[]>();

  private drain(node: number): void {
    for (const pod of this.drainPods.get(node) ?? []) this.evict(node, pod);
  }

  private evict(node: number, pod: number): void {
    const d = this.d;
    if (Number.isNaN(this.rows.drainStartNs[node])) return; // the drain failed meanwhile
    d.api.submit(d.client, Verb.create, Resource.podsEviction, pod, 0, EVICTION_BYTES, this.kEvicted, node);
  }

  /**
   * model: core/scaledown/actuation/drain.go: a refused eviction (429: a budget allows no
   * disruption) is retried until max-pod-eviction-time has passed since the drain began; then,
   * or on another error, the drain fails: the node is untainted and scale-down waits
   * scale-down-delay-after-failure. (assumption) Retries come every 5 s, as kubectl's.
   */
  private onEvicted(node: number, req: number): void {
    const d = this.d;
    if (Number.isNaN(this.rows.drainStartNs[node])) return;
    const status = d.api.requests.status[req]!;
    const now = d.engine.now;
    if (
      status === Status.tooManyRequests &&
      now + EVICTION_RETRY_DELAY_NS - this.rows.drainStartNs[node]! < d.spec.maxPodEvictionTimeNs
    ) {
      d.engine.schedule(EVICTION_RETRY_DELAY_NS, this.kEvictRetry, node, d.api.requests.object[req]!);
      return;
    }
    if (status >= 300) {
      this.failDrain(node, now);
      return;
    }
    if (--this.rows.evictLeft[node]! === 0) d.engine.schedule(DRAIN_POLL_NS, this.kDrainPoll, node);
  }

  private failDrain(node: number, now: number): void {
    const d = this.d;
    const groups = this.groups;
    const g = groups.groups[groups.groupOf[node]!]!;
    this.rows.drainStartNs[node] = Number.NaN;
    this.drainPods.delete(node);
    groups.state[node] = RowState.joined;
    d.nodes.unschedulable[node] = 0;
    d.nodeChanges.onNodeChanged(node);
    this.failedDrains++;
    this.lastFailureNs = now;
    this.decisions.append({
      timeNs: now,
      group: g.index,
      change: 1,
      reason: Reason.ScaleDownFailed,
      groupSize: groups.targetSize(g),
      pods: this.rows.evictLeft[node]!,
      workloads: "",
      node,
    });
  }

  /** Deletes the node once no pod but DaemonSet pods is left on it. */
  private pollDrained(node: number): void {
    const d = this.d;
    const pods = d.pods;
    for (const p of d.scheduler.cache.podsOn(node)) {
      const rs = d.replicaSets[pods.owner[p]!];
      if (rs !== undefined && d.deployments[rs.deployment]?.ownerKind === "DaemonSet") continue;
      d.engine.schedule(DRAIN_POLL_NS, this.kDrainPoll, node);
      return;
    }
    this.deleteNode(node);
  }

  /** The VM is deleted and the Node object with it (the cloud node lifecycle controller's delete). */
  private deleteNode(node: number): void {
    const d = this.d;
    const now = d.engine.now;
    const nodes = d.nodes;
    const pool = d.pools.find((p) => p.name === this.groups.groups[this.groups.groupOf[node]!]!.name)!;
    this.rows.drainStartNs[node] = Number.NaN;
    this.drainPods.delete(node);
    nodes.present[node] = 0;
    nodes.ready[node] = 0;
    nodes.unschedulable[node] = pool.unschedulable ? 1 : 0;
    this.groups.released(node, now);
    this.nodesRemoved++;
    this.lastDeleteNs = now;
    d.nodeChanges.onNodeChanged(node);
    d.api.submit(d.client, Verb.delete, Resource.nodes, node, 0, PATCH_BYTES, this.kReply, node);
  }
}
