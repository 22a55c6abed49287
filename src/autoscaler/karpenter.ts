import type { EventKind } from "../core/engine.js";
import { NS_PER } from "../core/time.js";
import type { KarpenterNodePool, KarpenterSpec } from "../scenario/sections/karpenter.js";
import type { UnschedulableListener } from "../scheduler/kube-scheduler.js";
import { ClusterAutoscaler, type ClusterAutoscalerDeps } from "./cluster-autoscaler.js";
import { Reason } from "./decision-log.js";
import type { ScaleUpOption } from "./expanders/option.js";
import type { NodeGroup } from "./node-groups.js";
import { RowState } from "./node-groups.js";
import { Blocker } from "./scale-down.js";
import { estimate, type PodGroups } from "./scale-up.js";

/**
 * autoscaler.arrow's reason names under Karpenter, by {@link Reason} id: a NodeClaim launched,
 * a NodeClaim deleted for not registering (liveness), a node disrupted as Empty or Underutilized
 * (karpenter.sh/v1 DisruptionReason names), a drain that failed.
 */
export const KARPENTER_REASON_NAMES = ["Launched", "RegistrationTimeout", "Empty", "Underutilized", "DrainFailed"];

/** model: pkg/controllers/disruption/controller.go pollingPeriod: the disruption loop runs every 10 s. */
const DISRUPTION_POLL_NS = 10 * NS_PER.s;

/** What {@link Karpenter} is built from: the Cluster Autoscaler's deps (spec: KARPENTER_ACTUATION) and Karpenter's spec. */
export interface KarpenterDeps extends Omit<ClusterAutoscalerDeps, "karpenter"> {
  karpenterSpec: KarpenterSpec;
}

/**
 * A Karpenter-like provisioner (kubernetes-sigs/karpenter v1), on the Cluster Autoscaler's
 * machinery: its what-if snapshot with the run's own PreFilter/Filter, the binpacking estimate,
 * node join through the API, taint-and-drain with the Eviction API, node-hours and cost.
 * Each instance type of a NodePool is a node group of its own (count 0, rows up to its cap).
 *
 * Provisioning (pkg/controllers/provisioning): a pod the scheduler finds unschedulable opens a
 * batch window or extends it (batcher.go: the window closes batchIdleDuration after the last
 * such pod, at most batchMaxDuration after the first). Then the pods still pending that fit no
 * existing or launching node are packed onto new NodeClaims one at a time: NodePools by weight,
 * the new node filled first-fit decreasing (the estimate of scale-up.ts) as far as its largest
 * instance type holds, and launched as the cheapest instance type that holds those pods
 * (scheduling/nodeclaim.go keeps every type that fits; the launch picks the cheapest,
 * instancetype ordering by price). A NodePool's limits.cpu caps the allocatable cpu of its nodes.
 *
 * Disruption (pkg/controllers/disruption), every 10 s: Empty nodes (no pod but DaemonSet pods)
 * are deleted, then (WhenEmptyOrUnderutilized) one node whose pods all fit on the other nodes
 * (single-node delete consolidation), the one with the fewest pods, or else one whose pods all
 * fit on one node of a cheaper instance type (single-node replace); a node is a candidate
 * once consolidateAfter has passed since it became one, not within the nomination window of its
 * launch, and not holding a pod annotated karpenter.sh/do-not-disrupt or one whose
 * PodDisruptionBudget allows no disruption; at most the NodePool's budgetNodes (default 10%,
 * rounded up) disrupted at a time. The node is tainted (karpenter.sh/disrupted:NoSchedule, as the
 * unschedulable flag), its pods evicted at once through the Eviction API (refusals retried), and
 * its instance deleted once they are gone.
 *
 * Not modelled: multi-node consolidation, drift, expiration,
 * spot interruption, the 15 s consolidation validation, zones/capacity types and offering
 * availability, startup taints, kubelet overhead per instance type (allocatable is given).
 * consolidateAfter counts from the first disruption pass that finds the node a candidate
 * (upstream: from the node's last pod event; up to one 10 s pass later here).
 */
