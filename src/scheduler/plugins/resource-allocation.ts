import { Res } from "../../cluster/resources.js";
import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import { CachePlugin } from "../plugin.js";
import type { PodSpec } from "../pod-spec.js";
import type { SchedulerCache } from "../scheduler-cache.js";
import { MAX_NODE_SCORE } from "./helper.js";

/** Layout of NodeTable.nonZeroRequested: per node, the non-zero cpu then memory requests. */
const NZ = { cpu: 0, mem: 1, stride: 2 } as const;

/** A scored resource: its NodeTable column (-1 when no node has it) and weight. */
export interface ResourceSpec {
  name: string;
  column: number;
  weight: number;
}

/** model: apis/config/v1/defaults.go defaultResourceSpec: cpu and memory, weight 1 each. */
export const DEFAULT_RESOURCES = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
] as const;

/**
 * The `resources` list of the noderesources plugins' args (`[{name, weight}]`).
 * model: a weight left out or 0 defaults to 1; validation allows 1..100.
 */
export function readResourceSpecs(r: YamlReader): { name: string; weight: number }[] {
  return r.list().map((x) => {
    x.object(["name", "weight"]);
    const w = x.get("weight").int({ min: 0, max: 100, default: 0 });
    return { name: x.get("name").str(), weight: w === 0 ? 1 : w };
  });
}

/** model: apis/config/types.go MaxCustomPriorityScore = 10; plugins/noderesources maxUtilization = 100. */
export const MAX_CUSTOM_PRIORITY_SCORE = 10;
const MAX_UTILIZATION = 100;
/**
 * perf: a module-local alias of MAX_NODE_SCORE for the functions the hot loops inline (V8 on
 * Node 20 folds a module's own const bindings, not imported ones).
 */
const MAX_SCORE = MAX_NODE_SCORE;

/** Whether a resource is a "scalar" resource (extended, hugepages...) in upstream's sense. */
export function isScalarResource(name: string): boolean {
  return name !== "cpu" && name !== "memory" && name !== "ephemeral-storage" && name !== "pods";
}

/**
 * Go's int64 quotient (truncated toward zero) of integers held in doubles.
 * perf: exact for |a| < 2^53 and quotients of at most a few hundred, which is all scores need.
 */
function idiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/**
 * LeastAllocated of one resource: the unused share of its capacity, 0..100 (0 over capacity or
 * with no capacity). model: least_allocated.go leastRequestedScore.
 * perf: `| 0` truncates the quotient (in [0, 100]) exactly, and capacity 0 gives NaN | 0 = 0,
 * upstream's 0, without a branch.
 */
export function leastAllocated(requested: number, capacity: number): number {
  return requested > capacity ? 0 : (((capacity - requested) * MAX_SCORE) / capacity) | 0;
}

/**
 * MostAllocated of one resource: the used share of its capacity, 0..100, the request clamped to
 * the capacity (0 with no capacity). model: most_allocated.go mostRequestedScore.
 * perf: as leastAllocated, `| 0` truncates and maps capacity 0 (NaN) to 0.
 */
export function mostAllocated(requested: number, capacity: number): number {
  return (((requested > capacity ? capacity : requested) * MAX_SCORE) / capacity) | 0;
}

/**
 * LeastAllocated (or MostAllocated when `most`) over cpu and memory: the weighted integer mean
 * of the two resources' scores, a resource with no capacity left out (0 when neither has any).
 * Every fast path of NodeResourcesFit calls this; the general scorers below compute the same
 * mean over any resources. model: least_allocated.go leastResourceScorer, most_allocated.go
 * mostResourceScorer.
 * perf: small and pure on numbers, so V8 inlines it into the hot loops; equal weights (the
 * default 1 and 1) average by a shift, which is the truncated mean of two integers in [0, 100].
 */
export function allocatedCpuMem(
  most: boolean,
  cpuReq: number,
  cpuCap: number,
  cpuWeight: number,
  memReq: number,
  memCap: number,
  memWeight: number,
): number {
  let sc: number;
  let sm: number;
  if (most) {
    sc = mostAllocated(cpuReq, cpuCap);
    sm = mostAllocated(memReq, memCap);
  } else {
    sc = leastAllocated(cpuReq, cpuCap);
    sm = leastAllocated(memReq, memCap);
  }
  if (cpuWeight === memWeight && cpuCap !== 0 && memCap !== 0) return (sc + sm) >> 1;
  const wc = cpuCap !== 0 ? cpuWeight : 0;
  const wm = memCap !== 0 ? memWeight : 0;
  return wc + wm === 0 ? 0 : idiv(sc * wc + sm * wm, wc + wm);
}

/** A scoring strategy over per-resource (requested, allocatable) pairs; alloc 0 means "skip". */
export type ScorerFn = (requested: Float64Array, allocatable: Float64Array, n: number) => number;

/**
 * The weighted integer mean of `perResource` over the resources that have allocatable.
 * model: least_allocated.go leastResourceScorer, most_allocated.go mostResourceScorer.
 */
