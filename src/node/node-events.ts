import type { Interner } from "../cluster/interner.js";
import type { NodeIdx } from "../cluster/ids.js";
import type { NodeTable } from "../cluster/node-table.js";
import type { PodTable } from "../cluster/pod-table.js";
import type { DeploymentState, ReplicaSetState } from "../cluster/workloads.js";
import type { Engine, EventKind } from "../core/engine.js";
import { SimulationError } from "../core/errors.js";
import { columnTable } from "../core/column-table.js";
import type { ApiServer } from "../apiserver/api-server.js";
import { NS_PER } from "../core/time.js";
import { Resource, Status, Verb } from "../apiserver/request-table.js";
import type { WorkloadAction } from "../scenario/sections/workload.js";
import type { AllRunningCondition } from "../sim/all-running.js";
import type { Kubelets } from "./kubelet.js";
import { inPool, selectNodes } from "./node-selection.js";
import type { PodsByNode } from "./pods-by-node.js";

/** model: (assumed) size of a policy/v1 Eviction request body. */
const EVICTION_BYTES = 300;
/**
 * model: kubectl drain.go evictPods: an eviction answered 429 TooManyRequests is retried after
 * `time.Sleep(5 * time.Second)` ("will retry after 5s").
 */
export const EVICTION_RETRY_DELAY_NS = 5 * NS_PER.s;

/**
 * Per drain (a row per drain index, beside its record): pods whose eviction is not over, and the
 * client sending its evictions.
 */
const DrainRows = columnTable({
  left: "Int32",
  client: { type: "Int32", unset: -1 },
});

/** One `drain` step as kubectl ran it: its evictions, refusals and outcome (summary.json node.drains). */
export interface DrainRecord {
  atNs: number;
  nodes: number;
  /** --timeout (0: none, kubectl's default). */
  timeoutNs: number;
  /** Pods kubectl evicts (DaemonSet pods are skipped). */
  pods: number;
  daemonSetPodsIgnored: number;
  /** Pods with no controller: kubectl refuses the whole drain without --force (none evicted). */
  unmanagedPods: number;
  /** Eviction requests sent (retries included). */
  evictionRequests: number;
  /** Evictions refused with 429 (a PodDisruptionBudget allowed no disruption, or APF). */
  evictionsRefused: number;
  /** Evictions that failed otherwise (500: several budgets select the pod): kubectl gives the pod up. */
  evictionErrors: number;
  /** Time spent waiting to retry refused evictions, summed over pods. */
  blockedByPdbNs: number;
  /** When the last eviction was admitted (null if some never was). */
  evictedAtNs: number | null;
  /** The drain ran past --timeout with evictions still refused. */
  timedOut: boolean;
}

/** A workload step that takes capacity away: the run reports how long the cluster took to recover. */
export interface Disruption {
  kind: "drain" | "failNodes";
  atNs: number;
  nodes: readonly NodeIdx[];
}

/** Hears of node-side changes (Ready, cordon, join): upstream, a Node update event the scheduler handles. */
export interface NodeChangeListener {
  onNodeChanged(node: NodeIdx): void;
}

/** Carries out `upgradePool` steps (src/node/pool-upgrade.ts). */
export interface PoolUpgrader {
  upgrade(action: Extract<WorkloadAction, { kind: "upgradePool" }>): void;
}

/** What {@link NodeEvents} is built from. */
export interface NodeEventsDeps {
  engine: Engine;
  nodes: NodeTable;
  pods: PodTable;
  labels: Interner;
  api: ApiServer;
  kubelets: Kubelets;
  podsByNode: PodsByNode;
  /** Told of every node change (the scheduler). */
  nodeChanges: NodeChangeListener;
  /** Waits for the drains' evictions to be answered before judging "all Running". */
  allRunning: AllRunningCondition;
  /** The pods' owners: a drain skips DaemonSet pods and refuses pods with no controller. */
  deployments: readonly DeploymentState[];
  replicaSets: readonly ReplicaSetState[];
}

