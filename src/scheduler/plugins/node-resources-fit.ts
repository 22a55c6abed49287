import { Res } from "../../cluster/resources.js";
import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { CycleState } from "../cycle-state.js";
import { ClusterEvent, type EnqueueExtensions, type FilterPlugin, type Handle, type PodRef, type PreFilterPlugin, type PreScorePlugin, type Rejections, type ScorePlugin } from "../plugin.js";
import type { PodSpec } from "../pod-spec.js";
import type { SchedulerCache } from "../scheduler-cache.js";
import { Code, rejected, SUCCESS, type Status } from "../status.js";
import { leastResourceScorer, mostResourceScorer, requestedToCapacityRatioScorer, ResourceAllocationScorer, DEFAULT_RESOURCES, type ShapePoint } from "./resource-allocation.js";
import { argsObject } from "./simple-args.js";

/** Scoring strategies of NodeResourcesFitArgs.scoringStrategy.type. */
export type ScoringStrategyType = "LeastAllocated" | "MostAllocated" | "RequestedToCapacityRatio";

/** Parsed NodeResourcesFitArgs with upstream defaults (LeastAllocated over cpu and memory, weight 1). */
export interface FitArgs {
  ignoredResources: readonly string[];
  ignoredResourceGroups: readonly string[];
  type: ScoringStrategyType;
  resources: readonly { name: string; weight: number }[];
  shape: readonly ShapePoint[];
}

/** Reads NodeResourcesFitArgs. model: apis/config/v1/defaults.go SetDefaults_NodeResourcesFitArgs and validation. */
export function readFitArgs(args: YamlReader | null): FitArgs {
  const a = argsObject(args, ["ignoredResources", "ignoredResourceGroups", "scoringStrategy"]);
  const out: FitArgs = { ignoredResources: [], ignoredResourceGroups: [], type: "LeastAllocated", resources: DEFAULT_RESOURCES, shape: [] };
  if (a === null) return out;
  out.ignoredResources = a.get("ignoredResources").list().map((r) => r.str());
  out.ignoredResourceGroups = a.get("ignoredResourceGroups").list().map((r) => r.str());
  const ss = a.get("scoringStrategy");
  if (!ss.present) return out;
  ss.object(["type", "resources", "requestedToCapacityRatio"]);
  out.type = ss.get("type").oneOf(["LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"] as const, { default: "LeastAllocated" });
  const res = ss.get("resources").list().map((r) => {
    r.object(["name", "weight"]);
    // model: a weight left out or 0 defaults to 1; validation allows 1..100.
    const w = r.get("weight").int({ min: 0, max: 100, default: 0 });
    return { name: r.get("name").str(), weight: w === 0 ? 1 : w };
  });
  if (res.length > 0) out.resources = res;
  if (out.type === "RequestedToCapacityRatio") {
    const rtcr = ss.get("requestedToCapacityRatio");
    rtcr.object(["shape"]);
    const shapeR = rtcr.get("shape");
    out.shape = shapeR.list().map((p) => {
      p.object(["utilization", "score"]);
      return { utilization: p.get("utilization").int({ min: 0, max: 100 }), score: p.get("score").int({ min: 0, max: 10 }) };
    });
    if (out.shape.length === 0) shapeR.fail("at least one shape point for RequestedToCapacityRatio");
    for (let i = 1; i < out.shape.length; i++) if (out.shape[i]!.utilization <= out.shape[i - 1]!.utilization) shapeR.fail("shape points in increasing utilization order");
  }
  return out;
}

/**
 * NodeResourcesFit. Filter: the node must have room for one more pod (allocatable pods) and for
 * each resource the pod requests (cpu, memory, ephemeral-storage, extended resources such as
 * nvidia.com/gpu), else Unschedulable with one reason per resource. Score: the configured
 * strategy (LeastAllocated, MostAllocated or RequestedToCapacityRatio) over the configured
 * resources with their weights. model: plugins/noderesources/fit.go fitsRequest, Score.
 */