function weightedMeanScorer(
  weights: readonly number[],
  perResource: (requested: number, capacity: number) => number,
): ScorerFn {
  return (req, alloc, n) => {
    let score = 0;
    let wsum = 0;
    for (let i = 0; i < n; i++) {
      if (alloc[i] === 0) continue;
      score += perResource(req[i]!, alloc[i]!) * weights[i]!;
      wsum += weights[i]!;
    }
    return wsum === 0 ? 0 : idiv(score, wsum);
  };
}

/** The LeastAllocated strategy over any resources. model: least_allocated.go leastResourceScorer. */
export function leastResourceScorer(weights: readonly number[]): ScorerFn {
  return weightedMeanScorer(weights, leastAllocated);
}

/** The MostAllocated strategy over any resources. model: most_allocated.go mostResourceScorer. */
export function mostResourceScorer(weights: readonly number[]): ScorerFn {
  return weightedMeanScorer(weights, mostAllocated);
}

/** A point of a RequestedToCapacityRatio shape: utilization 0..100, score 0..10. */
export interface ShapePoint {
  utilization: number;
  score: number;
}

/**
 * The piecewise-linear function through `shape` (scores already scaled), in integer arithmetic.
 * model: plugins/helper/shape_score.go BuildBrokenLinearFunction.
 */
export function brokenLinear(shape: readonly ShapePoint[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      if (p <= shape[i]!.utilization) {
        if (i === 0) return shape[0]!.score;
        const a = shape[i - 1]!;
        const b = shape[i]!;
        return a.score + idiv((b.score - a.score) * (p - a.utilization), b.utilization - a.utilization);
      }
    }
    return shape[shape.length - 1]!.score;
  };
}

/**
 * The RequestedToCapacityRatio strategy: shape scores scaled by MaxNodeScore /
 * MaxCustomPriorityScore, per-resource score of floor(requested * 100 / capacity) utilization
 * (100 when over capacity), resources scoring 0 left out, weighted mean rounded half away from
 * zero. model: requested_to_capacity_ratio.go requestedToCapacityRatioScorer.
 */
export function requestedToCapacityRatioScorer(weights: readonly number[], shape: readonly ShapePoint[]): ScorerFn {
  const scale = MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE;
  const f = brokenLinear(shape.map((p) => ({ utilization: p.utilization, score: p.score * scale })));
  const resourceScore = (requested: number, capacity: number) =>
    capacity === 0 || requested > capacity ? f(MAX_UTILIZATION) : f(idiv(requested * MAX_UTILIZATION, capacity));
  return (req, alloc, n) => {
    let score = 0;
    let wsum = 0;
    for (let i = 0; i < n; i++) {
      if (alloc[i] === 0) continue;
      const s = resourceScore(req[i]!, alloc[i]!);
      if (s > 0) {
        score += s * weights[i]!;
        wsum += weights[i]!;
      }
    }
    return wsum === 0 ? 0 : Math.round(score / wsum);
  };
}

/** A requested fraction of an allocatable quantity, capped at 1. model: balanced_allocation.go. */
export function requestedFraction(requested: number, allocatable: number): number {
  const f = requested / allocatable;
  return f > 1 ? 1 : f;
}

/**
 * BalancedAllocation of two requested fractions (capped at 1): 100 x (1 - std), truncated, with
 * std = |f1 - f2| / 2. model: balanced_allocation.go balancedResourceScorer (two resources).
 * perf: small and pure on numbers, so V8 inlines it into the cpu + memory hot loops.
 */
export function balancedAllocation2(f1: number, f2: number): number {
  return Math.trunc((1 - Math.abs((f1 - f2) / 2)) * MAX_SCORE);
}

/**
 * BalancedAllocation of the n requested fractions fr[0..n) (each capped at 1): 100 x (1 - std),
 * truncated, where std is the population standard deviation of the fractions (divided by n, not
 * n - 1), |f1 - f2| / 2 for two (see balancedAllocation2) and 0 for fewer.
 * model: balanced_allocation.go balancedResourceScorer.
 */
