import type { NodeIdx } from "../cluster/ids.js";
import type { NodeTable } from "../cluster/node-table.js";
import type { PodTable } from "../cluster/pod-table.js";
import type { ApiServer } from "../apiserver/api-server.js";
import { PodDelete } from "../apiserver/object-store.js";
import { DELETE_BYTES, Resource, Verb } from "../apiserver/request-table.js";
import { Sampler } from "../core/distributions.js";
import type { Component } from "../core/component.js";
import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import type { RandomStreams } from "../core/random.js";
import { NS_PER } from "../core/time.js";
import type { PoolUpgradeSpec, WorkloadAction } from "../scenario/sections/workload.js";
import type { AllRunningCondition } from "../sim/all-running.js";
import type { Interner } from "../cluster/interner.js";
import type { NodeEvents, PoolUpgrader } from "./node-events.js";
import { selectNodes } from "./node-selection.js";
import type { PodsByNode } from "./pods-by-node.js";

/** model: (assumed) size of a Node object as its kubelet registers it (status, addresses, images). */
const NODE_BYTES = 8_000;
/**
 * model: kubectl drain.go waitForDelete polls the drained pods every second
 * (`waitForDeleteParams{interval: 1 * time.Second}`); GKE's drainer is not public, so it is
 * taken to wait the same way.
 */
export const DRAIN_POLL_NS = NS_PER.s;

/** One `upgradePool` step as it ran (summary.json results.node.upgrades). */
export interface UpgradeRecord {
  pool: string;
  atNs: number;
  /** Old nodes to replace (the pool's present nodes when the step ran). */
  nodes: number;
  maxSurge: number;
  maxUnavailable: number;
  drainTimeoutNs: number;
  batches: number;
  /** Nodes upgraded (old node deleted, its replacement Ready). */
  nodesUpgraded: number;
  /** From the step to the last replacement Ready and the last old node deleted (null: not over when the run stopped). */
  durationNs: number | null;
  /** Pods the drains evicted or force-deleted. */
  podsDisrupted: number;
  evictionRequests: number;
  /** Evictions answered 429 (a PodDisruptionBudget allowed no disruption). */
  evictionsRefused: number;
  /** Time pods waited to retry a refused eviction, summed over pods (as node.drains counts it). */
  blockedByPdbNs: number;
  /**
   * Wall time during which some old node's drain was held back by a PodDisruptionBudget: the
   * union over drains with a refused eviction of [cordon, last eviction admitted].
   */
  blockedWallNs: number;
  /** Pods deleted with grace period 0 when their node's drain ran past drainTimeout. */
  forcedDeletions: number;
  /** Nodes whose drain ran past drainTimeout. */
  drainsTimedOut: number;
  /** Longest time from an old node's cordon to its deletion. */
  longestDrainNs: number;
}

/** What {@link PoolUpgrades} is built from. */
export interface PoolUpgradesDeps {
  engine: Engine;
  random: RandomStreams;
  nodes: NodeTable;
  pods: PodTable;
  labels: Interner;
  api: ApiServer;
  nodeEvents: NodeEvents;
  podsByNode: PodsByNode;
  /** Each node's kubelet client (the new node registers through its own). */
  kubeletClientOf: (node: NodeIdx) => number;
  /** The upgrader's API client (the managed control plane's drainer). */
  client: number;
  allRunning: AllRunningCondition;
}

/** An upgrade in progress. */
interface Run {
  spec: PoolUpgradeSpec;
  rec: UpgradeRecord;
  provisioning: Sampler;
  /** The old nodes in table order, and the next to take into a batch. */
  old: NodeIdx[];
  next: number;
  /** Old nodes of this batch: drained once its surge nodes are Ready. */
  batch: NodeIdx[];
  /** This batch's surge nodes not yet Ready, old nodes not yet deleted, replacements not yet Ready or not yet created. */
  surging: number;
  draining: number;
  replacing: number;
  owed: number;
  /** Its drains (indices of NodeEvents' drain records). */
  drains: number[];
}