/**
 * The node events of a workload: `addNodes`, `cordon`, `uncordon`, `drain`, `failNodes`.
 *
 * model:
 * - cordon / uncordon: kubectl sets / clears spec.unschedulable; the Node object's API round
 *   trip is not modelled (there is no nodes resource in the simulated API), so the change takes
 *   effect at the step's time.
 * - drain: kubectl drain cordons the nodes, lists their pods and evicts them all at once (one
 *   goroutine per pod, staging/src/k8s.io/kubectl/pkg/drain/drain.go evictPods) through
 *   kubectl's own client-side limiter: each a pods/eviction create that the API server admits
 *   against the pod's PodDisruptionBudget (src/apiserver/eviction.ts) and turns into a graceful
 *   delete. A 429 is retried after 5 s until admitted or until --timeout (`timeout:`, 0 = none)
 *   passes; another error gives the pod up. DaemonSet pods are skipped (--ignore-daemonsets);
 *   a pod with no controller makes kubectl refuse the drain (no --force). The kubelet then
 *   stops the pod and deletes it; the ReplicaSet replaces it as soon as it sees the
 *   deletionTimestamp. Not modelled: kubectl's wait for the pods' deletion (the drain is
 *   over when every eviction is admitted), emptyDir refusal (--delete-emptydir-data),
 *   mirror pods, --grace-period.
 * - failNodes: the nodes' kubelets stop; the node lifecycle controller takes over (NotReady after the grace
 *   period, rate-limited NoExecute taints, evictions after the toleration).
 * - addNodes: reserved rows of the pool (NodeSpec.absent) join, Ready at once.
 * - upgradePool: handed to the {@link PoolUpgrader}, which drains through {@link drainNodes}
 *   and joins and removes nodes through {@link joinNode} and {@link removeNode}.
 */
export class NodeEvents {
  readonly disruptions: Disruption[] = [];
  /** Each drain step, in order. */
  readonly drains: DrainRecord[] = [];
  /** Evictions kubectl (or the pool upgrader) had admitted (drain), and pods whose eviction is not yet over. */
  drainEvictions = 0;
  drainPending = 0;
  /** Carries out upgradePool steps (set when the workload has any). */
  upgrader: PoolUpgrader | undefined;
  /** Per node: 1 once in the cluster or claimed to join it (a removed node's row is never joined again). */
  private readonly claimed: Uint8Array;
  private readonly d: NodeEventsDeps;
  /** Every drain: the steps' (also in {@link drains}) and the pool upgrader's. */
  private readonly records: DrainRecord[] = [];
  private readonly perDrain = new DrainRows(8);
  private readonly kEvicted: EventKind;
  private readonly kRetry: EventKind;
  private readonly kTimeout: EventKind;

  constructor(d: NodeEventsDeps) {
    this.d = d;
    this.claimed = new Uint8Array(d.nodes.size);
    d.allRunning.awaitSettled(this);
    this.kEvicted = d.engine.register("kubectl.evicted", (drain, req) => this.onEvicted(drain, req));
    this.kRetry = d.engine.register("kubectl.evict.retry", (drain, pod) => this.evict(drain, pod));
    this.kTimeout = d.engine.register("kubectl.drain.timeout", (drain) => this.onTimeout(drain));
  }

  /** Drain evictions not yet answered (the stop condition waits for 0). */
  get pending(): number {
    return this.drainPending;
  }

  /** Carries out a node event now; `kubectl` is the API client of kubectl. Other actions throw. */
  apply(action: WorkloadAction, kubectl: number): void {
    const nodes = this.d.nodes;
    switch (action.kind) {
      case "addNodes": {
        let added = 0;
        for (; added < action.count; added++) {
          const node = this.claimRow(action.pool);
          if (node < 0) break;
          this.joinNode(node);
        }
        if (added < action.count) {
          throw new SimulationError(
            "node-events",
            this.d.engine.now,
            `addNodes: pool ${action.pool} has room for ${added} more nodes, not ${action.count}: the NodeTable must reserve absent rows (see src/node/node-selection.ts addedNodeCount)`,
          );
        }
        return;
      }
      case "cordon":
      case "uncordon": {
        const v = action.kind === "cordon" ? 1 : 0;
        for (const node of selectNodes(nodes, this.d.labels, action.nodes)) {
          nodes.unschedulable[node] = v;
          this.d.nodeChanges.onNodeChanged(node);
        }
        return;
      }
      case "drain": {
        const list = selectNodes(nodes, this.d.labels, action.nodes);
        this.drains.push(this.records[this.drainNodes(list, action.timeoutNs ?? 0, kubectl)]!);
        this.disruptions.push({ kind: "drain", atNs: this.d.engine.now, nodes: list });
        return;
      }
      case "failNodes": {
        const list = selectNodes(
          nodes,
          this.d.labels,
          action.nodes,
          (node) => this.d.kubelets.perNode.down[node] === 0,
        );
        for (const node of list) this.d.kubelets.failNode(node);
        this.disruptions.push({ kind: "failNodes", atNs: this.d.engine.now, nodes: list });
        return;
      }
      case "upgradePool":
        this.upgrader!.upgrade(action);
        return;
      default:
        throw new SimulationError("node-events", this.d.engine.now, `${action.kind} is not a node event`);
    }
  }

  /** Claims the first row of `pool` reserved for a node that joins later (never claimed before); -1 if none is left. */
  claimRow(pool: string): NodeIdx {
    const nodes = this.d.nodes;
    for (let i = 0; i < nodes.size; i++) {
      if (nodes.present[i] === 1 || this.claimed[i] === 1 || !inPool(nodes.names[i]!, pool)) continue;
      this.claimed[i] = 1;
      return i;
    }
    return -1;
  }

