import type { DisruptionBudgets } from "../cluster/disruption-budgets.js";
import type { ValueOf } from "../core/names-of.js";
import type { NodeTable } from "../cluster/node-table.js";
import type { PodTable } from "../cluster/pod-table.js";
import { Res } from "../cluster/resources.js";
import type { DeploymentState, ReplicaSetState } from "../cluster/workloads.js";
import type { DeploymentSpec } from "../scenario/manifests.js";
import type { ClusterAutoscalerSpec } from "../scenario/sections/cluster-autoscaler.js";
import { RowState, type NodeGroups } from "./node-groups.js";
import type { ClusterSnapshot } from "./snapshot.js";

/** Why a pod keeps its node from being removed (upstream drainability rules' BlockingPodReason). */
export const Blocker = {
  none: 0,
  /** No controller would recreate it (a bare pod). */
  NotReplicated: 1,
  /** cluster-autoscaler.kubernetes.io/safe-to-evict: "false". */
  NotSafeToEvictAnnotation: 2,
  /** A kube-system pod no PodDisruptionBudget covers (--skip-nodes-with-system-pods). */
  UnmovableKubeSystemPod: 3,
  /** emptyDir or hostPath (--skip-nodes-with-local-storage). */
  LocalStorageRequested: 4,
  /** Its PodDisruptionBudget allows no (more) disruption. */
  NotEnoughPdb: 5,
  /** No other node passes the scheduler's filters for it. */
  NoPlaceToMovePods: 6,
  /** karpenter.sh/do-not-disrupt: "true" (Karpenter only). */
  DoNotDisrupt: 7,
} as const;
export type Blocker = ValueOf<typeof Blocker>;

/** What a removable node needs done: its pods to evict (DaemonSet and expendable pods are not). */
export interface Removal {
  node: number;
  pods: number[];
}

/** What {@link ScaleDownPlanner} reads. */
export interface ScaleDownDeps {
  spec: ClusterAutoscalerSpec;
  nodes: NodeTable;
  pods: PodTable;
  groups: NodeGroups;
  deployments: readonly DeploymentState[];
  replicaSets: readonly ReplicaSetState[];
  templateSpecs: readonly DeploymentSpec[];
  budgets: DisruptionBudgets | undefined;
  snap: ClusterSnapshot;
  /**
   * Karpenter's rules instead of CA's: pods annotated karpenter.sh/do-not-disrupt block their
   * node, and a budget blocks only when it allows no disruption now (karpenter pkg/utils/pdb
   * CanEvictPods; the Eviction API then lets the pods go as the budget allows).
   */
  karpenter?: boolean;
}

/**
 * The scale-down planner (core/scaledown/planner): each scan, the nodes of node groups whose
 * utilization is under the threshold and whose pods can all move elsewhere are unneeded; a node
 * unneeded for scale-down-unneeded-time without a break may be removed.
 *
 * model:
 * - utilization: the larger of the requested/allocatable shares of cpu and memory over the
 *   pods assigned to the node, DaemonSet pods included (simulator/utilization, with
 *   --ignore-daemonsets-utilization false).
 * - removal simulation (simulator/cluster.go SimulateNodeRemoval): each pod to move is placed
 *   with the scheduler's PreFilter and Filter on another node that is Ready, schedulable and not
 *   itself being removed; simulations are cumulative within a scan (pods moved off one unneeded
 *   node take room the next cannot use), PodDisruptionBudgets' allowed disruptions are consumed
 *   as pods are planned away (the remaining-PDB tracker).
 * - drainability (simulator/drainability/rules): DaemonSet pods stay (not moved); pods below
 *   --expendable-pods-priority-cutoff are ignored; a bare pod, safe-to-evict "false", a
 *   kube-system pod without a PDB, a pod with emptyDir or hostPath (unless safe-to-evict
 *   "true"), and a pod whose PDB allows no disruption block the node.
 * - not modelled: scale-down-non-empty-candidates-count (every candidate is simulated), the
 *   unremovable-node recheck timeout, scale-down of NotReady nodes, GPU utilization.
 */
export class ScaleDownPlanner {
  /** Per node: since when it is unneeded (NaN: it is not). */
  readonly unneededSince: Float64Array;
  /** Per node: the blocker found at the last scan. */
  readonly blocker: Uint8Array;
  private readonly d: ScaleDownDeps;
  private readonly excluded: Uint8Array;
  /** Per budget: disruptions it still allows this scan, and those the node being simulated would use. */
  private readonly pdbLeft: number[] = [];
  private readonly pdbUse: number[] = [];
  private readonly dest: Int32Array;

  constructor(d: ScaleDownDeps) {
    this.d = d;
    const n = d.nodes.size;
    this.unneededSince = new Float64Array(n).fill(Number.NaN);
    this.blocker = new Uint8Array(n);
    this.excluded = new Uint8Array(n);
    this.dest = new Int32Array(n);
  }

  /** The larger of the node's cpu and memory requested shares. */
  utilization(node: number): number {
    const t = this.d.nodes;
    const R = t.resourceCount;
    const cpu = t.requested[node * R + Res.cpu]! / t.allocatable[node * R + Res.cpu]!;
    const mem = t.requested[node * R + Res.memory]! / t.allocatable[node * R + Res.memory]!;
    return Math.max(cpu || 0, mem || 0);
  }