/** Why a new node joins: before its batch's drains (surge) or after an old node's deletion (replacement). */
const JoinAs = { surge: 1, replacement: 2 } as const;

/**
 * Managed node-pool surge upgrades (`upgradePool`), after GKE's surge upgrade
 * (cloud.google.com/kubernetes-engine/docs/concepts/node-pool-upgrade-strategies; the
 * UpgradeSettings reference: "(maxUnavailable + maxSurge) determines the level of
 * parallelism"): maxSurge new nodes are created beyond the pool's size; once they are Ready, up
 * to maxSurge + maxUnavailable old nodes are cordoned and drained at once; each old node is
 * deleted when its pods are gone, and each beyond the surge count is replaced by a new node
 * once deleted (maxUnavailable: drained first, recreated after). When the batch's old nodes
 * are deleted and its new nodes Ready, the next batch starts.
 *
 * model:
 * - A drain is kubectl drain's (src/node/node-events.ts): one eviction per pod through the
 *   Eviction API, 429s retried every 5 s; then the node's pods are polled every second
 *   ({@link DRAIN_POLL_NS}) until all are deleted.
 * - GKE respects PodDisruptionBudgets and termination grace periods for up to one hour
 *   (drainTimeout; .../concepts/cluster-upgrades, "How node upgrades work"); past it the pods
 *   left on the node are deleted with grace period 0 and the node is deleted.
 *   Elsewhere (not modelled, for comparison): AKS waits drainTimeoutInMinutes (default 30)
 *   per node, then fails the upgrade instead of forcing it, and surges 10% by default; EKS
 *   managed node groups upgrade with maxUnavailable 1 by default and fail the update after
 *   15 minutes of PDB refusals unless it is forced.
 * - A new node: provisioning (VM creation to kubelet start) drawn from the step's
 *   distribution, then its kubelet registers the Node (a nodes create through its own client,
 *   kubelet_node_status.go registerWithAPIServer); at the commit it is in the cluster and
 *   Ready (approximation: a fresh node image's runtime and CNI are up before the kubelet
 *   registers, so its first status is Ready). Its Lease and status loops run from then on
 *   (src/background).
 * - An old node is deleted at once (the VM's deletion and the Node object's removal are not
 *   requests here); it leaves the scheduler's snapshot, the node lifecycle controller's
 *   monitoring and nodes.arrow.
 * - Old nodes are taken in table order (GKE: an undefined order); a regional pool is not
 *   upgraded one zone at a time. Pods bound to an old node after its drain listed its pods
 *   (a bind in flight at the cordon) are force-deleted at the deadline, not evicted.
 */
export class PoolUpgrades implements PoolUpgrader, Component {
  readonly name = "pool-upgrade";
  /** Each upgradePool step, in order. */
  readonly records: UpgradeRecord[] = [];
  private readonly d: PoolUpgradesDeps;
  private readonly runs: Run[] = [];
  private active = 0;
  /** Per node: the upgrade it belongs to (old or new), why it joins, whether it drains now, when it was cordoned. */
  private readonly runOf: Int32Array;
  private readonly joinAs: Uint8Array;
  private readonly draining: Uint8Array;
  private readonly cordonedNs: Float64Array;
  private readonly kProvisioned: EventKind;
  private readonly kRegistered: EventKind;
  private readonly kPoll: EventKind;
  private readonly kDeadline: EventKind;
  private readonly kForced: EventKind;

