import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { CycleState } from "../cycle-state.js";
import { Res } from "../../cluster/resources.js";
import type * as fw from "../plugin.js";
import { PER_NODE_SCORES } from "../plugin.js";
import { HOT_SHIFT } from "../scheduler-cache.js";
import { SKIP, SUCCESS, type Status } from "../status.js";
import { hotBalanced as hotBalancedScore, HotScore } from "./hot-scores.js";
import {
  balancedResourceScorer,
  DEFAULT_RESOURCES,
  readResourceSpecs,
  ResourceAllocationScorer,
  ResourceScorePlugin,
} from "./resource-allocation.js";
import { argsObject } from "./simple-args.js";

/**
 * perf: module-local aliases of imported constants and functions used per node (V8 on Node 20
 * folds a module's own const bindings, not imported ones; see node-resources-fit.ts).
 */
const SHIFT = HOT_SHIFT;
const hotBalanced = hotBalancedScore;

/**
 * NodeResourcesBalancedAllocation: favours nodes whose requested fractions of the configured
 * resources (cpu and memory by default) would be close to each other, using the pods' actual
 * requests (no non-zero defaults). PreScore skips best-effort pods (v1.33+, kubernetes#129138).
 * model: plugins/noderesources/balanced_allocation.go.
 */
export class NodeResourcesBalancedAllocation extends ResourceScorePlugin implements fw.PreScorePlugin, fw.ScorePlugin {
  static readonly points: readonly fw.PointsOf<NodeResourcesBalancedAllocation>[] = ["preScore", "score"];
  readonly name = "NodeResourcesBalancedAllocation";
  private readonly scorer: ResourceAllocationScorer;
  /** Whether the scored resources are exactly cpu and memory (the hot-line fast path). */
  private readonly cpuMem: boolean;
  /** Over cpu and memory, the score as a hot-line formula (see HotScore), else null. */
  readonly hotScore: fw.HotScoreTerm | null;

  constructor(h: fw.Handle, args: YamlReader | null) {
    super(h);
    const a = argsObject(args, ["resources"]);
    let resources: { name: string; weight: number }[] = [...DEFAULT_RESOURCES];
    if (a?.get("resources").present) resources = readResourceSpecs(a.get("resources"));
    this.scorer = new ResourceAllocationScorer(h.cache, resources, true, () => balancedResourceScorer);
    const rs = this.scorer.resources;
    this.cpuMem = rs.length === 2 && rs[0]!.column === Res.cpu && rs[1]!.column === Res.memory;
    this.hotScore = this.cpuMem ? { kind: HotScore.balanced, cpuWeight: 1, memWeight: 1 } : null;
  }

  preScore(_s: CycleState, pod: fw.PodRef): Status {
    this.scorer.computePodRequests(pod.spec);
    return this.scorer.bestEffort() ? SKIP : SUCCESS;
  }

  /**
   * Score added straight into the totals (no NormalizeScore; scores are in [50, 100]).
   * perf: over cpu and memory, a module kernel over the cache's hot lines.
   */
  scoreInto(_s: CycleState, pod: fw.PodRef, list: Int32Array, n: number, totals: Float64Array, w: number): number {
    const pr = this.scorer.computePodRequests(pod.spec);
    if (this.cpuMem) balancedInto(this.cache.hot, list, n, pr[0]!, pr[1]!, totals, w);
    else this.scorer.addScores(list, n, totals, w);
    return PER_NODE_SCORES;
  }

  /**
   * Over cpu and memory the score reads only the node's hot line and the pod's cpu and memory
   * requests: the framework may memoize it (see localScore).
   */
  localKey(pod: fw.PodRef, key: Float64Array, at: number): boolean {
    if (!this.cpuMem) return false;
    key[at] = pod.spec.requests[Res.cpu]!;
    key[at + 1] = pod.spec.requests[Res.memory]!;
    return true;
  }

  /** The score of one node, as score() computes it (after localKey). */
  localScore(pod: fw.PodRef, node: number): number {
    const r = pod.spec.requests;
    return hotBalanced(this.cache.hot, node << SHIFT, r[Res.cpu]!, r[Res.memory]!);
  }
}

/**
 * totals[i] += w x the cpu + memory balanced-allocation score of list[i], as score() computes it.
 * perf: a module function over the cache's hot lines.
 */
function balancedInto(
  h: Float64Array,
  list: Int32Array,
  n: number,
  pc: number,
  pm: number,
  totals: Float64Array,
  w: number,
): void {
  for (let i = 0; i < n; i++) totals[i]! += hotBalanced(h, list[i]! << SHIFT, pc, pm) * w;
}