export class Karpenter extends ClusterAutoscaler implements UnschedulableListener {
  override readonly name = "karpenter";
  /** The batch being gathered: when its first pod and its latest pod came (NaN: no batch open). */
  batchOpenedNs = Number.NaN;
  lastPendingNs = Number.NaN;
  private readonly k: KarpenterSpec;
  /** Per node group: its Karpenter NodePool. */
  private readonly nodePoolOf: KarpenterNodePool[];
  private readonly byWeight: KarpenterNodePool[];
  /** The node of the single-node consolidation under way (-1: none yet). */
  private consolidating = -1;
  /** A replacement being launched (its row, -1: none) and the node it replaces. */
  private replacement = -1;
  private replaced = -1;
  /** Per node: since when it is a replace candidate (NaN: it is not). */
  private readonly replaceSince: Float64Array;
  private readonly kBatch: EventKind;
  private readonly kDisrupt: EventKind;

  constructor(d: KarpenterDeps) {
    super({ ...d, reasonNames: KARPENTER_REASON_NAMES, karpenter: true });
    this.k = d.karpenterSpec;
    this.deleteDelayAfterTaintNs = 0;
    this.nodePoolOf = this.groups.groups.map((g) => d.karpenterSpec.nodePools.find((p) => p.pools.includes(g.name))!);
    this.replaceSince = new Float64Array(d.nodes.size).fill(Number.NaN);
    this.byWeight = [...d.karpenterSpec.nodePools].sort((a, b) => b.weight - a.weight);
    this.kBatch = d.engine.register("karpenter.batch", () => this.onBatchTimer());
    this.kDisrupt = d.engine.register("karpenter.disruption", () => this.disrupt());
  }

  override start(): void {
    this.d.engine.schedule(DISRUPTION_POLL_NS, this.kDisrupt);
  }

  /** model: provisioning/batcher.go Trigger: the first pending pod opens a window, each one extends it. */
  onPodUnschedulable(_pod: number): void {
    const now = this.d.engine.now;
    if (Number.isNaN(this.batchOpenedNs)) {
      this.batchOpenedNs = now;
      this.d.engine.schedule(this.k.batchIdleDurationNs, this.kBatch);
    }
    this.lastPendingNs = now;
  }

  private onBatchTimer(): void {
    const now = this.d.engine.now;
    const end = Math.min(
      this.lastPendingNs + this.k.batchIdleDurationNs,
      this.batchOpenedNs + this.k.batchMaxDurationNs,
    );
    if (now < end) {
      this.d.engine.scheduleAt(end, this.kBatch);
      return;
    }
    this.batchOpenedNs = Number.NaN;
    this.provision(now);
  }

  private provision(now: number): void {
    this.scans++;
    const pending = this.unschedulablePods(now);
    if (pending.length === 0) return;
    const snap = this.snap;
    snap.beginScan();
    snap.fork();
    let left = this.stillUnschedulable(pending);
    while (left.groups.length > 0) {
      const o = this.nextNodeClaim(left);
      if (o === undefined) break;
      this.scaleUp(o, now);
      // The launched node and its pods stay in the snapshot: the next NodeClaim packs the rest.
      const row = o.rows[0]!;
      snap.show(row);
      const sched = this.d.scheduler;
      for (const p of o.pods) snap.place(p, sched.groupOfTemplate(this.d.pods.template[p]!), row);
      left = selectPods(left, o.pods, false);
    }
    snap.revert();
  }