  /** Node `node` (a reserved row) is in the cluster now, Ready. */
  joinNode(node: NodeIdx): void {
    this.d.nodes.present[node] = 1;
    this.d.nodes.ready[node] = 1;
    this.d.nodeChanges.onNodeChanged(node);
  }

  /** Node `node` leaves the cluster (its Node object deleted): no longer scheduled on, monitored or sampled. */
  removeNode(node: NodeIdx): void {
    this.d.nodes.present[node] = 0;
    this.d.nodes.ready[node] = 0;
    this.claimed[node] = 1;
    this.d.nodeChanges.onNodeChanged(node);
  }

  /** The record of drain `idx` (from {@link drainNodes}). */
  drainRecord(idx: number): DrainRecord {
    return this.records[idx]!;
  }

  /**
   * kubectl drain of `list` through API client `client`: cordons the nodes, then applies the pod
   * filters and sends one eviction per pod (drain.go GetPodsForDeletion, evictPods). Returns the
   * drain's index ({@link drainRecord}).
   */
  drainNodes(list: readonly NodeIdx[], timeoutNs: number, client: number): number {
    const nodes = this.d.nodes;
    for (const node of list) {
      nodes.unschedulable[node] = 1;
      this.d.nodeChanges.onNodeChanged(node);
    }
    const pods = this.d.pods;
    const idx = this.perDrain.addRow();
    this.perDrain.client[idx] = client;
    const rec: DrainRecord = {
      atNs: this.d.engine.now,
      nodes: list.length,
      timeoutNs,
      pods: 0,
      daemonSetPodsIgnored: 0,
      unmanagedPods: 0,
      evictionRequests: 0,
      evictionsRefused: 0,
      evictionErrors: 0,
      blockedByPdbNs: 0,
      evictedAtNs: null,
      timedOut: false,
    };
    this.records.push(rec);
    const targets: number[] = [];
    for (const node of list) {
      for (const pod of this.d.podsByNode.podsOf(node)) {
        if (pods.isTerminating(pod)) continue;
        const kind = this.d.deployments[this.d.replicaSets[pods.owner[pod]!]!.deployment]!.ownerKind;
        // model: drain.go daemonSetFilter (--ignore-daemonsets) and unreplicatedFilter (no --force).
        if (kind === "DaemonSet") rec.daemonSetPodsIgnored++;
        else if (kind === "Pod") rec.unmanagedPods++;
        else targets.push(pod);
      }
    }
    // model: GetPodsForDeletion's errors (pods with no controller) stop the drain before any eviction.
    if (rec.unmanagedPods > 0) targets.length = 0;
    rec.pods = targets.length;
    this.perDrain.left[idx] = targets.length;
    if (targets.length === 0) {
      rec.evictedAtNs = rec.unmanagedPods > 0 ? null : rec.atNs;
      return idx;
    }
    this.drainPending += targets.length;
    for (const pod of targets) this.evict(idx, pod);
    if (timeoutNs > 0) this.d.engine.schedule(timeoutNs, this.kTimeout, idx);
    return idx;
  }

  private evict(drain: number, pod: number): void {
    const rec = this.records[drain]!;
    if (rec.timedOut) return;
    rec.evictionRequests++;
    const client = this.perDrain.client[drain]!;
    this.d.api.submit(client, Verb.create, Resource.podsEviction, pod, 0, EVICTION_BYTES, this.kEvicted, drain);
  }

  private onEvicted(drain: number, req: number): void {
    const rec = this.records[drain]!;
    const status = this.d.api.requests.status[req]!;
    if (status === Status.tooManyRequests) rec.evictionsRefused++;
    // An answer after the timeout: kubectl has given up, the server still acted on it.
    if (rec.timedOut) {
      if (status < 300) this.drainEvictions++;
      return;
    }
    if (status === Status.tooManyRequests) {
      rec.blockedByPdbNs += EVICTION_RETRY_DELAY_NS;
      this.d.engine.schedule(EVICTION_RETRY_DELAY_NS, this.kRetry, drain, this.d.api.requests.object[req]!);
      return;
    }
    if (status < 300) this.drainEvictions++;
    else rec.evictionErrors++;
    if (--this.perDrain.left[drain]! === 0 && rec.evictionErrors === 0) rec.evictedAtNs = this.d.engine.now;
    this.settleOne();
  }

  /** model: drain.go: the global timeout ends every pod's retry loop ("global timeout reached"). */
  private onTimeout(drain: number): void {
    const left = this.perDrain.left[drain]!;
    if (left === 0) return;
    this.records[drain]!.timedOut = true;
    this.perDrain.left[drain] = 0;
    for (let i = 0; i < left; i++) this.settleOne();
  }

  private settleOne(): void {
    if (--this.drainPending === 0) this.d.allRunning.settled();
  }
}