export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = "NodeResourcesFit";
  index = -1;
  readonly normalizes = false;
  readonly args: FitArgs;
  private readonly cache: SchedulerCache;
  private readonly scorer: ResourceAllocationScorer;
  /** Columns the filter checks this cycle and the pod's request for each. */
  private readonly checkCol: Int32Array;
  private readonly checkQty: Float64Array;
  private checkCount = 0;
  private readonly ignored: Uint8Array;
  /** perf: LeastAllocated / MostAllocated over exactly cpu and memory take an inlined path. */
  private readonly fastCpuMem: 0 | 1 | 2;
  private readonly wCpu: number;
  private readonly wMem: number;

  constructor(h: Handle, args: YamlReader | null) {
    this.cache = h.cache;
    this.args = readFitArgs(args);
    const a = this.args;
    const weights = (w: number[]) => (a.type === "LeastAllocated" ? leastResourceScorer(w) : a.type === "MostAllocated" ? mostResourceScorer(w) : requestedToCapacityRatioScorer(w, a.shape));
    this.scorer = new ResourceAllocationScorer(h.cache, a.resources, false, weights);
    const R = h.cache.nodes.resourceCount;
    this.checkCol = new Int32Array(R);
    this.checkQty = new Float64Array(R);
    this.ignored = new Uint8Array(R);
    for (let r = Res.ephemeralStorage + 1; r < R; r++) {
      const name = h.cache.resources.name(r);
      // model: fitsRequest skips ignored extended resources (names with a domain prefix).
      if (name.includes("/") && !name.startsWith("kubernetes.io/") && (a.ignoredResources.includes(name) || a.ignoredResourceGroups.includes(name.split("/")[0]!))) this.ignored[r] = 1;
    }
    const rs = this.scorer.resources;
    const cpuMem = rs.length === 2 && rs[0]!.column === Res.cpu && rs[1]!.column === Res.memory;
    this.fastCpuMem = cpuMem && a.type === "LeastAllocated" ? 1 : cpuMem && a.type === "MostAllocated" ? 2 : 0;
    this.wCpu = rs[0]?.weight ?? 1;
    this.wMem = rs[1]?.weight ?? 1;
  }

  /** Computes the request vector the filter checks (upstream computePodResourceRequest). */
  preFilter(_s: CycleState, pod: PodRef): Status {
    this.prepare(pod.spec);
    return SUCCESS;
  }

  private prepare(spec: PodSpec): void {
    const req = spec.requests;
    const R = this.cache.nodes.resourceCount;
    let k = 0;
    for (let r = 0; r < R; r++) {
      if (r === Res.pods) continue;
      const q = req[r] ?? 0;
      if (q > 0 && this.ignored[r] === 0) {
        this.checkCol[k] = r;
        this.checkQty[k] = q;
        k++;
      }
    }
    this.checkCount = k;
  }

  filterNodes(_s: CycleState, _pod: PodRef, cand: Int32Array, n: number, rj: Rejections): number {
    const nodes = this.cache.nodes;
    const R = nodes.resourceCount;
    const alloc = nodes.allocatable;
    const reqd = nodes.requested;
    const cols = this.checkCol;
    const qty = this.checkQty;
    const m = this.checkCount;
    const code = rj.code;
    const plug = rj.plugin;
    const cur = rj.current;
    let k = 0;
    if (m === 2 && cols[0] === Res.cpu && cols[1] === Res.memory) {
      // perf: the common pod (cpu and memory requests) on the cache's hot lines.
      const h = this.cache.hot;
      const q0 = qty[0]!;
      const q1 = qty[1]!;
      for (let i = 0; i < n; i++) {
        const node = cand[i]!;
        const o = node * 8;
        // model: fitsRequest: len(nodeInfo.Pods)+1 > allowedPodNumber is "Too many pods".
        if (h[o + 5]! + 1 <= h[o + 2]! && q0 <= h[o]! - h[o + 3]! && q1 <= h[o + 1]! - h[o + 4]!) cand[k++] = node;
        else {
          code[node] = Code.Unschedulable;
          plug[node] = cur;
        }
      }
      return k;
    }
    if (m === 2) {
      // perf: two requested resources unrolled.
      const c0 = cols[0]!;
      const c1 = cols[1]!;
      const q0 = qty[0]!;
      const q1 = qty[1]!;
      const PODS = Res.pods;
      for (let i = 0; i < n; i++) {
        const node = cand[i]!;
        const base = node * R;
        // model: fitsRequest: len(nodeInfo.Pods)+1 > allowedPodNumber is "Too many pods".
        if (reqd[base + PODS]! + 1 <= alloc[base + PODS]! && q0 <= alloc[base + c0]! - reqd[base + c0]! && q1 <= alloc[base + c1]! - reqd[base + c1]!) cand[k++] = node;
        else {
          code[node] = Code.Unschedulable;
          plug[node] = cur;
        }
      }
      return k;
    }
    for (let i = 0; i < n; i++) {
      const node = cand[i]!;
      const base = node * R;
      let fits = reqd[base + Res.pods]! + 1 <= alloc[base + Res.pods]!;
      for (let j = 0; fits && j < m; j++) {
        const c = base + cols[j]!;
        if (qty[j]! > alloc[c]! - reqd[c]!) fits = false;
      }
      if (fits) cand[k++] = node;
      else {
        code[node] = Code.Unschedulable;
        plug[node] = cur;
      }
    }
    return k;
  }

  /**
   * Filter and LeastAllocated / MostAllocated score in one pass (cpu and memory requests, scoring
   * over cpu and memory): survivors are compacted into cand[0..k) and their weighted scores
   * written to totals[at + 0..k). Returns -1 when the pod or the strategy is not the common case.
   * perf: for a profile whose only Filter and Score plugin is NodeResourcesFit, one loop over
   * the nodes instead of three; the arithmetic is the same as filterNodes and score.
   */
  filterScoreNodes(pod: PodRef, cand: Int32Array, n: number, rj: Rejections, totals: Float64Array, at: number, weight: number): number {
    if (this.checkCount !== 2 || this.fastCpuMem === 0 || this.wCpu !== 1 || this.wMem !== 1 || this.checkCol[0] !== Res.cpu || this.checkCol[1] !== Res.memory) return -1;
    const h = this.cache.hot;
    const q0 = this.checkQty[0]!;
    const q1 = this.checkQty[1]!;
    const pc = pod.spec.nonZeroCpuMilli;
    const pm = pod.spec.nonZeroMemBytes;
    const code = rj.code;
    const plug = rj.plugin;
    const cur = rj.current;
    let k = 0;
    // perf: one loop per strategy (a strategy branch inside the loop costs ~40% here); each node
    // is one cache line of the cache's hot array (offsets as in Hot).
    if (this.fastCpuMem === 1) return fusedLeastAllocated(h, cand, n, q0, q1, pc, pm, totals, at, weight, code, plug, cur);
    for (let i = 0; i < n; i++) {
      const node = cand[i]!;
      const o = node * 8;
      const ac = h[o]!;
      const am = h[o + 1]!;
      if (h[o + 5]! + 1 <= h[o + 2]! && q0 <= ac - h[o + 3]! && q1 <= am - h[o + 4]!) {
        let rc = h[o + 6]! + pc;
        let rm = h[o + 7]! + pm;
        if (rc > ac) rc = ac;
        if (rm > am) rm = am;
        const sc = ((rc * 100) / ac) | 0;
        const sm = ((rm * 100) / am) | 0;
        const s = ac !== 0 && am !== 0 ? (sc + sm) >> 1 : ac !== 0 ? sc : am !== 0 ? sm : 0;
        totals[at + k] = s * weight;
        cand[k++] = node;
      } else {
        code[node] = Code.Unschedulable;
        plug[node] = cur;
      }
    }
    return k;
  }

  /** The insufficient resources of a node for the pod, as upstream's reasons (pods, cpu, memory, ...). */
  insufficient(spec: PodSpec, node: number): string[] {
    const nodes = this.cache.nodes;
    const R = nodes.resourceCount;
    const base = node * R;
    const out: string[] = [];
    if (nodes.requested[base + Res.pods]! + 1 > nodes.allocatable[base + Res.pods]!) out.push("Too many pods");
    for (let r = 0; r < R; r++) {
      if (r === Res.pods || this.ignored[r] === 1) continue;
      const q = spec.requests[r] ?? 0;
      if (q > 0 && q > nodes.allocatable[base + r]! - nodes.requested[base + r]!) out.push(`Insufficient ${this.cache.resources.name(r)}`);
    }
    return out;
  }

  filter(_s: CycleState, pod: PodRef, node: number): Status {
    const reasons = this.insufficient(pod.spec, node);
    return reasons.length === 0 ? SUCCESS : rejected(Code.Unschedulable, ...reasons);
  }

  preScore(_s: CycleState, pod: PodRef): Status {
    this.scorer.computePodRequests(pod.spec);
    return SUCCESS;
  }

  score(_s: CycleState, pod: PodRef, list: Int32Array, n: number, out: Float64Array): void {
    const pr = this.scorer.computePodRequests(pod.spec);
    if (this.fastCpuMem !== 0) {
      const pc = pr[0]!;
      const pm = pr[1]!;
      const wc = this.wCpu;
      const wm = this.wMem;
      // perf: leastRequestedScore / mostRequestedScore inlined (same integer arithmetic) on the
      // cache's hot lines, one loop per strategy, two weight-1 scores averaged by a shift.
      const h = this.cache.hot;
      const even = wc === 1 && wm === 1;
      if (this.fastCpuMem === 1) {
        for (let i = 0; i < n; i++) {
          const o = list[i]! * 8;
          const ac = h[o]!;
          const am = h[o + 1]!;
          const rc = h[o + 6]! + pc;
          const rm = h[o + 7]! + pm;
          const sc = rc > ac ? 0 : (((ac - rc) * 100) / ac) | 0;
          const sm = rm > am ? 0 : (((am - rm) * 100) / am) | 0;
          if (even && ac !== 0 && am !== 0) out[i] = (sc + sm) >> 1;
          else {
            const w = (ac !== 0 ? wc : 0) + (am !== 0 ? wm : 0);
            out[i] = w === 0 ? 0 : Math.trunc(((ac !== 0 ? sc * wc : 0) + (am !== 0 ? sm * wm : 0)) / w);
          }
        }
      } else {
        for (let i = 0; i < n; i++) {
          const o = list[i]! * 8;
          const ac = h[o]!;
          const am = h[o + 1]!;
          let rc = h[o + 6]! + pc;
          let rm = h[o + 7]! + pm;
          if (rc > ac) rc = ac;
          if (rm > am) rm = am;
          const sc = ((rc * 100) / ac) | 0;
          const sm = ((rm * 100) / am) | 0;
          if (even && ac !== 0 && am !== 0) out[i] = (sc + sm) >> 1;
          else {
            const w = (ac !== 0 ? wc : 0) + (am !== 0 ? wm : 0);
            out[i] = w === 0 ? 0 : Math.trunc(((ac !== 0 ? sc * wc : 0) + (am !== 0 ? sm * wm : 0)) / w);
          }
        }
      }
      return;
    }
    for (let i = 0; i < n; i++) out[i] = this.scorer.score(list[i]!);
  }

  normalizeScore(): void {}

  isSchedulableAfter(event: ClusterEvent): boolean {
    return event === ClusterEvent.AssignedPodDelete || event === ClusterEvent.NodeChange;
  }
}

