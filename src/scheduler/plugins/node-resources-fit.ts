import type { ValueOf } from "../../core/names-of.js";
import type { Rng } from "../../core/random.js";
import { Res } from "../../cluster/resources.js";
import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import { ClusterEvent, FILTER_SCORE_POINTS, NodeChange, type NodeEventRef, PER_NODE_SCORES } from "../plugin.js";
import type { PodSpec } from "../pod-spec.js";
import { Hot, HOT_SHIFT } from "../scheduler-cache.js";
import { Code, rejected, SUCCESS, type Status } from "../status.js";
import {
  allocatedCpuMem,
  leastResourceScorer,
  mostResourceScorer,
  requestedToCapacityRatioScorer,
  ResourceAllocationScorer,
  ResourceScorePlugin,
  DEFAULT_RESOURCES,
  readResourceSpecs,
  type ShapePoint,
} from "./resource-allocation.js";
import { NodeVerdictMemo, UNKNOWN_VERDICT } from "./node-score-memo.js";
import { nextTie, Sel } from "../select-host.js";
import { argsObject } from "./simple-args.js";
import { hotAllocated as hotAllocatedScore, HotScore } from "./hot-scores.js";

/**
 * perf: module-local aliases of the imported constants and the function the kernels below use
 * per node: V8 (Node 20) folds a module's own const bindings into optimized code, but loads an
 * imported one on every use (and checks an imported callee before its inlined body). Measured:
 * about 3 ns per node on the "every node changed" bench.
 */
const H = Hot;
const SHIFT = HOT_SHIFT;
const UNSCHEDULABLE = Code.Unschedulable;
const UNKNOWN = UNKNOWN_VERDICT;
const allocated = allocatedCpuMem;
const hotAllocated = hotAllocatedScore;

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
  const res = readResourceSpecs(ss.get("resources"));
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

/** CycleState key of the request vector PreFilter computed. model: fit.go preFilterStateKey. */
const PRE_FILTER_KEY = "PreFilterNodeResourcesFit";

/**
 * The requests the Filter checks (upstream preFilterState, computePodResourceRequest): the
 * NodeTable column and quantity of each resource the pod requests, pods and ignored extended
 * resources left out, in column order.
 */
interface FitRequest {
  readonly cols: Int32Array;
  readonly qty: Float64Array;
  readonly count: number;
  /** Exactly cpu and memory (the hot-line kernels' case). */
  readonly cpuMem: boolean;
}

/** Positions of the fused kernel's arguments in its Float64Array (also the fused memo's key). */
const Arg = { fitCpu: 0, fitMem: 1, podCpu: 2, podMem: 3, weight: 4, most: 5 } as const;
const ARG_COUNT = 6;
/** The Filter memo's key: the first two arguments (the cpu and memory requests checked). */
const FIT_KEY_COUNT = 2;

/** The scoring of NodeResourcesFit: the general scorer, or LeastAllocated / MostAllocated over cpu and memory. */
const Fast = { general: 0, least: 1, most: 2 } as const;
type Fast = ValueOf<typeof Fast>;

/**
 * NodeResourcesFit. Filter: the node must have room for one more pod (allocatable pods) and for
 * each resource the pod requests (cpu, memory, ephemeral-storage, extended resources such as
 * nvidia.com/gpu), else Unschedulable with one reason per resource. Score: the configured
 * strategy (LeastAllocated, MostAllocated or RequestedToCapacityRatio) over the configured
 * resources with their weights. model: plugins/noderesources/fit.go fitsRequest, Score.
 */
export class NodeResourcesFit extends ResourceScorePlugin implements fw.FilterScorePlugin {
  static readonly points: readonly fw.PointsOf<NodeResourcesFit>[] = FILTER_SCORE_POINTS;
  readonly name = "NodeResourcesFit";
  readonly args: FitArgs;
  private readonly scorer: ResourceAllocationScorer;
  private readonly ignored: Uint8Array;
  /** perf: LeastAllocated / MostAllocated over exactly cpu and memory take the hot-line kernels. */
  private readonly fast: Fast;
  private readonly wCpu: number;
  private readonly wMem: number;
  /** The score as a hot-line formula (LeastAllocated / MostAllocated over cpu and memory), else null. */
  readonly hotScore: fw.HotScoreTerm | null;
  private readonly fusedMemo: NodeVerdictMemo;
  /** The Filter's memo over cpu and memory, keyed by the two requests. */
  private readonly fitMemo: NodeVerdictMemo;
  /** perf: the kernels' argument arrays, rewritten before every kernel call (scratch, no state). */
  private readonly fitKey = new Float64Array(FIT_KEY_COUNT);
  private readonly kernelArgs = new Float64Array(ARG_COUNT);
  /**
   * The request vector of each pod group, derived from its spec and the plugin's args (a cache
   * of a pure function, not per-cycle state: PreFilter hands it to Filter through CycleState).
   */
  private readonly requestByGroup: ({ spec: PodSpec; req: FitRequest } | undefined)[] = [];

