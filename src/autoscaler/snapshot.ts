import type { NodeTable } from "../cluster/node-table.js";
import type { Rng } from "../core/random.js";
import { Framework } from "../scheduler/framework.js";
import type { PodRef } from "../scheduler/plugin.js";
import { hasPodAffinity, type PodSpec } from "../scheduler/pod-spec.js";
import { REGISTRY } from "../scheduler/registry.js";
import type { SchedulerCache } from "../scheduler/scheduler-cache.js";
import type { SchedulerConfig } from "../scheduler/config.js";

/** Kinds of undo records. */
const Undo = { placed: 0, moved: 1, shown: 2 } as const;

/**
 * The Cluster Autoscaler's ClusterSnapshot (simulator/clustersnapshot) over the run's own
 * scheduler cache: what-if placements with Fork / Revert, checked by the run's own PreFilter and
 * Filter plugins (the PredicateChecker). Changes are made to the cache and undone before the
 * scan's event handler returns, so no other component ever sees them.
 *
 * - place: a pending pod assumed onto a node; move: a bound pod moved to another node;
 *   show: a NodeTable row that does not exist (a template or upcoming node) made present and
 *   Ready. Each is logged and undone in reverse order by {@link revert}.
 */
export class ClusterSnapshot {
  readonly cache: SchedulerCache;
  private readonly nodes: NodeTable;
  /** One what-if framework per scheduler profile, its own cycle state (see Framework.prepareFilter). */
  private readonly frameworks: Framework[];
  private readonly profileByName = new Map<string, number>();
  /** Undo log: kind, pod or node, and two operands, four numbers per record. */
  private log: number[] = [];
  private readonly marks: number[] = [];
  /** Per node: bumped on every change there (for the rejection memo). */
  private readonly version: Int32Array;
  /** perf: per node, the last group rejected there and the node's version then. */
  private readonly rejGroup: Int32Array;
  private readonly rejVersion: Int32Array;
  /** The group and cache generation PreFilter last ran for. */
  private preparedGroup = -1;
  private preparedGen = -1;
  private preparedOk = false;
  private readonly ref: PodRef;
  private presenceDirty = false;

  constructor(cache: SchedulerCache, config: SchedulerConfig, rng: Rng) {
    this.cache = cache;
    this.nodes = cache.nodes;
    this.frameworks = config.profiles.map((p, i) => {
      this.profileByName.set(p.resolved.schedulerName, i);
      return new Framework(p.resolved, cache, rng, REGISTRY, p.args);
    });
    const n = cache.nodes.size;
    this.version = new Int32Array(n);
    this.rejGroup = new Int32Array(n).fill(-1);
    this.rejVersion = new Int32Array(n);
    // The reference is filled in by each findNode call; its spec until then is never read.
    this.ref = { pod: -1, group: -1, spec: undefined as unknown as PodSpec };
  }

  /**
   * Starts a scan: the cluster changed since the last one (pods bound and deleted, nodes
   * cordoned or Ready), so remembered rejections and PreFilter results no longer hold.
   */
  beginScan(): void {
    this.rejGroup.fill(-1);
    this.preparedGroup = -1;
  }

  /** Whether some profile schedules pods of group `g`. */
  served(g: number): boolean {
    return this.profileByName.has(this.cache.groups[g]!.schedulerName);
  }

  /** Starts a what-if layer; {@link revert} undoes everything done since. */
  fork(): void {
    this.marks.push(this.log.length);
  }

  /** Ends the innermost layer keeping its changes: the enclosing layer's revert undoes them. */
  keep(): void {
    if (this.marks.pop() === undefined) throw new Error("cluster-autoscaler: snapshot keep without fork");
  }