  /**
   * One NodeClaim for the pods `left`: in the first NodePool (by weight) where some instance
   * type takes a pod, the pods the type taking the most holds (first-fit decreasing), launched
   * as the cheapest type of that NodePool that holds them all.
   */
  private nextNodeClaim(left: PodGroups): ScaleUpOption | undefined {
    const snap = this.snap;
    for (const np of this.byWeight) {
      const types = this.groups.groups.filter((g) => this.nodePoolOf[g.index] === np && this.canLaunch(np, g));
      let most: ScaleUpOption | undefined;
      for (const g of types) {
        const o = estimate(snap, this.groups, g, left, 1);
        if (o !== undefined && (most === undefined || o.pods.length > most.pods.length)) most = o;
      }
      if (most === undefined) continue;
      const packed = selectPods(left, most.pods, true);
      let best = most;
      for (const g of types) {
        if (g.costPerHour >= best.group.costPerHour) continue;
        const o = estimate(snap, this.groups, g, packed, 1);
        if (o !== undefined && o.pods.length === most.pods.length) best = o;
      }
      return best;
    }
    return undefined;
  }

  /** model: NodePool spec.limits: launching one more node of `g` keeps the NodePool's cpu within its limit. */
  private canLaunch(np: KarpenterNodePool, g: NodeGroup): boolean {
    let cpuMilli = g.cpuMilli;
    for (const h of this.groups.groups)
      if (this.nodePoolOf[h.index] === np) cpuMilli += this.groups.targetSize(h) * h.cpuMilli;
    return cpuMilli <= np.limitCpu * 1000;
  }

  private disrupt(): void {
    const d = this.d;
    const now = d.engine.now;
    d.engine.schedule(DISRUPTION_POLL_NS, this.kDisrupt);
    const groups = this.groups;
    const snap = this.snap;
    snap.beginScan();
    snap.fork();
    const removals = this.planner.update(now);
    snap.revert();
    this.checkReplacement(now);
    const room = new Map<KarpenterNodePool, number>();
    for (const np of this.k.nodePools) room.set(np, this.budget(np));
    for (let i = 0; i < d.nodes.size; i++) {
      const g = groups.groupOf[i]!;
      if (g < 0 || groups.state[i] !== RowState.deleting) continue;
      const np = this.nodePoolOf[g]!;
      room.set(np, room.get(np)! - 1);
    }
    const draining = this.consolidating >= 0 && groups.state[this.consolidating] === RowState.deleting;
    let single: { node: number; pods: number[] } | undefined;
    for (const r of removals) {
      const np = this.nodePoolOf[groups.groupOf[r.node]!]!;
      // model: a node launched within the nomination window (2 x batchMaxDuration) awaits its pods.
      if (now - this.joinedAtNs[r.node]! < 2 * this.k.batchMaxDurationNs) continue;
      if (now - this.planner.unneededSince[r.node]! < np.consolidateAfterNs || room.get(np)! <= 0) continue;
      if (r.pods.length === 0) {
        room.set(np, room.get(np)! - 1);
        this.startRemoval(r.node, r.pods, now, Reason.ScaleDownEmpty);
      } else if (
        np.consolidationPolicy === "WhenEmptyOrUnderutilized" &&
        (single === undefined || r.pods.length < single.pods.length)
      )
        single = r;
    }
    // model: one consolidation command at a time: no new single-node consolidation while one
    // drains or waits for its replacement.
    if (draining || this.replacement >= 0) return;
    if (single !== undefined && room.get(this.nodePoolOf[groups.groupOf[single.node]!]!)! > 0) {
      this.consolidating = single.node;
      this.startRemoval(single.node, single.pods, now, Reason.ScaleDownUnderutilized);
      return;
    }
    this.replaceOne(now, room);
  }