/**
 * The fused NodeResourcesFit kernel for LeastAllocated over cpu and memory (see filterScoreNodes).
 * perf: a module-level function with only typed arrays and numbers as inputs compiles to a tight
 * loop (about twice as fast as the same loop as a method here).
 */
function fusedLeastAllocated(h: Float64Array, cand: Int32Array, n: number, q0: number, q1: number, pc: number, pm: number, totals: Float64Array, at: number, weight: number, code: Uint8Array, plug: Int16Array, cur: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) {
    const node = cand[i]!;
    const o = node * 8;
    const ac = h[o]!;
    const am = h[o + 1]!;
    if (h[o + 5]! + 1 <= h[o + 2]! && q0 <= ac - h[o + 3]! && q1 <= am - h[o + 4]!) {
      const rc = h[o + 6]! + pc;
      const rm = h[o + 7]! + pm;
      // `| 0` truncates exactly (0..100); capacity 0 gives NaN | 0 = 0, upstream's 0.
      const sc = rc > ac ? 0 : (((ac - rc) * 100) / ac) | 0;
      const sm = rm > am ? 0 : (((am - rm) * 100) / am) | 0;
      const s = ac !== 0 && am !== 0 ? (sc + sm) >> 1 : ac !== 0 ? sc : am !== 0 ? sm : 0;
      totals[at + k] = s * weight;
      cand[k++] = node;
    } else {
      code[node] = 2; // Code.Unschedulable
      plug[node] = cur;
    }
  }
  return k;
}