  constructor(h: fw.Handle, args: YamlReader | null) {
    super(h);
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
    this.fast =
      cpuMem && a.type === "LeastAllocated"
        ? Fast.least
        : cpuMem && a.type === "MostAllocated"
          ? Fast.most
          : Fast.general;
    this.wCpu = rs[0]?.weight ?? 1;
    this.wMem = rs[1]?.weight ?? 1;
    this.hotScore =
      this.fast === Fast.general
        ? null
        : {
            kind: this.fast === Fast.most ? HotScore.most : HotScore.least,
            cpuWeight: this.wCpu,
            memWeight: this.wMem,
          };
    this.fusedMemo = new NodeVerdictMemo(h.cache, ARG_COUNT);
    this.fitMemo = new NodeVerdictMemo(h.cache, FIT_KEY_COUNT);
  }

  /** Computes the request vector the filter checks (upstream computePodResourceRequest) into the CycleState. */
  preFilter(state: CycleState, pod: fw.PodRef): Status {
    state.write(PRE_FILTER_KEY, this.requestOf(pod));
    return SUCCESS;
  }

  /** The request vector PreFilter wrote, or the pod's when PreFilter did not run. */
  private fitRequest(state: CycleState, pod: fw.PodRef): FitRequest {
    return state.read<FitRequest>(PRE_FILTER_KEY) ?? this.requestOf(pod);
  }

  /** The pod's request vector, kept per pod group (perf: no per-cycle allocation). */
  private requestOf(pod: fw.PodRef): FitRequest {
    const g = pod.group;
    const e = g >= 0 ? this.requestByGroup[g] : undefined;
    if (e !== undefined && e.spec === pod.spec) return e.req;
    const req = this.computeRequest(pod.spec);
    if (g >= 0) this.requestByGroup[g] = { spec: pod.spec, req };
    return req;
  }

  private computeRequest(spec: PodSpec): FitRequest {
    const req = spec.requests;
    const R = this.cache.nodes.resourceCount;
    const cols: number[] = [];
    const qty: number[] = [];
    for (let r = 0; r < R; r++) {
      if (r === Res.pods) continue;
      const q = req[r] ?? 0;
      if (q > 0 && this.ignored[r] === 0) {
        cols.push(r);
        qty.push(q);
      }
    }
    return {
      cols: Int32Array.from(cols),
      qty: Float64Array.from(qty),
      count: cols.length,
      cpuMem: cols.length === 2 && cols[0] === Res.cpu && cols[1] === Res.memory,
    };
  }

  filterNodes(state: CycleState, pod: fw.PodRef, cand: Int32Array, n: number, rj: fw.Rejections): number {
    const rq = this.fitRequest(state, pod);
    const { cols, qty, count: m } = rq;
    const { code, plugin: plug, current: cur } = rj;
    if (rq.cpuMem) {
      // perf: the common pod (cpu and memory requests) on the cache's hot lines, in a module
      // kernel with the requests passed as doubles in a typed array; each node's verdict is
      // memoized per (cpu, memory) request while its hot line is unchanged (NodeVerdictMemo).
      const kp = this.fitKey;
      kp[Arg.fitCpu] = qty[0]!;
      kp[Arg.fitMem] = qty[1]!;
      const memo = this.fitMemo;
      memo.use(kp);
      return fitCpuMem(this.cache.hot, memo.values, kp, cand, n, code, plug, cur);
    }
    const nodes = this.cache.nodes;
    const R = nodes.resourceCount;
    const alloc = nodes.allocatable;
    const reqd = nodes.requested;
    let k = 0;
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
   * requests, scoring over cpu and memory with weights 1): survivors are compacted into
   * cand[0..k), at most `limit` of them (the pass stops at the limit), and each survivor's total
   * (score x weight) is offered to the running selectHost in `sel` (see Sel) as the survivor at
   * feasible position at + its index, drawing from `rng` exactly as Framework.selectHost does
   * over the same totals (the first draw is made when a second feasible node appears, as
   * selectHost draws only when there are two). The nodes are cand[0..n), or when `first` >= 0
   * the run first .. first + n - 1 (cand then only receives the survivors). Returns -1, cand
   * untouched, when the pod or the strategy is not the common case.
   * perf: for a profile whose only Filter and Score plugin is NodeResourcesFit, one loop over
   * the nodes instead of a filter, a score and a select pass; the arithmetic is the same.
   */
  readonly filterScoreNodes: fw.FilterScoreNodes = (state, pod, first, cand, n, rj, at, limit, weight, sel, rng) => {
    const rq = this.fitRequest(state, pod);
    if (!rq.cpuMem || this.fast === Fast.general || this.wCpu !== 1 || this.wMem !== 1) return -1;
    // perf: the fit verdict and score of each node memoized while its hot line is unchanged
    // (-1: does not fit); scalars reach the kernel as doubles in one typed array.
    const kp = this.kernelArgs;
    kp[Arg.fitCpu] = rq.qty[0]!;
    kp[Arg.fitMem] = rq.qty[1]!;
    kp[Arg.podCpu] = pod.spec.nonZeroCpuMilli;
    kp[Arg.podMem] = pod.spec.nonZeroMemBytes;
    kp[Arg.weight] = weight;
    kp[Arg.most] = this.fast === Fast.most ? 1 : 0;
    const memo = this.fusedMemo;
    memo.use(kp);
    return fusedFitSelect(this.cache.hot, memo.values, kp, first, cand, n, at, limit, sel, rng, rj);
  };

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