  constructor(d: PoolUpgradesDeps) {
    this.d = d;
    d.allRunning.awaitSettled(this);
    const n = d.nodes.size;
    this.runOf = new Int32Array(n).fill(-1);
    this.joinAs = new Uint8Array(n);
    this.draining = new Uint8Array(n);
    this.cordonedNs = new Float64Array(n);
    const e = d.engine;
    this.kProvisioned = e.register("upgrade.provisioned", (node) => this.register(node));
    this.kRegistered = e.register("upgrade.registered", (node) => this.onRegistered(node));
    this.kPoll = e.register("upgrade.drainPoll", (node) => this.poll(node));
    this.kDeadline = e.register("upgrade.drainTimeout", (node) => this.onDeadline(node));
    // The force deletes' answers change nothing here: the store and the watch carry their effect.
    this.kForced = e.register("upgrade.forceDeleted", () => {});
  }

  /** Upgrades in progress (the stop condition waits for 0). */
  get pending(): number {
    return this.active;
  }

  upgrade(action: Extract<WorkloadAction, { kind: "upgradePool" }>): void {
    const d = this.d;
    const u = this.runs.length;
    const old = selectNodes(d.nodes, d.labels, { pool: action.pool, labels: new Map(), names: [], count: undefined });
    const rec: UpgradeRecord = {
      pool: action.pool,
      atNs: d.engine.now,
      nodes: old.length,
      maxSurge: action.maxSurge,
      maxUnavailable: action.maxUnavailable,
      drainTimeoutNs: action.drainTimeoutNs,
      batches: 0,
      nodesUpgraded: 0,
      durationNs: null,
      podsDisrupted: 0,
      evictionRequests: 0,
      evictionsRefused: 0,
      blockedByPdbNs: 0,
      blockedWallNs: 0,
      forcedDeletions: 0,
      drainsTimedOut: 0,
      longestDrainNs: 0,
    };
    for (const node of old) this.runOf[node] = u;
    this.records.push(rec);
    this.runs.push({
      spec: action,
      rec,
      provisioning: new Sampler(action.provisioning, d.random.stream(`upgrade/provisioning/${u}`)),
      old,
      next: 0,
      batch: [],
      surging: 0,
      draining: 0,
      replacing: 0,
      owed: 0,
      drains: [],
    });
    this.active++;
    this.startBatch(u);
  }

  /** Fills each record's totals from its drains (call once the run is over). */
  finish(): void {
    for (const run of this.runs) {
      const rec = run.rec;
      const intervals: [number, number][] = [];
      for (const idx of run.drains) {
        const dr = this.d.nodeEvents.drainRecord(idx);
        rec.evictionRequests += dr.evictionRequests;
        rec.evictionsRefused += dr.evictionsRefused;
        rec.blockedByPdbNs += dr.blockedByPdbNs;
        if (dr.evictionsRefused > 0) intervals.push([dr.atNs, dr.evictedAtNs ?? dr.atNs + dr.timeoutNs]);
      }
      rec.blockedWallNs = unionLength(intervals);
    }
  }

  private startBatch(u: number): void {
    const run = this.runs[u]!;
    const left = run.old.length - run.next;
    if (left === 0) {
      run.rec.durationNs = this.d.engine.now - run.rec.atNs;
      this.active--;
      this.d.allRunning.settled();
      return;
    }
    run.rec.batches++;
    const surge = Math.min(run.spec.maxSurge, left);
    const size = Math.min(run.spec.maxSurge + run.spec.maxUnavailable, left);
    run.batch = run.old.slice(run.next, run.next + size);
    run.next += size;
    run.owed = size - surge;
    run.surging = surge;
    for (let i = 0; i < surge; i++) this.createNode(u, JoinAs.surge);
    if (surge === 0) this.drainBatch(u);
  }

  /** A new node of the pool: its VM is created now; its kubelet registers after provisioning. */
  private createNode(u: number, as: number): void {
    const run = this.runs[u]!;
    const node = this.d.nodeEvents.claimRow(run.spec.pool);
    if (node < 0)
      throw new SimulationError("pool-upgrade", this.d.engine.now, `no reserved row left in pool ${run.spec.pool}`);
    this.runOf[node] = u;
    this.joinAs[node] = as;
    this.d.engine.schedule(run.provisioning.sample(), this.kProvisioned, node);
  }

