import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { Rng } from "../../core/random.js";
import { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import { CachePlugin, KEEP_NOMINATION } from "../plugin.js";
import { Code, rejected, SUCCESS } from "../status.js";
import { argsObject } from "./simple-args.js";

/** A node where preempting `victims` (most important first) lets the pod fit. */
export interface Candidate {
  node: number;
  victims: number[];
  /** Victims whose eviction a PodDisruptionBudget does not allow (upstream NumPDBViolations). */
  pdbViolations: number;
}

/** A victim taken off its node during a dry run: pod, group and start time, to put it back. */
interface Removed {
  p: number;
  g: number;
  start: number;
}

/**
 * DefaultPreemption: when no node fits, and the pod may preempt (PodEligibleToPreemptOthers:
 * not preemptionPolicy Never; no pod of lower priority still terminating by preemption on its
 * nominated node), it dry-runs, on the nodes that rejected the pod as Unschedulable (not
 * Unresolvable) from a random offset, removing every lower priority pod, checks the pod then
 * fits, and reprieves victims (those whose PodDisruptionBudget would be violated first, each
 * group from the most important down) while it still fits. It stops once it has max(10% of
 * those nodes, 100) candidates with at least one that violates no budget, and picks one by
 * upstream's criteria in order: fewest budget violations, lowest highest victim priority,
 * lowest priority sum, fewest victims, latest start of the highest-priority victims, first.
 * model: plugins/defaultpreemption/default_preemption.go (PodEligibleToPreemptOthers,
 * SelectVictimsOnNode, filterPodsWithPDBViolation) and framework/preemption/preemption.go
 * (findCandidates, DryRunPreemption, SelectCandidate, pickOneNodeForPreemption).
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
    const fail = (msg: string, nominatedNode: number): fw.PostFilterResult => ({
      status: rejected(Code.Unschedulable, msg),
      nominatedNode,
      victims: [],
      pdbViolations: 0,
    });
    const notEligible = this.notEligible(pod, diag);
    // model: Preempt returns a nil result when the pod is not eligible: its nomination stays.
    if (notEligible !== "") return fail(notEligible, KEEP_NOMINATION);
    const potential: number[] = [];
    if (diag.preFilterStatus !== null) {
      if (diag.preFilterStatus.code === Code.Unschedulable)
        for (let i = 0; i < this.cache.nodes.size; i++) potential.push(i);
    } else
      for (let i = 0; i < diag.count; i++)
        if (diag.code[diag.nodes[i]!] === Code.Unschedulable) potential.push(diag.nodes[i]!);
    // model: no candidate is a FitError with NominatedNodeName "" (the nomination is cleared).
    if (potential.length === 0)
      return fail(
        `0/${this.cache.nodes.size} nodes are available: ${this.cache.nodes.size} Preemption is not helpful for scheduling.`,
        -1,
      );
    const candidates = this.dryRun(pod, potential);
    if (candidates.length === 0)
      return fail(
        `0/${this.cache.nodes.size} nodes are available: ${potential.length} No preemption victims found for incoming pod.`,
        -1,
      );
    const best = this.pickOne(candidates);
    return { status: SUCCESS, nominatedNode: best.node, victims: best.victims, pdbViolations: best.pdbViolations };
  }

  /**
   * Why the pod may not preempt ("" when it may). model: PodEligibleToPreemptOthers: never with
   * preemptionPolicy Never; with a nominated node that the filters did not find
   * UnschedulableAndUnresolvable, not while a lower-priority pod there is terminating by
   * preemption (its victims have not gone yet): podTerminatingByPreemption, a deletionTimestamp
   * and DisruptionTarget reason PreemptionByScheduler (earlier releases waited on any
   * terminating lower-priority pod).
   */
  notEligible(pod: fw.PodRef, diag: fw.Diagnosis): string {
    if (pod.spec.preemptNever) return "not eligible due to preemptionPolicy=Never.";
    const nom = this.cache.nominated.get(pod.pod);
    if (nom === undefined) return "";
    const code = diag.preFilterStatus !== null ? diag.preFilterStatus.code : diag.code[nom];
    if (code === Code.UnschedulableAndUnresolvable) return "";
    const cache = this.cache;
    for (const p of cache.podsOn(nom))
      if (cache.priorityOf(p) < pod.spec.priority && cache.terminatingByPreemption(p))
        return "not eligible due to a terminating pod on the nominated node.";
    return "";
  }

  /**
   * model: DryRunPreemption from GetOffsetAndNumCandidates' random offset: candidates that violate
   * no budget, then those that do, each list holding at most numCandidates; it stops once there
   * are numCandidates in all with at least one of the first kind.
   */
  dryRun(pod: fw.PodRef, potential: readonly number[]): Candidate[] {
    const offset = Math.floor(this.rng.next() * potential.length);
    const want = this.numCandidates(potential.length);
    const clean: Candidate[] = [];
    const violating: Candidate[] = [];
    for (let i = 0; i < potential.length; i++) {
      const c = this.selectVictimsOnNode(pod, potential[(offset + i) % potential.length]!);
      if (c === null) continue;
      const list = c.pdbViolations === 0 ? clean : violating;
      if (list.length < want) list.push(c);
      if (clean.length > 0 && clean.length + violating.length >= want) break;
    }
    return clean.concat(violating);
  }

  private fits(pod: fw.PodRef, node: number): boolean {
    const st = new CycleState();
    const pre = this.h.runPreFilters(st, pod);
    if (!pre.isSuccess) return false;
    return this.h.runFilters(st, pod, node).isSuccess;
  }

  /**
   * The victims on `node` (most important first) and how many of them violate a budget, or null
   * when removing every lower priority pod is not enough. The cache is restored before returning.
   */
  selectVictimsOnNode(pod: fw.PodRef, node: number): Candidate | null {
    const cache = this.cache;
    const prio = pod.spec.priority;
    const lower: Removed[] = [];
    for (const p of cache.podsOn(node))
      if (cache.priorityOf(p) < prio) lower.push({ p, g: cache.groupOf(p), start: cache.startOf(p) });
    if (lower.length === 0) return null;
    for (const v of lower) cache.removePod(v.p);
    if (!this.fits(pod, node)) {
      for (const v of lower) cache.addPod(v.p, v.g, node, v.start);
      return null;
    }
    // model: util.MoreImportantPod: higher priority first, then the earlier start time.
    const moreImportant = (a: Removed, b: Removed) =>
      cache.groups[b.g]!.priority - cache.groups[a.g]!.priority || a.start - b.start || a.p - b.p;
    lower.sort(moreImportant);
    const violatingSet = this.violatingBudgets(lower);
    const victims: Removed[] = [];
    let pdbViolations = 0;
    // Reprieve the budget-violating victims first, then the others, each from the most important.
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < lower.length; i++) {
        if (violatingSet[i] !== (pass === 0)) continue;
        const v = lower[i]!;
        cache.addPod(v.p, v.g, node, v.start);
        if (this.fits(pod, node)) continue;
        cache.removePod(v.p);
        victims.push(v);
        if (pass === 0) pdbViolations++;
      }
    }
    let nViolating = 0;
    for (const v of violatingSet) if (v) nViolating++;
    if (nViolating > 0 && nViolating < lower.length) victims.sort(moreImportant);
    for (const v of victims) cache.addPod(v.p, v.g, node, v.start);
    return { node, victims: victims.map((v) => v.p), pdbViolations };
  }

  /**
   * Per pod of `pods` (in order), whether evicting it (after the ones before it) violates a
   * budget. model: filterPodsWithPDBViolation: each matching budget not listing the pod in
   * disruptedPods is decremented; a pod is violating when one of them goes below zero.
   */
  private violatingBudgets(pods: readonly Removed[]): boolean[] {
    const out = new Array<boolean>(pods.length).fill(false);
    const b = this.cache.budgets;
    if (b === null) return out;
    const left = new Map<number, number>();
    for (let i = 0; i < pods.length; i++) {
      const p = pods[i]!.p;
      for (const x of b.of(p)) {
        // model: a pod in the budget's disruptedPods was already counted by the API server.
        if (b.isDisrupted(p, x)) continue;
        const n = (left.get(x) ?? b.allowed(x)) - 1;
        left.set(x, n);
        if (n < 0) out[i] = true;
      }
    }
    return out;
  }

  /** model: preemption.go pickOneNodeForPreemption with the default score functions, in order. */
  pickOne(candidates: readonly Candidate[]): Candidate {
    const cache = this.cache;
    let rest = [...candidates];
    const keepMin = (f: (c: Candidate) => number) => {
      let best = Infinity;
      for (const c of rest) best = Math.min(best, f(c));
      rest = rest.filter((c) => f(c) === best);
    };
    keepMin((c) => c.pdbViolations);
    keepMin((c) => (c.victims.length === 0 ? -Infinity : cache.priorityOf(c.victims[0]!)));
    // model: sum of (priority + MaxInt32 + 1) so that fewer victims win on equal priorities.
    keepMin((c) => c.victims.reduce((s, p) => s + cache.priorityOf(p) + 2147483648, 0));
    keepMin((c) => c.victims.length);
    keepMin((c) => {
      // model: GetEarliestPodStartTime among the highest-priority victims; the latest wins.
      if (c.victims.length === 0) return -Infinity;
      const top = cache.priorityOf(c.victims[0]!);
      let earliest = Infinity;
      for (const p of c.victims) if (cache.priorityOf(p) === top) earliest = Math.min(earliest, cache.startOf(p));
      return -earliest;
    });
    return rest[0]!;
  }
}