  filter(_s: CycleState, pod: fw.PodRef, node: number): Status {
    const reasons = this.insufficient(pod.spec, node);
    return reasons.length === 0 ? SUCCESS : rejected(Code.Unschedulable, ...reasons);
  }

  preScore(_s: CycleState, pod: fw.PodRef): Status {
    this.scorer.computePodRequests(pod.spec);
    return SUCCESS;
  }

  /**
   * Score added straight into the totals (no NormalizeScore; every strategy scores in [0, 100]).
   * perf: LeastAllocated / MostAllocated over cpu and memory run a module kernel over the
   * cache's hot lines.
   */
  scoreInto(_s: CycleState, pod: fw.PodRef, list: Int32Array, n: number, totals: Float64Array, w: number): number {
    const pr = this.scorer.computePodRequests(pod.spec);
    if (this.fast !== Fast.general)
      allocatedInto(this.cache.hot, list, n, this.fast === Fast.most, pr[0]!, pr[1]!, this.wCpu, this.wMem, totals, w);
    else this.scorer.addScores(list, n, totals, w);
    return PER_NODE_SCORES;
  }

  /**
   * LeastAllocated / MostAllocated over cpu and memory read only the node's hot line and the
   * pod's non-zero cpu and memory requests: the framework may memoize them (see localScore).
   */
  localKey(pod: fw.PodRef, key: Float64Array, at: number): boolean {
    if (this.fast === Fast.general) return false;
    key[at] = pod.spec.nonZeroCpuMilli;
    key[at + 1] = pod.spec.nonZeroMemBytes;
    return true;
  }

  /** The score of one node, as score() computes it (after localKey). */
  localScore(pod: fw.PodRef, node: number): number {
    const most = this.fast === Fast.most;
    const s = pod.spec;
    return hotAllocated(
      this.cache.hot,
      node << SHIFT,
      most,
      s.nonZeroCpuMilli,
      s.nonZeroMemBytes,
      this.wCpu,
      this.wMem,
    );
  }

  /**
   * model: fit.go (QueueingHints, on by default since v1.32, KEP-4247): an assigned pod's
   * deletion queues the pod (isSchedulableAfterPodEvent); Node/Add queues it when it would fit
   * the empty node (isSchedulableAfterNodeChange: isFit against allocatable); an update only
   * when requested resources' allocatable grew, which no run does; Node/Delete is not
   * registered.
   */
  isSchedulableAfter(event: ClusterEvent, pod: fw.PodRef, _o: PodSpec | null, node: NodeEventRef | null): boolean {
    if (event === ClusterEvent.AssignedPodDelete) return true;
    if (event !== ClusterEvent.NodeChange || node === null || (node.change & NodeChange.added) === 0) return false;
    const nodes = this.cache.nodes;
    const R = nodes.resourceCount;
    const base = node.node * R;
    if (nodes.allocatable[base + Res.pods]! < 1) return false;
    for (let r = 0; r < R; r++) {
      if (r === Res.pods || this.ignored[r] === 1) continue;
      if ((pod.spec.requests[r] ?? 0) > nodes.allocatable[base + r]!) return false;
    }
    return true;
  }
}