  /** Undoes the changes of the innermost layer, newest first. */
  revert(): void {
    const mark = this.marks.pop();
    if (mark === undefined) throw new Error("cluster-autoscaler: snapshot revert without fork");
    const log = this.log;
    const cache = this.cache;
    const nodes = this.nodes;
    for (let i = log.length - 4; i >= mark; i -= 4) {
      const kind = log[i]!;
      const a = log[i + 1]!;
      if (kind === Undo.placed) {
        this.version[cache.nodeOf(a)]!++;
        cache.removePod(a);
      } else if (kind === Undo.moved) {
        this.version[cache.nodeOf(a)]!++;
        const g = cache.groupOf(a);
        cache.removePod(a);
        cache.addPod(a, g, log[i + 2]!, log[i + 3]!);
        this.version[log[i + 2]!]!++;
      } else {
        nodes.present[a] = log[i + 2]!;
        nodes.ready[a] = log[i + 3]!;
        this.presenceDirty = true;
      }
    }
    log.length = mark;
    if (this.presenceDirty && this.marks.length === 0) this.syncPresence();
  }

  /** Makes row `node` exist and be Ready in the snapshot (a template or upcoming node). */
  show(node: number): void {
    const nodes = this.nodes;
    this.log.push(Undo.shown, node, nodes.present[node]!, nodes.ready[node]!);
    nodes.present[node] = 1;
    nodes.ready[node] = 1;
    this.version[node]!++;
    this.presenceDirty = true;
  }

  /** Re-reads which nodes exist after {@link show} / {@link revert} (PreFilter plugins walk them). */
  syncPresence(): void {
    if (!this.presenceDirty) return;
    this.presenceDirty = false;
    this.cache.refreshPresence();
    // Which nodes exist is PreFilter input (topology domains): what it computed no longer holds.
    this.preparedGroup = -1;
  }

  /** Assumes pending pod `pod` of group `g` onto `node`. */
  place(pod: number, g: number, node: number): void {
    this.cache.addPod(pod, g, node, 0);
    this.version[node]!++;
    this.log.push(Undo.placed, pod, 0, 0);
  }

  /** Moves bound pod `pod` to `node`, keeping its group and start time for the revert. */
  move(pod: number, node: number): void {
    const cache = this.cache;
    const from = cache.nodeOf(pod);
    const g = cache.groupOf(pod);
    const start = cache.startOf(pod);
    cache.removePod(pod);
    cache.addPod(pod, g, node, start);
    this.version[from]!++;
    this.version[node]!++;
    this.log.push(Undo.moved, pod, from, start);
  }

  /**
   * The first of `candidates[0, count)` where a pod of group `g` passes PreFilter and Filter,
   * trying `hint` first (upstream's hinting: the node the last pod of its kind went to); -1 if
   * none. perf: for a pod whose filters read only its node (no inter-pod affinity or topology
   * spread, and no pod in the cluster with required anti-affinity), a node that rejected the
   * same group and has not changed since is skipped without running the plugins again.
   */
  findNode(g: number, candidates: ArrayLike<number>, count: number, hint: number): number {
    const cache = this.cache;
    const spec = cache.groups[g]!;
    const fw = this.frameworks[this.profileByName.get(spec.schedulerName) ?? -1];
    if (fw === undefined) return -1;
    this.syncPresence();
    const ref = this.ref;
    ref.pod = -1;
    ref.group = g;
    ref.spec = spec;
    const local = spec.spread.length === 0 && !hasPodAffinity(spec) && cache.groupsWithRequiredAnti.length === 0;
    // perf: PreFilter of a node-local pod reads only the pod, so placements do not change it.
    if (this.preparedGroup !== g || (!local && this.preparedGen !== cache.generation)) {
      this.preparedOk = fw.prepareFilter(ref);
      this.preparedGroup = g;
      this.preparedGen = cache.generation;
    }
    if (!this.preparedOk) return -1;
    if (hint >= 0 && this.fits(fw, g, hint, local)) return hint;
    for (let i = 0; i < count; i++) {
      const n = candidates[i]!;
      if (n !== hint && this.fits(fw, g, n, local)) return n;
    }
    return -1;
  }

  private fits(fw: Framework, g: number, node: number, local: boolean): boolean {
    if (local && this.rejGroup[node] === g && this.rejVersion[node] === this.version[node]) return false;
    if (fw.fitsPrepared(this.ref, node)) return true;
    this.rejGroup[node] = g;
    this.rejVersion[node] = this.version[node]!;
    return false;
  }
}