  /**
   * Re-evaluates every node of every group now (inside the caller's snapshot layer, which
   * keeps the planned moves) and returns the removable nodes in table order, each with the
   * pods to evict. Nodes that stop being unneeded lose their timestamp.
   */
  update(nowNs: number): Removal[] {
    const d = this.d;
    const { nodes, groups, snap } = d;
    const out: Removal[] = [];
    this.excluded.fill(0);
    this.pdbLeft.length = 0;
    this.pdbUse.length = 0;
    if (d.budgets !== undefined) {
      for (const b of d.budgets.budgets) {
        this.pdbLeft.push(b.disruptionsAllowed);
        this.pdbUse.push(0);
      }
    }
    for (let node = 0; node < nodes.size; node++) {
      const g = groups.groupOf[node]!;
      const candidate =
        g >= 0 &&
        groups.state[node] === RowState.joined &&
        nodes.present[node] === 1 &&
        nodes.ready[node] === 1 &&
        this.utilization(node) < d.spec.scaleDownUtilizationThreshold;
      if (!candidate) {
        this.unneededSince[node] = Number.NaN;
        continue;
      }
      this.pdbUse.fill(0);
      const pods = this.movablePods(node);
      if (pods !== null) {
        snap.fork();
        this.excluded[node] = 1;
        if (this.moveAll(pods)) {
          out.push({ node, pods });
          for (let i = 0; i < this.pdbLeft.length; i++) this.pdbLeft[i]! -= this.pdbUse[i]!;
          if (Number.isNaN(this.unneededSince[node])) this.unneededSince[node] = nowNs;
          // The moves stay in the scan's layer: the next candidates see the room they took.
          snap.keep();
          continue;
        }
        snap.revert();
        this.excluded[node] = 0;
        this.blocker[node] = Blocker.NoPlaceToMovePods;
      }
      this.unneededSince[node] = Number.NaN;
    }
    return out;
  }

  /**
   * The pods to evict from `node`, or null when one blocks its removal (see {@link blocker});
   * the budgets as the last {@link update} left them.
   */
  movablePods(node: number): number[] | null {
    const d = this.d;
    const pods = d.pods;
    const spec = d.spec;
    const out: number[] = [];
    this.blocker[node] = Blocker.none;
    for (const pod of d.snap.cache.podsOn(node)) {
      if (pod >= pods.size || pods.isTerminating(pod)) continue;
      const rs = d.replicaSets[pods.owner[pod]!];
      const owner = rs === undefined ? undefined : d.deployments[rs.deployment];
      const kind = owner?.ownerKind;
      if (kind === "DaemonSet") continue;
      const tpl = d.templateSpecs[pods.template[pod]!];
      if (tpl !== undefined && tpl.pod.priority < spec.expendablePodsPriorityCutoff) continue;
      let b: Blocker = Blocker.none;
      const pdbs = d.budgets === undefined ? [] : d.budgets.ofTemplate(pods.template[pod]!);
      if (kind === "Pod" || owner === undefined) b = Blocker.NotReplicated;
      else if (tpl?.safeToEvict === false) b = Blocker.NotSafeToEvictAnnotation;
      else if (d.karpenter === true && tpl?.doNotDisrupt === true) b = Blocker.DoNotDisrupt;
      else if (spec.skipNodesWithSystemPods && tpl?.namespace === "kube-system" && pdbs.length === 0)
        b = Blocker.UnmovableKubeSystemPod;
      else if (
        spec.skipNodesWithLocalStorage &&
        tpl?.safeToEvict !== true &&
        (tpl?.pod.volumes ?? []).some((v) => v.source === "emptyDir" || v.source === "hostPath")
      )
        b = Blocker.LocalStorageRequested;
      else {
        for (const i of pdbs)
          if (d.karpenter === true ? this.pdbLeft[i]! <= 0 : ++this.pdbUse[i]! > this.pdbLeft[i]!)
            b = Blocker.NotEnoughPdb;
      }
      if (b !== Blocker.none) {
        this.blocker[node] = b;
        return null;
      }
      out.push(pod);
    }
    return out;
  }

  /** Moves every pod to a destination in the snapshot; false at the first that fits nowhere. */
  private moveAll(pods: readonly number[]): boolean {
    const d = this.d;
    const nodes = d.nodes;
    const cache = d.snap.cache;
    let n = 0;
    for (let i = 0; i < nodes.size; i++) {
      if (this.excluded[i] === 1 || nodes.present[i] === 0 || nodes.ready[i] === 0 || nodes.unschedulable[i] === 1)
        continue;
      if (d.groups.groupOf[i]! >= 0 && d.groups.state[i] === RowState.deleting) continue;
      this.dest[n++] = i;
    }
    let hint = -1;
    for (const pod of pods) {
      const node = d.snap.findNode(cache.groupOf(pod), this.dest, n, hint);
      if (node < 0) return false;
      d.snap.move(pod, node);
      hint = node;
    }
    return true;
  }
}