/**
 * Whether a pod asking for `cpu` and `mem` fits a node with `pods` pods of `maxPods` and
 * `freeCpu`, `freeMem` left (allocatable - requested), one more pod included.
 * model: fit.go fitsRequest: len(nodeInfo.Pods)+1 > allowedPodNumber is "Too many pods".
 * perf: pure on numbers, so the kernels load the hot line as they see fit (fusedFitSelect
 * shares its allocatable loads with the score).
 */
function fitsCpuMem(
  pods: number,
  maxPods: number,
  freeCpu: number,
  freeMem: number,
  cpu: number,
  mem: number,
): boolean {
  return pods + 1 <= maxPods && cpu <= freeCpu && mem <= freeMem;
}

/**
 * The Filter over cpu and memory (kp[Arg.fitCpu], kp[Arg.fitMem]) and the pod count of cand[0..n)
 * on the hot lines: keeps the nodes that fit in cand[0..k) in order, records the others as
 * Unschedulable. Each node's verdict (1 fits, 0 not) is memoized in `memo` (see NodeVerdictMemo).
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
  const q0 = kp[Arg.fitCpu]!;
  const q1 = kp[Arg.fitMem]!;
  // perf: the hot line's field offsets as locals: in a loop that stores, TurboFan reloads a
  // property of a module's object on every iteration (the every-node-changed bench, full
  // default profile: 13.1 -> 12.6 ns a node).
  const { allocCpu: AC, allocMem: AM, allocPods: AP, reqCpu: RC, reqMem: RM, reqPods: RP } = H;
  let i = 0;
  for (; i < n; i++) if (memo[cand[i]!] !== 1) break;
  let k = i;
  for (; i < n; i++) {
    const node = cand[i]!;
    let v = memo[node]!;
    if (v === UNKNOWN) {
      const o = node << SHIFT;
      v = fitsCpuMem(h[o | RP]!, h[o | AP]!, h[o | AC]! - h[o | RC]!, h[o | AM]! - h[o | RM]!, q0, q1) ? 1 : 0;
      memo[node] = v;
    }
    if (v === 1) cand[k++] = node;
    else {
      code[node] = UNSCHEDULABLE;
      plug[node] = cur;
    }
  }
  return k;
}

/**
 * The fused NodeResourcesFit kernel (see filterScoreNodes) over cand[0..n), or over the run of
 * nodes first .. first + n - 1 when first >= 0 (cand then only written); kp holds the arguments
 * at the positions of Arg. Each node's verdict (-1: does not fit, else its score in [0, 100]) is
 * memoized in `memo` (see NodeVerdictMemo).
 * perf: a module function over typed arrays; on a memo hit a node costs one load, not its hot
 * line and two float divisions; no totals are stored, the host is selected on the way.
 */
function fusedFitSelect(
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
  rj: fw.Rejections,
): number {
  const q0 = kp[Arg.fitCpu]!;
  const q1 = kp[Arg.fitMem]!;
  const pc = kp[Arg.podCpu]!;
  const pm = kp[Arg.podMem]!;
  const weight = kp[Arg.weight]!;
  const most = kp[Arg.most] === 1;
  const run = first >= 0;
  const code = rj.code;
  const plug = rj.plugin;
  const cur = rj.current;
  let best = sel[Sel.best]!;
  let bestScore = sel[Sel.score]!;
  let ties = sel[Sel.ties]!;
  let next = sel[Sel.next]!;
  let k = 0;
  for (let i = 0; i < n && k < limit; i++) {
    const node = run ? first + i : cand[i]!;
    let s = memo[node]!;
    if (s === UNKNOWN) {
      const o = node << SHIFT;
      const ac = h[o | H.allocCpu]!;
      const am = h[o | H.allocMem]!;
      s = fitsCpuMem(h[o | H.reqPods]!, h[o | H.allocPods]!, ac - h[o | H.reqCpu]!, am - h[o | H.reqMem]!, q0, q1)
        ? allocated(most, h[o | H.nzCpu]! + pc, ac, 1, h[o | H.nzMem]! + pm, am, 1)
        : -1;
      memo[node] = s;
    }
    if (s < 0) {
      code[node] = UNSCHEDULABLE;
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
 * totals[i] += w x the LeastAllocated (MostAllocated when `most`) score over cpu and memory of
 * list[i] for non-zero pod requests pc, pm, as score() computes it.
 * perf: a module function over the cache's hot lines (see Hot).
 */
function allocatedInto(
  h: Float64Array,
  list: Int32Array,
  n: number,
  most: boolean,
  pc: number,
  pm: number,
  wc: number,
  wm: number,
  totals: Float64Array,
  w: number,
): void {
  for (let i = 0; i < n; i++) totals[i]! += hotAllocated(h, list[i]! << SHIFT, most, pc, pm, wc, wm) * w;
}