  /**
   * Single-node replace consolidation: a node whose pods fit nowhere else but all on one node
   * of a cheaper instance type of its NodePool (the cheapest such) gets that node launched; it
   * is drained once the replacement has registered (disruption/orchestration waits for the
   * replacement to initialize). Candidates as for delete, the fewest pods first.
   */
  private replaceOne(now: number, room: Map<KarpenterNodePool, number>): void {
    const d = this.d;
    const groups = this.groups;
    const planner = this.planner;
    let best = -1;
    let bestPods = 0;
    for (let n = 0; n < d.nodes.size; n++) {
      const g = groups.groupOf[n]!;
      const candidate =
        g >= 0 &&
        groups.state[n] === RowState.joined &&
        planner.blocker[n] === Blocker.NoPlaceToMovePods &&
        this.nodePoolOf[g]!.consolidationPolicy === "WhenEmptyOrUnderutilized" &&
        now - this.joinedAtNs[n]! >= 2 * this.k.batchMaxDurationNs;
      if (!candidate) {
        this.replaceSince[n] = Number.NaN;
        continue;
      }
      if (Number.isNaN(this.replaceSince[n])) this.replaceSince[n] = now;
      const np = this.nodePoolOf[g]!;
      if (now - this.replaceSince[n]! < np.consolidateAfterNs || room.get(np)! <= 0) continue;
      const pods = d.scheduler.cache.podsOn(n).length;
      if (best < 0 || pods < bestPods) {
        best = n;
        bestPods = pods;
      }
    }
    if (best < 0) return;
    const pods = planner.movablePods(best);
    if (pods === null) return;
    const from = groups.groups[groups.groupOf[best]!]!;
    const np = this.nodePoolOf[from.index]!;
    const cheaper = groups.groups
      .filter((g) => this.nodePoolOf[g.index] === np && g.costPerHour < from.costPerHour && this.canLaunch(np, g))
      .sort((a, b) => a.costPerHour - b.costPerHour || a.index - b.index);
    for (const g of cheaper) {
      const row = this.holdsAll(g, pods);
      if (row < 0) continue;
      this.scaleUp({ group: g, nodeCount: 1, pods, rows: [row], cpuMilli: 0, memBytes: 0 }, now);
      this.replacement = row;
      this.replaced = best;
      return;
    }
  }

  /** A free row of `g` that, shown as a template node, takes every pod of `pods` (moved there); -1 if none. */
  private holdsAll(g: NodeGroup, pods: readonly number[]): number {
    let row = -1;
    for (const r of g.rows)
      if (this.groups.state[r] === RowState.free) {
        row = r;
        break;
      }
    if (row < 0) return -1;
    const snap = this.snap;
    const cache = snap.cache;
    const at = Int32Array.of(row);
    snap.fork();
    snap.show(row);
    let ok = true;
    for (const p of pods) {
      if (snap.findNode(cache.groupOf(p), at, 1, row) < 0) {
        ok = false;
        break;
      }
      snap.move(p, row);
    }
    snap.revert();
    return ok ? row : -1;
  }

  /** The replaced node is drained once its replacement has registered (or forgotten if it never does). */
  private checkReplacement(now: number): void {
    const row = this.replacement;
    if (row < 0) return;
    const state = this.groups.state[row];
    if (state === RowState.provisioning || state === RowState.registering) return;
    this.replacement = -1;
    if (state !== RowState.joined || this.groups.state[this.replaced] !== RowState.joined) return;
    const pods = this.planner.movablePods(this.replaced) ?? [];
    this.consolidating = this.replaced;
    this.startRemoval(this.replaced, pods, now, Reason.ScaleDownUnderutilized);
  }

  /** model: disruption budgets: nodes: N or a percentage of the NodePool's nodes, rounded up. */
  private budget(np: KarpenterNodePool): number {
    if (!np.budgetNodes.percent) return np.budgetNodes.value;
    let n = 0;
    for (const g of this.groups.groups) if (this.nodePoolOf[g.index] === np) n += this.groups.targetSize(g);
    return Math.ceil(n * np.budgetNodes.value);
  }
}

/** The pods of `pg` that are (keep) or are not (!keep) in `pods`, grouped as in `pg`. */
function selectPods(pg: PodGroups, pods: readonly number[], keep: boolean): PodGroups {
  const set = new Set(pods);
  const out: PodGroups = { groups: [], pods: [] };
  pg.groups.forEach((g, i) => {
    const rest = pg.pods[i]!.filter((p) => set.has(p) === keep);
    if (rest.length === 0) return;
    out.groups.push(g);
    out.pods.push(rest);
  });
  return out;
}