  private register(node: NodeIdx): void {
    const c = this.d.kubeletClientOf(node);
    this.d.api.submit(c, Verb.create, Resource.nodes, node, 0, NODE_BYTES, this.kRegistered, node);
  }

  private onRegistered(node: NodeIdx): void {
    const u = this.runOf[node]!;
    const run = this.runs[u]!;
    this.d.nodeEvents.joinNode(node);
    if (this.joinAs[node] === JoinAs.surge) {
      if (--run.surging === 0) this.drainBatch(u);
    } else {
      run.replacing--;
      this.batchDone(u);
    }
  }

  private drainBatch(u: number): void {
    const run = this.runs[u]!;
    const d = this.d;
    run.draining = run.batch.length;
    for (const node of run.batch) {
      this.cordonedNs[node] = d.engine.now;
      this.draining[node] = 1;
      const idx = d.nodeEvents.drainNodes([node], run.spec.drainTimeoutNs, d.client);
      run.drains.push(idx);
      run.rec.podsDisrupted += d.nodeEvents.drainRecord(idx).pods;
      d.engine.schedule(run.spec.drainTimeoutNs, this.kDeadline, node);
      // model: waitForDelete's wait.PollImmediate: the first look is at once.
      this.poll(node);
    }
  }

  /** Whether every pod listed on `node` is deleted in the API. */
  private emptied(node: NodeIdx): boolean {
    if (this.d.podsByNode.size(node) === 0) return true;
    const deleted = this.d.pods.deletedNs;
    for (const p of this.d.podsByNode.podsOf(node)) if (Number.isNaN(deleted[p])) return false;
    return true;
  }

  private poll(node: NodeIdx): void {
    if (this.draining[node] === 0) return;
    if (this.emptied(node)) this.deleteNode(node);
    else this.d.engine.schedule(DRAIN_POLL_NS, this.kPoll, node);
  }

  /** model: past drainTimeout GKE stops respecting budgets and grace periods: the pods left are deleted with grace 0. */
  private onDeadline(node: NodeIdx): void {
    if (this.draining[node] === 0) return;
    const d = this.d;
    const rec = this.runs[this.runOf[node]!]!.rec;
    rec.drainsTimedOut++;
    const deleted = d.pods.deletedNs;
    for (const p of d.podsByNode.podsOf(node)) {
      if (!Number.isNaN(deleted[p])) continue;
      rec.forcedDeletions++;
      d.api.submit(d.client, Verb.delete, Resource.pods, p, PodDelete.final, DELETE_BYTES, this.kForced, p);
    }
    this.deleteNode(node);
  }

  private deleteNode(node: NodeIdx): void {
    const u = this.runOf[node]!;
    const run = this.runs[u]!;
    this.draining[node] = 0;
    this.d.nodeEvents.removeNode(node);
    run.rec.nodesUpgraded++;
    run.rec.longestDrainNs = Math.max(run.rec.longestDrainNs, this.d.engine.now - this.cordonedNs[node]!);
    run.draining--;
    if (run.owed > 0) {
      run.owed--;
      run.replacing++;
      this.createNode(u, JoinAs.replacement);
    }
    this.batchDone(u);
  }

  private batchDone(u: number): void {
    const run = this.runs[u]!;
    if (run.surging === 0 && run.draining === 0 && run.replacing === 0 && run.owed === 0) this.startBatch(u);
  }
}

/** Total length of the union of `[from, to]` intervals. */
function unionLength(intervals: [number, number][]): number {
  intervals.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const [a, b] of intervals) {
    if (a > to) {
      if (to > from) total += to - from;
      from = a;
      to = b;
    } else to = Math.max(to, b);
  }
  if (to > from) total += to - from;
  return total;
}
