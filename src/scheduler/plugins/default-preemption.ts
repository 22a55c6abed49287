import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { Rng } from "../../core/random.js";
import { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import { CachePlugin } from "../plugin.js";
import { Code, rejected, SUCCESS } from "../status.js";
import { argsObject } from "./simple-args.js";

/** A node where preempting `victims` (most important first) lets the pod fit. */
export interface Candidate {
  node: number;
  victims: number[];
}

/**
 * DefaultPreemption (PDB-free): when no node fits, among the nodes that rejected the pod as
 * Unschedulable (not Unresolvable) it dry-runs, from a random offset, removing every lower
 * priority pod, checks the pod then fits, and reprieves victims from the most important down
 * while it still fits; it stops after max(10% of those nodes, 100) candidates and picks one by
 * upstream's criteria (lowest highest victim priority, lowest priority sum, fewest victims,
 * latest start of the highest-priority victims, first). model: plugins/defaultpreemption and
 * framework/preemption/preemption.go (DryRunPreemption, SelectCandidate, pickOneNodeForPreemption).
 */
export class DefaultPreemption extends CachePlugin implements fw.PostFilterPlugin {
  static readonly points: readonly fw.PointsOf<DefaultPreemption>[] = ["postFilter"];
  readonly name = "DefaultPreemption";
  private readonly h: fw.Handle;
  private readonly rng: Rng;
  readonly minCandidateNodesPercentage: number;
  readonly minCandidateNodesAbsolute: number;

  constructor(h: fw.Handle, args: YamlReader | null) {
    super(h);
    this.h = h;
    this.rng = h.rng;
    const a = argsObject(args, ["minCandidateNodesPercentage", "minCandidateNodesAbsolute"]);
    // model: apis/config/v1/defaults.go SetDefaults_DefaultPreemptionArgs: 10% and 100.
    this.minCandidateNodesPercentage =
      a === null ? 10 : a.get("minCandidateNodesPercentage").int({ min: 0, max: 100, default: 10 });
    this.minCandidateNodesAbsolute =
      a === null ? 100 : a.get("minCandidateNodesAbsolute").int({ min: 0, default: 100 });
  }

  /** model: default_preemption.go calculateNumCandidates. */
  numCandidates(numNodes: number): number {
    let n = Math.trunc((numNodes * this.minCandidateNodesPercentage) / 100);
    if (n < this.minCandidateNodesAbsolute) n = this.minCandidateNodesAbsolute;
    if (n > numNodes) n = numNodes;
    return n;
  }

  postFilter(_state: CycleState, pod: fw.PodRef, diag: fw.Diagnosis): fw.PostFilterResult {
    const fail = (msg: string): fw.PostFilterResult => ({
      status: rejected(Code.Unschedulable, msg),
      nominatedNode: -1,
      victims: [],
    });
    if (pod.spec.preemptNever) return fail("not eligible due to preemptionPolicy=Never.");
    const potential: number[] = [];
    if (diag.preFilterStatus !== null) {
      if (diag.preFilterStatus.code === Code.Unschedulable)
        for (let i = 0; i < this.cache.nodes.size; i++) potential.push(i);
    } else
      for (let i = 0; i < diag.count; i++)
        if (diag.code[diag.nodes[i]!] === Code.Unschedulable) potential.push(diag.nodes[i]!);
    if (potential.length === 0)
      return fail(
        `0/${this.cache.nodes.size} nodes are available: ${this.cache.nodes.size} Preemption is not helpful for scheduling.`,
      );
    // model: GetOffsetAndNumCandidates: a random offset and max(10% of nodes, 100) candidates.
    const offset = Math.floor(this.rng.next() * potential.length);
    const want = this.numCandidates(potential.length);
    const candidates: Candidate[] = [];
    for (let i = 0; i < potential.length && candidates.length < want; i++) {
      const node = potential[(offset + i) % potential.length]!;
      const victims = this.selectVictimsOnNode(pod, node);
      if (victims !== null) candidates.push({ node, victims });
    }
    if (candidates.length === 0)
      return fail(
        `0/${this.cache.nodes.size} nodes are available: ${potential.length} No preemption victims found for incoming pod.`,
      );
    const best = this.pickOne(candidates);
    return { status: SUCCESS, nominatedNode: best.node, victims: best.victims };
  }

  private fits(pod: fw.PodRef, node: number): boolean {
    const st = new CycleState();
    const pre = this.h.runPreFilters(st, pod);
    if (!pre.isSuccess) return false;
    return this.h.runFilters(st, pod, node).isSuccess;
  }

  /**
   * The victims on `node` (most important first), or null when removing every lower priority
   * pod is not enough. The cache is restored before returning.
   */
  selectVictimsOnNode(pod: fw.PodRef, node: number): number[] | null {
    const cache = this.cache;
    const prio = pod.spec.priority;
    const lower = cache.podsOn(node).filter((p) => cache.groups[cache.groupOf(p)]!.priority < prio);
    if (lower.length === 0) return null;
    const saved = lower.map((p) => ({ p, g: cache.groupOf(p), start: cache.startOf(p) }));
    for (const p of lower) cache.removePod(p);
    const restore = (still: readonly { p: number; g: number; start: number }[]) => {
      for (const v of still) cache.addPod(v.p, v.g, node, v.start);
    };
    if (!this.fits(pod, node)) {
      restore(saved);
      return null;
    }
    // model: util.MoreImportantPod: higher priority first, then the earlier start time.
    saved.sort((a, b) => cache.groups[b.g]!.priority - cache.groups[a.g]!.priority || a.start - b.start || a.p - b.p);
    const victims: typeof saved = [];
    for (const v of saved) {
      cache.addPod(v.p, v.g, node, v.start);
      if (!this.fits(pod, node)) {
        cache.removePod(v.p);
        victims.push(v);
      }
    }
    restore(victims);
    return victims.map((v) => v.p);
  }

  /** model: preemption.go pickOneNodeForPreemption (no PDB violations to count here). */
  pickOne(candidates: readonly Candidate[]): Candidate {
    const cache = this.cache;
    const prioOf = (p: number) => cache.groups[cache.groupOf(p)]!.priority;
    let rest = [...candidates];
    const keepMin = (f: (c: Candidate) => number) => {
      let best = Infinity;
      for (const c of rest) best = Math.min(best, f(c));
      rest = rest.filter((c) => f(c) === best);
    };
    keepMin((c) => (c.victims.length === 0 ? -Infinity : prioOf(c.victims[0]!)));
    // model: sum of (priority + MaxInt32 + 1) so that fewer victims win on equal priorities.
    keepMin((c) => c.victims.reduce((s, p) => s + prioOf(p) + 2147483648, 0));
    keepMin((c) => c.victims.length);
    keepMin((c) => {
      // model: GetEarliestPodStartTime among the highest-priority victims; the latest wins.
      if (c.victims.length === 0) return -Infinity;
      const top = prioOf(c.victims[0]!);
      let earliest = Infinity;
      for (const p of c.victims) if (prioOf(p) === top) earliest = Math.min(earliest, cache.startOf(p));
      return -earliest;
    });
    return rest[0]!;
  }
}
