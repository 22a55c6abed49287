import { Res } from "../../cluster/resources.js";
import type { PodSpec } from "../pod-spec.js";
import type { SchedulerCache } from "../scheduler-cache.js";
import { MAX_NODE_SCORE } from "./helper.js";

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

/** model: apis/config/types.go MaxCustomPriorityScore = 10; plugins/noderesources maxUtilization = 100. */
export const MAX_CUSTOM_PRIORITY_SCORE = 10;
const MAX_UTILIZATION = 100;

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

/** model: least_allocated.go leastRequestedScore. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return idiv((capacity - requested) * MAX_NODE_SCORE, capacity);
}

/** model: most_allocated.go mostRequestedScore (requested is clamped to capacity). */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  const r = requested > capacity ? capacity : requested;
  return idiv(r * MAX_NODE_SCORE, capacity);
}

/** A scoring strategy over per-resource (requested, allocatable) pairs; alloc 0 means "skip". */
export type ScorerFn = (requested: Float64Array, allocatable: Float64Array, n: number) => number;

/** model: least_allocated.go leastResourceScorer: weighted integer mean of per-resource scores. */
export function leastResourceScorer(weights: readonly number[]): ScorerFn {
  return (req, alloc, n) => {
    let score = 0;
    let wsum = 0;
    for (let i = 0; i < n; i++) {
      if (alloc[i] === 0) continue;
      score += leastRequestedScore(req[i]!, alloc[i]!) * weights[i]!;
      wsum += weights[i]!;
    }
    return wsum === 0 ? 0 : idiv(score, wsum);
  };
}

/** model: most_allocated.go mostResourceScorer. */
export function mostResourceScorer(weights: readonly number[]): ScorerFn {
  return (req, alloc, n) => {
    let score = 0;
    let wsum = 0;
    for (let i = 0; i < n; i++) {
      if (alloc[i] === 0) continue;
      score += mostRequestedScore(req[i]!, alloc[i]!) * weights[i]!;
      wsum += weights[i]!;
    }
    return wsum === 0 ? 0 : idiv(score, wsum);
  };
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
 * model: requested_to_capacity_ratio.go: shape scores scaled by MaxNodeScore / MaxCustomPriorityScore,
 * per-resource score of floor(requested * 100 / capacity) utilization (100 when over capacity),
 * resources scoring 0 left out, weighted mean rounded half away from zero.
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

/**
 * model: balanced_allocation.go balancedResourceScorer: 100 x (1 - standard deviation of the
 * requested fractions), the fraction capped at 1; for two resources std = |f1 - f2| / 2.
 */
export function balancedResourceScorer(req: Float64Array, alloc: Float64Array, n: number): number {
  let total = 0;
  let count = 0;
  const fr = BALANCED_SCRATCH;
  for (let i = 0; i < n; i++) {
    if (alloc[i] === 0) continue;
    let f = req[i]! / alloc[i]!;
    if (f > 1) f = 1;
    total += f;
    fr[count++] = f;
  }
  let std = 0;
  if (count === 2) std = Math.abs((fr[0]! - fr[1]!) / 2);
  else if (count > 2) {
    const mean = total / count;
    let sum = 0;
    for (let i = 0; i < count; i++) sum += (fr[i]! - mean) * (fr[i]! - mean);
    std = Math.sqrt(sum / count);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
const BALANCED_SCRATCH = new Float64Array(64);

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
  private readonly reqBuf: Float64Array;
  private readonly allocBuf: Float64Array;
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

  /** Score of one node, after computePodRequests. model: resource_allocation.go score. */
  score(node: number): number {
    const nodes = this.cache.nodes;
    const R = nodes.resourceCount;
    const base = node * R;
    const alloc = nodes.allocatable;
    const reqd = nodes.requested;
    const nz = nodes.nonZeroRequested;
    const rb = this.reqBuf;
    const ab = this.allocBuf;
    const pr = this.podRequests;
    const res = this.resources;
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
      if (c === Res.cpu) rb[i] = (this.useRequested ? reqd[base + c]! : nz[node * 2]!) + podReq;
      else if (c === Res.memory) rb[i] = (this.useRequested ? reqd[base + c]! : nz[node * 2 + 1]!) + podReq;
      else rb[i] = reqd[base + c]! + podReq;
    }
    return this.scorer(rb, ab, res.length);
  }
}
