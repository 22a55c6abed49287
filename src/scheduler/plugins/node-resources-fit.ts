import type { Rng } from "../../core/random.js";
import { Res } from "../../cluster/resources.js";
import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { CycleState } from "../cycle-state.js";
import {
  ClusterEvent,
  type EnqueueExtensions,
  type FilterPlugin,
  type Handle,
  type PodRef,
  type PreFilterPlugin,
  type PreScorePlugin,
  type Rejections,
  type ScorePlugin,
} from "../plugin.js";
import type { PodSpec } from "../pod-spec.js";
import type { SchedulerCache } from "../scheduler-cache.js";
import { Code, rejected, SUCCESS, type Status } from "../status.js";
import {
  leastResourceScorer,
  mostResourceScorer,
  requestedToCapacityRatioScorer,
  ResourceAllocationScorer,
  DEFAULT_RESOURCES,
  type ShapePoint,
} from "./resource-allocation.js";
import { NodeVerdictMemo, UNKNOWN_VERDICT } from "./node-score-memo.js";
import { nextTie, Sel } from "../select-host.js";
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
  const out: FitArgs = {
    ignoredResources: [],
    ignoredResourceGroups: [],
    type: "LeastAllocated",
    resources: DEFAULT_RESOURCES,
    shape: [],
  };
  if (a === null) return out;
  out.ignoredResources = a
    .get("ignoredResources")
    .list()
    .map((r) => r.str());
  out.ignoredResourceGroups = a
    .get("ignoredResourceGroups")
    .list()
    .map((r) => r.str());
  const ss = a.get("scoringStrategy");
  if (!ss.present) return out;
  ss.object(["type", "resources", "requestedToCapacityRatio"]);
  out.type = ss
    .get("type")
    .oneOf(["LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"] as const, { default: "LeastAllocated" });
  const res = ss
    .get("resources")
    .list()
    .map((r) => {
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
      return {
        utilization: p.get("utilization").int({ min: 0, max: 100 }),
        score: p.get("score").int({ min: 0, max: 10 }),
      };
    });
    if (out.shape.length === 0) shapeR.fail("at least one shape point for RequestedToCapacityRatio");
    for (let i = 1; i < out.shape.length; i++)
      if (out.shape[i]!.utilization <= out.shape[i - 1]!.utilization)
        shapeR.fail("shape points in increasing utilization order");
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
  private readonly fusedMemo: NodeVerdictMemo;
  /** The Filter's memo over cpu and memory, keyed by the two requests in fitArgs. */
  private readonly fitMemo: NodeVerdictMemo;
  private readonly fitArgs = new Float64Array(2);
  private readonly kernelArgs = new Float64Array(6);

  constructor(h: Handle, args: YamlReader | null) {
    this.cache = h.cache;
    this.args = readFitArgs(args);
    const a = this.args;
    const weights = (w: number[]) =>
      a.type === "LeastAllocated"
        ? leastResourceScorer(w)
        : a.type === "MostAllocated"
          ? mostResourceScorer(w)
          : requestedToCapacityRatioScorer(w, a.shape);
    this.scorer = new ResourceAllocationScorer(h.cache, a.resources, false, weights);
    const R = h.cache.nodes.resourceCount;
    this.checkCol = new Int32Array(R);
    this.checkQty = new Float64Array(R);
    this.ignored = new Uint8Array(R);
    for (let r = Res.ephemeralStorage + 1; r < R; r++) {
      const name = h.cache.resources.name(r);
      // model: fitsRequest skips ignored extended resources (names with a domain prefix).
      if (
        name.includes("/") &&
        !name.startsWith("kubernetes.io/") &&
        (a.ignoredResources.includes(name) || a.ignoredResourceGroups.includes(name.split("/")[0]!))
      )
        this.ignored[r] = 1;
    }
    const rs = this.scorer.resources;
    const cpuMem = rs.length === 2 && rs[0]!.column === Res.cpu && rs[1]!.column === Res.memory;
    this.fastCpuMem = cpuMem && a.type === "LeastAllocated" ? 1 : cpuMem && a.type === "MostAllocated" ? 2 : 0;
    this.wCpu = rs[0]?.weight ?? 1;
    this.wMem = rs[1]?.weight ?? 1;
    // Keyed by the kernel arguments q0, q1, pc, pm, weight and strategy.
    this.fusedMemo = new NodeVerdictMemo(h.cache, 6);
    this.fitMemo = new NodeVerdictMemo(h.cache, 2);
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
      // perf: the common pod (cpu and memory requests) on the cache's hot lines, in a module
      // kernel with the requests passed as doubles in a typed array; each node's verdict is
      // memoized per (cpu, memory) request while its hot line is unchanged (NodeVerdictMemo).
      const kp = this.fitArgs;
      kp[0] = qty[0]!;
      kp[1] = qty[1]!;
      const memo = this.fitMemo;
      memo.use(kp);
      return fitCpuMem(this.cache.hot, memo.values, kp, cand, n, code, plug, cur);
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
        if (
          reqd[base + PODS]! + 1 <= alloc[base + PODS]! &&
          q0 <= alloc[base + c0]! - reqd[base + c0]! &&
          q1 <= alloc[base + c1]! - reqd[base + c1]!
        )
          cand[k++] = node;
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
   * Filter, LeastAllocated / MostAllocated score and selectHost in one pass (cpu and memory
   * requests, scoring over cpu and memory): survivors are compacted into cand[0..k), at most
   * `limit` of them (the pass stops at the limit), and each survivor's total (score x weight) is
   * offered to the running selectHost in `sel` (see Sel) as the survivor at feasible position
   * at + its index, drawing from `rng` exactly as Framework.selectHost does over the same totals
   * (the first draw is made when a second feasible node appears, as selectHost draws only when
   * there are two). The nodes are cand[0..n), or when `first` >= 0 the run first .. first + n - 1
   * (cand then only receives the survivors). Returns -1, cand untouched, when the pod or the
   * strategy is not the common case.
   * perf: for a profile whose only Filter and Score plugin is NodeResourcesFit, one loop over
   * the nodes instead of a filter, a score and a select pass; the arithmetic is the same.
   */
  filterScoreNodes(
    pod: PodRef,
    first: number,
    cand: Int32Array,
    n: number,
    rj: Rejections,
    at: number,
    limit: number,
    weight: number,
    sel: Float64Array,
    rng: Rng,
  ): number {
    if (
      this.checkCount !== 2 ||
      this.fastCpuMem === 0 ||
      this.wCpu !== 1 ||
      this.wMem !== 1 ||
      this.checkCol[0] !== Res.cpu ||
      this.checkCol[1] !== Res.memory
    )
      return -1;
    // perf: the fit verdict and score of each node memoized while its hot line is unchanged
    // (-1: does not fit); scalars reach the kernel as doubles in one typed array.
    const kp = this.kernelArgs;
    kp[0] = this.checkQty[0]!;
    kp[1] = this.checkQty[1]!;
    kp[2] = pod.spec.nonZeroCpuMilli;
    kp[3] = pod.spec.nonZeroMemBytes;
    kp[4] = weight;
    kp[5] = this.fastCpuMem === 2 ? 1 : 0;
    const memo = this.fusedMemo;
    memo.use(kp);
    const h = this.cache.hot;
    if (first >= 0)
      return fusedFitSelectRun(h, memo.values, kp, first, cand, n, at, limit, sel, rng, rj.code, rj.plugin, rj.current);
    return fusedFitSelect(h, memo.values, kp, cand, n, at, limit, sel, rng, rj.code, rj.plugin, rj.current);
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
      if (q > 0 && q > nodes.allocatable[base + r]! - nodes.requested[base + r]!)
        out.push(`Insufficient ${this.cache.resources.name(r)}`);
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

  /**
   * Score added straight into the totals (no NormalizeScore; every strategy scores in [0, 100]).
   * perf: the LeastAllocated / MostAllocated kernels over cpu and memory are module functions
   * with only typed arrays and numbers as inputs.
   */
  scoreInto(_s: CycleState, pod: PodRef, list: Int32Array, n: number, totals: Float64Array, w: number): number {
    const pr = this.scorer.computePodRequests(pod.spec);
    if (this.fastCpuMem === 1)
      leastAllocatedInto(this.cache.hot, list, n, pr[0]!, pr[1]!, this.wCpu, this.wMem, totals, w);
    else if (this.fastCpuMem === 2)
      mostAllocatedInto(this.cache.hot, list, n, pr[0]!, pr[1]!, this.wCpu, this.wMem, totals, w);
    else for (let i = 0; i < n; i++) totals[i]! += this.scorer.score(list[i]!) * w;
    return -1;
  }

  /**
   * LeastAllocated / MostAllocated over cpu and memory read only the node's hot line and the
   * pod's non-zero cpu and memory requests: the framework may memoize them (see localScore).
   */
  localKey(pod: PodRef, key: Float64Array, at: number): boolean {
    if (this.fastCpuMem === 0) return false;
    key[at] = pod.spec.nonZeroCpuMilli;
    key[at + 1] = pod.spec.nonZeroMemBytes;
    return true;
  }

  /** The score of one node, as score() computes it (after localKey). */
  localScore(pod: PodRef, node: number): number {
    const kp = this.kernelArgs;
    kp[2] = pod.spec.nonZeroCpuMilli;
    kp[3] = pod.spec.nonZeroMemBytes;
    kp[5] = this.fastCpuMem === 2 ? 1 : 0;
    return weightedCpuMem(this.cache.hot, node * 8, kp, this.wCpu, this.wMem);
  }

  isSchedulableAfter(event: ClusterEvent): boolean {
    return event === ClusterEvent.AssignedPodDelete || event === ClusterEvent.NodeChange;
  }
}

/**
 * The Filter over cpu and memory (kp[0], kp[1]) and the pod count of cand[0..n) on the hot lines:
 * keeps the nodes that fit in cand[0..k) in order, records the others as Unschedulable. Each
 * node's verdict (1 fits, 0 not) is memoized in `memo` (see NodeVerdictMemo).
 * perf: a read-only scan over known verdicts up to the first node that does not fit or is not
 * known (no store in the loop, so V8 checks the arrays once), then the general loop from there.
 */
function fitCpuMem(
  h: Float64Array,
  memo: Int8Array,
  kp: Float64Array,
  cand: Int32Array,
  n: number,
  code: Uint8Array,
  plug: Int16Array,
  cur: number,
): number {
  const q0 = kp[0]!;
  const q1 = kp[1]!;
  let i = 0;
  for (; i < n; i++) if (memo[cand[i]!] !== 1) break;
  let k = i;
  for (; i < n; i++) {
    const node = cand[i]!;
    let v = memo[node]!;
    if (v === UNKNOWN_VERDICT) {
      const o = node << 3;
      // model: fitsRequest: len(nodeInfo.Pods)+1 > allowedPodNumber is "Too many pods".
      v = h[o | 5]! + 1 <= h[o | 2]! && q0 <= h[o]! - h[o | 3]! && q1 <= h[o | 1]! - h[o | 4]! ? 1 : 0;
      memo[node] = v;
    }
    if (v === 1) cand[k++] = node;
    else {
      code[node] = 2; // Code.Unschedulable
      plug[node] = cur;
    }
  }
  return k;
}

/**
 * The fused NodeResourcesFit kernel over cand[0..n) (see filterScoreNodes): kp holds q0, q1 (the
 * cpu and memory the filter checks), pc, pm (the scored requests), the weight and the strategy
 * (0 LeastAllocated, 1 MostAllocated). Each node's verdict (-1: does not fit, else its score in
 * [0, 100]) is memoized in `memo` (see NodeVerdictMemo).
 * perf: a module function over typed arrays; on a memo hit a node costs one load, not its hot
 * line and two float divisions; no totals are stored, the host is selected on the way.
 */
function fusedFitSelect(
  h: Float64Array,
  memo: Int8Array,
  kp: Float64Array,
  cand: Int32Array,
  n: number,
  at: number,
  limit: number,
  sel: Float64Array,
  rng: Rng,
  code: Uint8Array,
  plug: Int16Array,
  cur: number,
): number {
  const q0 = kp[0]!;
  const q1 = kp[1]!;
  const pc = kp[2]!;
  const pm = kp[3]!;
  const weight = kp[4]!;
  const most = kp[5] === 1;
  let best = sel[Sel.best]!;
  let bestScore = sel[Sel.score]!;
  let ties = sel[Sel.ties]!;
  let next = sel[Sel.next]!;
  let k = 0;
  for (let i = 0; i < n && k < limit; i++) {
    const node = cand[i]!;
    let s = memo[node]!;
    if (s === UNKNOWN_VERDICT) {
      s = fitScore(h, node << 3, q0, q1, pc, pm, most);
      memo[node] = s;
    }
    if (s < 0) {
      code[node] = 2; // Code.Unschedulable
      plug[node] = cur;
      continue;
    }
    const j = at + k;
    cand[k++] = node;
    // model: schedule_one.go selectHost, as Framework.selectHost runs it (see Sel, nextTie).
    const t = s * weight;
    if (j === 0) {
      best = 0;
      bestScore = t;
      ties = 1;
      next = -1;
      continue;
    }
    if (next < 0) next = nextTie(rng, 1);
    if (t > bestScore) {
      bestScore = t;
      best = j;
      ties = 1;
      next = nextTie(rng, 1);
    } else if (t === bestScore && ++ties === next) {
      best = j;
      next = nextTie(rng, ties);
    }
  }
  sel[Sel.best] = best;
  sel[Sel.score] = bestScore;
  sel[Sel.ties] = ties;
  sel[Sel.next] = next;
  return k;
}

/** fusedFitSelect over the run of nodes first .. first + n - 1 (cand is only written). */
function fusedFitSelectRun(
  h: Float64Array,
  memo: Int8Array,
  kp: Float64Array,
  first: number,
  cand: Int32Array,
  n: number,
  at: number,
  limit: number,
  sel: Float64Array,
  rng: Rng,
  code: Uint8Array,
  plug: Int16Array,
  cur: number,
): number {
  const q0 = kp[0]!;
  const q1 = kp[1]!;
  const pc = kp[2]!;
  const pm = kp[3]!;
  const weight = kp[4]!;
  const most = kp[5] === 1;
  let best = sel[Sel.best]!;
  let bestScore = sel[Sel.score]!;
  let ties = sel[Sel.ties]!;
  let next = sel[Sel.next]!;
  const end = first + n;
  let k = 0;
  for (let node = first; node < end && k < limit; node++) {
    let s = memo[node]!;
    if (s === UNKNOWN_VERDICT) {
      s = fitScore(h, node << 3, q0, q1, pc, pm, most);
      memo[node] = s;
    }
    if (s < 0) {
      code[node] = 2; // Code.Unschedulable
      plug[node] = cur;
      continue;
    }
    const j = at + k;
    cand[k++] = node;
    // model: schedule_one.go selectHost, as Framework.selectHost runs it (see Sel, nextTie).
    const t = s * weight;
    if (j === 0) {
      best = 0;
      bestScore = t;
      ties = 1;
      next = -1;
      continue;
    }
    if (next < 0) next = nextTie(rng, 1);
    if (t > bestScore) {
      bestScore = t;
      best = j;
      ties = 1;
      next = nextTie(rng, 1);
    } else if (t === bestScore && ++ties === next) {
      best = j;
      next = nextTie(rng, ties);
    }
  }
  sel[Sel.best] = best;
  sel[Sel.score] = bestScore;
  sel[Sel.ties] = ties;
  sel[Sel.next] = next;
  return k;
}

/**
 * -1 when the pod (filter requests q0, q1) does not fit the node at hot offset o, else its
 * LeastAllocated (or MostAllocated when `most`) score for scored requests pc, pm with cpu and
 * memory weighted 1 (see fusedFitScore).
 */
function fitScore(h: Float64Array, o: number, q0: number, q1: number, pc: number, pm: number, most: boolean): number {
  const ac = h[o]!;
  const am = h[o | 1]!;
  // model: fitsRequest: len(nodeInfo.Pods)+1 > allowedPodNumber is "Too many pods".
  if (!(h[o | 5]! + 1 <= h[o | 2]! && q0 <= ac - h[o | 3]! && q1 <= am - h[o | 4]!)) return -1;
  let rc = h[o | 6]! + pc;
  let rm = h[o | 7]! + pm;
  let sc: number;
  let sm: number;
  if (!most) {
    // `| 0` truncates exactly (0..100); capacity 0 gives NaN | 0 = 0, upstream's 0.
    sc = rc > ac ? 0 : (((ac - rc) * 100) / ac) | 0;
    sm = rm > am ? 0 : (((am - rm) * 100) / am) | 0;
  } else {
    if (rc > ac) rc = ac;
    if (rm > am) rm = am;
    sc = ((rc * 100) / ac) | 0;
    sm = ((rm * 100) / am) | 0;
  }
  return ac !== 0 && am !== 0 ? (sc + sm) >> 1 : ac !== 0 ? sc : am !== 0 ? sm : 0;
}

/**
 * The LeastAllocated (kp[5] 0) or MostAllocated (kp[5] 1) score over cpu (weight wc) and memory
 * (weight wm) of the node at hot offset o for scored requests kp[2], kp[3], as score() computes it.
 */
function weightedCpuMem(h: Float64Array, o: number, kp: Float64Array, wc: number, wm: number): number {
  const ac = h[o]!;
  const am = h[o + 1]!;
  let rc = h[o + 6]! + kp[2]!;
  let rm = h[o + 7]! + kp[3]!;
  let sc: number;
  let sm: number;
  if (kp[5] === 0) {
    // `| 0` truncates exactly (0..100); capacity 0 gives NaN | 0 = 0, upstream's 0.
    sc = rc > ac ? 0 : (((ac - rc) * 100) / ac) | 0;
    sm = rm > am ? 0 : (((am - rm) * 100) / am) | 0;
  } else {
    if (rc > ac) rc = ac;
    if (rm > am) rm = am;
    sc = ((rc * 100) / ac) | 0;
    sm = ((rm * 100) / am) | 0;
  }
  if (wc === 1 && wm === 1 && ac !== 0 && am !== 0) return (sc + sm) >> 1;
  const ws = (ac !== 0 ? wc : 0) + (am !== 0 ? wm : 0);
  return ws === 0 ? 0 : Math.trunc(((ac !== 0 ? sc * wc : 0) + (am !== 0 ? sm * wm : 0)) / ws);
}

/**
 * totals[i] += w x LeastAllocated score over cpu and memory of list[i], as score() computes it.
 * perf: the hot line of each node (see Hot); two weight-1 scores averaged by a shift.
 */
function leastAllocatedInto(
  h: Float64Array,
  list: Int32Array,
  n: number,
  pc: number,
  pm: number,
  wc: number,
  wm: number,
  totals: Float64Array,
  w: number,
): void {
  const even = wc === 1 && wm === 1;
  for (let i = 0; i < n; i++) {
    const o = list[i]! * 8;
    const ac = h[o]!;
    const am = h[o + 1]!;
    const rc = h[o + 6]! + pc;
    const rm = h[o + 7]! + pm;
    const sc = rc > ac ? 0 : (((ac - rc) * 100) / ac) | 0;
    const sm = rm > am ? 0 : (((am - rm) * 100) / am) | 0;
    let s: number;
    if (even && ac !== 0 && am !== 0) s = (sc + sm) >> 1;
    else {
      const ws = (ac !== 0 ? wc : 0) + (am !== 0 ? wm : 0);
      s = ws === 0 ? 0 : Math.trunc(((ac !== 0 ? sc * wc : 0) + (am !== 0 ? sm * wm : 0)) / ws);
    }
    totals[i]! += s * w;
  }
}

/** totals[i] += w x MostAllocated score over cpu and memory of list[i], as score() computes it. */
function mostAllocatedInto(
  h: Float64Array,
  list: Int32Array,
  n: number,
  pc: number,
  pm: number,
  wc: number,
  wm: number,
  totals: Float64Array,
  w: number,
): void {
  const even = wc === 1 && wm === 1;
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
    let s: number;
    if (even && ac !== 0 && am !== 0) s = (sc + sm) >> 1;
    else {
      const ws = (ac !== 0 ? wc : 0) + (am !== 0 ? wm : 0);
      s = ws === 0 ? 0 : Math.trunc(((ac !== 0 ? sc * wc : 0) + (am !== 0 ? sm * wm : 0)) / ws);
    }
    totals[i]! += s * w;
  }
}