export function balancedAllocation(fr: Float64Array, n: number): number {
  if (n === 2) return balancedAllocation2(fr[0]!, fr[1]!);
  let std = 0;
  if (n > 2) {
    let total = 0;
    for (let i = 0; i < n; i++) total += fr[i]!;
    const mean = total / n;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (fr[i]! - mean) * (fr[i]! - mean);
    std = Math.sqrt(sum / n);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/**
 * The BalancedAllocation strategy over (requested, allocatable) pairs: the fractions of the
 * resources that have allocatable, then {@link balancedAllocation}. The fractions are compacted
 * into req[0..count) (the caller's scratch: {@link ResourceAllocationScorer} passes its own).
 */
export function balancedResourceScorer(req: Float64Array, alloc: Float64Array, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (alloc[i] === 0) continue;
    // count <= i: position i is read before position count is written.
    req[count++] = requestedFraction(req[i]!, alloc[i]!);
  }
  return balancedAllocation(req, count);
}

/**
 * The base of the two noderesources Score plugins (NodeResourcesFit's strategies and
 * NodeResourcesBalancedAllocation): their scores are final, in [0, 100], so there is no
 * NormalizeScore and Score is scoreInto with weight 1 from zero.
 */
export abstract class ResourceScorePlugin extends CachePlugin {
  readonly normalizes = false;

  /** Raw scores: the totals of scoreInto with weight 1 from zero (no NormalizeScore). */
  score(s: CycleState, pod: fw.PodRef, list: Int32Array, n: number, out: Float64Array): number {
    out.fill(0, 0, n);
    return this.scoreInto(s, pod, list, n, out, 1);
  }

  normalizeScore(): void {}

  /** Adds w x each node's score to totals[0..n); returns PER_NODE_SCORES. */
  abstract scoreInto(
    s: CycleState,
    pod: fw.PodRef,
    list: Int32Array,
    n: number,
    totals: Float64Array,
    w: number,
  ): number;
}

/**
 * The shared part of the resource scorers (upstream resourceAllocationScorer): per resource,
 * the node's allocatable and requested (the node's non-zero requests for cpu and memory unless
 * `useRequested`, plus the pod's), then a strategy function.
 */
export class ResourceAllocationScorer {
  readonly resources: readonly ResourceSpec[];
  readonly useRequested: boolean;
  private readonly scorer: ScorerFn;
  private readonly cache: SchedulerCache;
  /** perf: scratch of score(), rewritten by every call (no state between calls). */
  private readonly reqBuf: Float64Array;
  private readonly allocBuf: Float64Array;
  /**
   * The pod's requests per scored resource as the last computePodRequests left them: scratch
   * that every extension point which reads it recomputes first (no state between PreScore and
   * Score).
   */
  readonly podRequests: Float64Array;

  constructor(
    cache: SchedulerCache,
    resources: readonly { name: string; weight: number }[],
    useRequested: boolean,
    scorer: (weights: number[]) => ScorerFn,
  ) {
    this.cache = cache;
    this.resources = resources.map((r) => ({ name: r.name, weight: r.weight, column: cache.resources.lookup(r.name) }));
    this.useRequested = useRequested;
    this.scorer = scorer(this.resources.map((r) => r.weight));
    this.reqBuf = new Float64Array(resources.length);
    this.allocBuf = new Float64Array(resources.length);
    this.podRequests = new Float64Array(resources.length);
  }

  /** The pod's request per scored resource (non-zero defaults for cpu/memory unless useRequested). */
  computePodRequests(spec: PodSpec): Float64Array {
    const out = this.podRequests;
    for (let i = 0; i < this.resources.length; i++) {
      const r = this.resources[i]!;
      if (r.column === Res.cpu) out[i] = this.useRequested ? spec.requests[Res.cpu]! : spec.nonZeroCpuMilli;
      else if (r.column === Res.memory) out[i] = this.useRequested ? spec.requests[Res.memory]! : spec.nonZeroMemBytes;
      else out[i] = r.column < 0 ? 0 : (spec.requests[r.column] ?? 0);
    }
    return out;
  }

  /** Whether every scored request is zero (upstream isBestEffortPod). */
  bestEffort(): boolean {
    for (let i = 0; i < this.podRequests.length; i++) if (this.podRequests[i] !== 0) return false;
    return true;
  }

  /** totals[i] += w x the score of node list[i] for i < n, after computePodRequests. */
  addScores(list: Int32Array, n: number, totals: Float64Array, w: number): void {
    for (let i = 0; i < n; i++) totals[i]! += this.score(list[i]!) * w;
  }

  /** Score of one node, after computePodRequests. model: resource_allocation.go score. */
  score(node: number): number {
    const nodes = this.cache.nodes;
    const R = nodes.resourceCount;
    const base = node * R;
    const { allocatable: alloc, requested: reqd, nonZeroRequested: nz } = nodes;
    const { reqBuf: rb, allocBuf: ab, podRequests: pr, resources: res } = this;
    for (let i = 0; i < res.length; i++) {
      const c = res[i]!.column;
      const podReq = pr[i]!;
      rb[i] = 0;
      ab[i] = 0;
      if (c < 0 || c === Res.pods) continue;
      // model: calculateResourceAllocatableRequest: an extended resource the pod does not request is left out.
      if (podReq === 0 && c >= Res.ephemeralStorage + 1) continue;
      const a = alloc[base + c]!;
      if (a === 0) continue;
      ab[i] = a;
      if (c === Res.cpu) rb[i] = (this.useRequested ? reqd[base + c]! : nz[node * NZ.stride + NZ.cpu]!) + podReq;
      else if (c === Res.memory)
        rb[i] = (this.useRequested ? reqd[base + c]! : nz[node * NZ.stride + NZ.mem]!) + podReq;
      else rb[i] = reqd[base + c]! + podReq;
    }
    return this.scorer(rb, ab, res.length);
  }
}
