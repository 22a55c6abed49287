import type { Rng } from "../core/random.js";
import { CycleState } from "./cycle-state.js";
import { numFeasibleNodesToFind } from "./num-feasible-nodes.js";
import {
  declares,
  EXTENSION_POINT_NAMES,
  PER_NODE_SCORES,
  type Binder,
  type BindPlugin,
  type Diagnosis,
  type ExtensionPoint,
  type ExtensionPoints,
  type FilterPlugin,
  type Handle,
  type PermitPlugin,
  type Plugin,
  type PodRef,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreFilterPlugin,
  type PreScorePlugin,
  type QueueSortPlugin,
  type Rejections,
  type ReservePlugin,
  type ScorePlugin,
} from "./plugin.js";
import { MAX_NODE_SCORE } from "./plugins/helper.js";
import { HOT_ARG_COUNT, HotArg, HotScore, hotScoresSelect } from "./plugins/hot-scores.js";
import { NodeScoreMemo, setMemoized } from "./plugins/node-score-memo.js";
import type { RegistryEntry } from "./registry.js";
import type { SchedulerCache } from "./scheduler-cache.js";
import { nextTie, Sel } from "./select-host.js";
import { Code, rejected, SKIP, type Status, SUCCESS } from "./status.js";

/** The plugins of one profile per extension point, resolved from a configuration. */
export interface ResolvedProfile {
  schedulerName: string;
  /** Profile percentageOfNodesToScore, or null to use the global one. */
  percentageOfNodesToScore: number | null;
  queueSort: string[];
  preFilter: string[];
  filter: string[];
  postFilter: string[];
  preScore: string[];
  score: { name: string; weight: number }[];
  reserve: string[];
  permit: string[];
  bind: string[];
}

/** The scheduler-wide rotating start of the filter pass. model: schedule_one.go nextStartNodeIndex. */
export interface Rotation {
  next: number;
}

/** The outcome of one scheduling cycle (one object reused across cycles: copy what you keep). */
export class CycleResult {
  /** Success, Unschedulable (FitError), UnschedulableAndUnresolvable (PreFilter) or Error. */
  code: Code = Code.Success;
  node = -1;
  /** numFeasibleNodesToFind for this cycle. */
  want = 0;
  /** Nodes the filter pass examined (feasible + rejected), upstream processedNodes. */
  examined = 0;
  feasible = 0;
  /** Total weighted score of the chosen node; NaN when scoring did not run. */
  score = NaN;
  /** Score plugins that ran (for the cost model). */
  scoredPlugins = 0;
  /** Full-cluster passes made by PreFilter / PreScore plugins (for the cost model). */
  clusterScans = 0;
  status: Status = SUCCESS;
  /** Bitmask of profile plugin indices that rejected the pod (upstream UnschedulablePlugins). */
  unschedulablePlugins = 0;
  postFilter: PostFilterResult | null = null;
}

/** Per-plugin score arrays of a cycle, kept when explaining. */
export interface ScoreRecord {
  plugin: string;
  weight: number;
  raw: Float64Array;
  normalized: Float64Array;
}

/** What `explain` mode keeps of a cycle beyond the result. */
export class ExplainRecord {
  feasible: Int32Array = new Int32Array(0);
  scores: ScoreRecord[] = [];
  totals: Float64Array = new Float64Array(0);
  examinedNodes: Int32Array = new Int32Array(0);
  preFilterStatus: Status | null = null;
  /** Plugins whose PreFilter said Skip. */
  skippedFilters: string[] = [];
}

/** model: schedule_one.go minimum chunking is ours: the filter pass runs in chunks of this many nodes at least. */
const MIN_CHUNK = 32;
const MAX_CHUNK = 1024;
/**
 * The fused local scoring and selection (hotScoresSelect) is used when the memo forgot values
 * for at least 1 / MANY_CHANGED of the feasible nodes. perf: a heuristic (both paths give the
 * same totals and the same choice): the fused pass wins when most nodes miss, the memo pass and
 * selectHost's call-free scan when most hit (the SchedulingBasic-like throughput case).
 */
const MANY_CHANGED = 4;
/** Node-local Score plugins memoized together at most (see setLocalScores). */
const MAX_LOCAL = 3;
/**
 * Layout of the local-score memo key: at LocalKey.plugins the sum of the local plugins' bits,
 * then LocalKey.stride numbers per local plugin (what its localKey wrote) from LocalKey.first.
 */
const LocalKey = { plugins: 0, first: 1, stride: 2 } as const;
const LOCAL_KEY_LENGTH = LocalKey.first + LocalKey.stride * MAX_LOCAL;
/** Flags of a plugin in an extension point list: alwaysSkips, scans the cluster, PreScore called from Score, localKey, scoreInto. */
const FLAG_INERT = 1;
const FLAG_SCANS = 2;
const FLAG_IMPLICIT_PRESCORE = 4;
const FLAG_LOCAL = 8;
const FLAG_INTO = 16;

/**
 * One scheduling profile (upstream frameworkImpl): the plugin instances, the per extension point
 * lists in configured order, the score weights, and the cycle: PreFilter, the Filter pass from
 * the rotating start with early stop at numFeasibleNodesToFind, PostFilter on failure, PreScore,
 * Score, NormalizeScore, weighted sum and selectHost by reservoir sampling.
 *
 * perf: Filter plugins run as kernels over chunks of candidate node indices (each compacts the
 * chunk in place), so the framework costs one call per plugin per chunk, not per node; the result
 * equals running the plugins node by node in rotation order because plugins do not change state
 * during the pass. The chunk is sized to what is still needed so little work is wasted at the stop.
 */
export class Framework implements Handle {
  readonly schedulerName: string;
  readonly cache: SchedulerCache;
  readonly rng: Rng;
  readonly percentageOfNodesToScore: number | null;
  readonly plugins: Plugin[] = [];
  readonly queueSort: QueueSortPlugin | null;
  readonly preFilters: PreFilterPlugin[];
  readonly filters: FilterPlugin[];
  readonly postFilters: PostFilterPlugin[];
  readonly preScores: PreScorePlugin[];
  readonly scores: ScorePlugin[];
  readonly weights: number[];
  readonly reserves: ReservePlugin[];
  readonly permits: PermitPlugin[];
  readonly binds: BindPlugin[];
  readonly state = new CycleState();
  readonly result = new CycleResult();
  private readonly rj: Rejections;
  private feasibleBuf: Int32Array;
  private totals: Float64Array;
  private scoreBufs: Float64Array[];
  /** Per Score plugin: its PreScore when it has one that is not enabled at PreScore (called implicitly), else null. */
  private readonly implicitPreScore: (PreScorePlugin | null)[];
  private lastExamined: Int32Array | null = null;
  /** Per plugin profile index: whether its PreFilter / PreScore walks every node (cost model). */
  private readonly scans: boolean[];
  /** This cycle's node-local Score plugins, their weights and memo key (see setLocalScores). */
  private readonly localPlugins: ScorePlugin[] = [];
  private readonly localWeights: number[] = [];
  private readonly localKeyBuf = new Float64Array(LOCAL_KEY_LENGTH);
  /** The arguments of hotScoresSelect this cycle, when every local plugin is a hot-line formula. */
  private readonly hotArgs = new Float64Array(HOT_ARG_COUNT);
  private readonly localMemo: NodeScoreMemo;
  /** Whether any Score plugin offers localKey. */
  private readonly anyLocal: boolean;
  private readonly missAt: Int32Array;
  private readonly missNodes: Int32Array;
  private readonly missSums: Float64Array;
  private readonly missScratch: Float64Array;
  /** Profile indices of the PreFilter plugins that scan the cluster, in PreFilter order. */
  private readonly preFilterScanners: number[];
  /**
   * perf: per extension point list, each plugin's bit (1 << index) and flags (FLAG_*) in number
   * arrays, so that the cycle's loops do not load properties of plugins of many classes.
   */
  private readonly preFilterBits: number[];
  private readonly preFilterInert: Uint8Array;
  private readonly filterIndex: Int32Array;
  private readonly preScoreBits: number[];
  private readonly preScoreFlags: Int32Array;
  private readonly scoreBits: number[];
  private readonly scoreFlags: Int32Array;
  /** Weighted sum of the constant scores plugins returned this cycle. */
  private constantScore = 0;
  /**
   * perf: when the profile's only Filter and only Score plugin is the same plugin with a fused
   * kernel (NodeResourcesFit), the filter pass scores, and selects the host, as it filters.
   */
  private readonly fused: FilterPlugin | null;
  /** The fused kernel's selectHost state (see Sel). */
  private readonly sel = new Float64Array(4);
  private fusedActive = false;
  /** Whether this cycle's score pass selected the host (into sel, see hotScoresSelect). */
  private hostSelected = false;

  constructor(
    profile: ResolvedProfile,
    cache: SchedulerCache,
    rng: Rng,
    registry: ReadonlyMap<string, RegistryEntry>,
    args: ReadonlyMap<string, import("../scenario/yaml-reader.js").YamlReader>,
  ) {
    this.schedulerName = profile.schedulerName;
    this.cache = cache;
    this.rng = rng;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore;
    const byName = new Map<string, Plugin>();
    /** The extension points each plugin's class declares, by profile index. */
    const points: (readonly ExtensionPoint[])[] = [];
    const get = (name: string): Plugin => {
      let p = byName.get(name);
      if (p !== undefined) return p;
      const e = registry.get(name);
      if (e === undefined) throw new Error(`profile ${profile.schedulerName}: plugin "${name}" does not exist`);
      p = e.factory(this, args.get(name) ?? null);
      p.index = this.plugins.length;
      if (p.index >= 31) throw new Error(`profile ${profile.schedulerName}: more than 31 plugins`);
      this.plugins.push(p);
      points.push(e.points);
      byName.set(name, p);
      return p;
    };
    const typed = <P extends ExtensionPoint>(names: readonly string[], point: P): ExtensionPoints[P][] =>
      names.map((n) => {
        const p = get(n);
        if (!declares(p, points[p.index]!, point))
          throw new Error(
            `profile ${profile.schedulerName}: plugin "${n}" does not extend ${EXTENSION_POINT_NAMES[point]}`,
          );
        return p;
      });
    const qs = typed(profile.queueSort, "queueSort");
    if (qs.length > 1) throw new Error(`profile ${profile.schedulerName}: only one QueueSort plugin can be enabled`);
    this.queueSort = qs[0] ?? null;
    this.preFilters = typed(profile.preFilter, "preFilter");
    this.filters = typed(profile.filter, "filter");
    this.postFilters = typed(profile.postFilter, "postFilter");
    this.preScores = typed(profile.preScore, "preScore");
    this.scores = typed(
      profile.score.map((s) => s.name),
      "score",
    );
    this.weights = profile.score.map((s) => s.weight);
    this.reserves = typed(profile.reserve, "reserve");
    this.permits = typed(profile.permit, "permit");
    this.binds = typed(profile.bind, "bind");
    this.implicitPreScore = this.scores.map((s) =>
      declares(s, points[s.index]!, "preScore") && !this.preScores.some((p) => p.index === s.index) ? s : null,
    );
    this.scans = this.plugins.map((p) => p.scansCluster === true);
    this.preFilterScanners = this.preFilters.filter((p) => this.scans[p.index] === true).map((p) => p.index);
    this.preFilterBits = this.preFilters.map((p) => 1 << p.index);
    this.preFilterInert = Uint8Array.from(this.preFilters, (p) => (p.alwaysSkips === true ? 1 : 0));
    this.filterIndex = Int32Array.from(this.filters, (p) => p.index);
    this.preScoreBits = this.preScores.map((p) => 1 << p.index);
    this.preScoreFlags = Int32Array.from(
      this.preScores,
      (p) => (p.alwaysSkips === true ? FLAG_INERT : 0) | (this.scans[p.index] === true ? FLAG_SCANS : 0),
    );
    this.scoreBits = this.scores.map((p) => 1 << p.index);
    this.anyLocal = this.scores.some((p) => typeof p.localKey === "function" && typeof p.localScore === "function");
    this.scoreFlags = Int32Array.from(
      this.scores,
      (p, i) =>
        (p.alwaysSkips === true ? FLAG_INERT : 0) |
        (this.implicitPreScore[i] !== null ? FLAG_IMPLICIT_PRESCORE : 0) |
        (typeof p.localKey === "function" && typeof p.localScore === "function" ? FLAG_LOCAL : 0) |
        (typeof p.scoreInto === "function" ? FLAG_INTO : 0),
    );
    const f0 = this.filters[0];
    const s0 = this.scores[0];
    this.fused =
      this.filters.length === 1 &&
      this.scores.length === 1 &&
      f0 !== undefined &&
      s0 !== undefined &&
      f0.index === s0.index &&
      !s0.normalizes &&
      f0.filterScoreNodes !== undefined
        ? f0
        : null;
    const n = cache.nodes.size;
    this.rj = { code: new Uint8Array(n), plugin: new Int16Array(n), current: -1 };
    this.feasibleBuf = new Int32Array(n);
    this.totals = new Float64Array(n);
    this.scoreBufs = this.scores.map(() => new Float64Array(n));
    this.localMemo = new NodeScoreMemo(cache, LOCAL_KEY_LENGTH);
    this.missAt = new Int32Array(n);
    this.missNodes = new Int32Array(n);
    this.missSums = new Float64Array(n);
    this.missScratch = new Float64Array(n);
  }

  /** Plugin by profile index. */
  plugin(index: number): Plugin {
    return this.plugins[index]!;
  }

  /** Names of the plugins in a bitmask of profile indices. */
  pluginNames(mask: number): string[] {
    const out: string[] = [];
    for (const p of this.plugins) if ((mask & (1 << p.index)) !== 0) out.push(p.name);
    return out;
  }

  get hasScoring(): boolean {
    return this.scores.length > 0;
  }

  /** Runs PreFilter plugins into `state`; Skip marks the plugin's Filter skipped. */
  runPreFilters(state: CycleState, pod: PodRef): Status {
    const pf = this.preFilters;
    const bits = this.preFilterBits;
    const inert = this.preFilterInert;
    for (let i = 0; i < pf.length; i++) {
      if (inert[i] === 1) {
        // perf: a plugin whose PreFilter always says Skip is marked without the call.
        state.skipFilterMask |= bits[i]!;
        continue;
      }
      const p = pf[i]!;
      const s = p.preFilter(state, pod);
      if (s.code === Code.Success) continue;
      if (s.code === Code.Skip) {
        state.skipFilterMask |= bits[i]!;
        continue;
      }
      if (s.plugin === "") s.plugin = p.name;
      return s;
    }
    return SUCCESS;
  }

  /** Runs the Filter plugins on one node in order and returns the first non-success status. */
  runFilters(state: CycleState, pod: PodRef, node: number): Status {
    for (const f of this.filters) {
      if ((state.skipFilterMask & (1 << f.index)) !== 0) continue;
      const s = f.filter(state, pod, node);
      if (s.code !== Code.Success) {
        if (s.plugin === "") s.plugin = f.name;
        return s;
      }
    }
    return SUCCESS;
  }

  /**
   * What-if checks against the cache as it is now (the Cluster Autoscaler's PredicateChecker,
   * simulator/predicatechecker: PreFilter, then Filter per node; no Score): runs the PreFilter
   * plugins into this framework's own cycle state and says whether the pod can be placed at all.
   * {@link fitsPrepared} then checks nodes until the cache changes. Use a framework of one's
   * own, not the scheduler's, whose cycle state a binding may still read.
   */
  prepareFilter(pod: PodRef): boolean {
    this.state.reset();
    return this.runPreFilters(this.state, pod).code === Code.Success;
  }

  /** After {@link prepareFilter}: whether `node` passes PreFilter's node subset and every Filter plugin. */
  fitsPrepared(pod: PodRef, node: number): boolean {
    const sub = this.state.nodeSubset;
    if (sub !== null && !binaryHas(sub, node)) return false;
    return this.runFilters(this.state, pod, node).code === Code.Success;
  }

  /** Per plugin statuses of one node, in order, up to the first rejection (explain). */
  filterStatuses(state: CycleState, pod: PodRef, node: number): { plugin: string; status: Status }[] {
    const out: { plugin: string; status: Status }[] = [];
    const sub = state.nodeSubset;
    if (sub !== null && !binaryHas(sub, node)) {
      const names = [...new Set(state.subsetPlugins)].filter((x) => x !== "").sort();
      out.push({
        plugin: names[0] ?? "PreFilter",
        status: rejected(Code.UnschedulableAndUnresolvable, `node(s) didn't satisfy plugin(s) [${names.join(" ")}]`),
      });
      return out;
    }
    for (const f of this.filters) {
      if ((state.skipFilterMask & (1 << f.index)) !== 0) continue;
      const s = f.filter(state, pod, node);
      out.push({ plugin: f.name, status: s });
      if (s.code !== Code.Success) break;
    }
    return out;
  }

  /**
   * One scheduling cycle for `pod` against the cache. On success `result.node` is the chosen node;
   * the caller assumes it. `rotation` is advanced as upstream advances nextStartNodeIndex.
   */
  schedule(
    pod: PodRef,
    rotation: Rotation,
    globalPercentage: number,
    explain: ExplainRecord | null = null,
  ): CycleResult {
    const r = this.result;
    const state = this.state;
    state.reset();
    r.code = Code.Success;
    r.node = -1;
    r.want = 0;
    r.examined = 0;
    r.feasible = 0;
    r.score = NaN;
    r.scoredPlugins = 0;
    r.clusterScans = 0;
    r.status = SUCCESS;
    r.unschedulablePlugins = 0;
    r.postFilter = null;
    this.constantScore = 0;
    // model: the snapshot holds the nodes that exist; rows reserved for later nodes are not in it.
    const present = this.cache.presentNodes;
    const N = this.cache.presentCount;
    if (N === 0) return this.fail(Code.Error, rejected(Code.Error, "no nodes available to schedule pods"));
    const pre = this.runPreFilters(state, pod);
    const scanners = this.preFilterScanners;
    for (let i = 0; i < scanners.length; i++) if ((state.skipFilterMask & (1 << scanners[i]!)) === 0) r.clusterScans++;
    if (explain !== null)
      explain.skippedFilters = this.preFilters
        .filter((p) => (state.skipFilterMask & (1 << p.index)) !== 0)
        .map((p) => p.name);
    if (pre.code !== Code.Success) {
      if (pre.code === Code.Error) return this.fail(Code.Error, pre);
      r.unschedulablePlugins = 1 << (this.plugins.find((p) => p.name === pre.plugin)?.index ?? 0);
      if (explain !== null) explain.preFilterStatus = pre;
      this.fail(pre.code, pre);
      this.runPostFilter(pod, { nodes: new Int32Array(0), count: 0, code: this.rj.code, preFilterStatus: pre });
      return r;
    }
    // model: schedule_one.go findNodesThatFitPod / evaluateNominatedNode: a pod nominated by an
    // earlier preemption tries its nominated node first, and takes it when it passes the filters.
    const nom = this.cache.nominated.get(pod.pod);
    if (nom !== undefined && this.cache.nodes.present[nom] === 1 && this.runFilters(state, pod, nom).isSuccess) {
      r.node = nom;
      r.examined = 1;
      r.feasible = 1;
      if (explain !== null) {
        explain.examinedNodes = Int32Array.of(nom);
        explain.feasible = Int32Array.of(nom);
      }
      return r;
    }
    if (present !== null) {
      if (state.nodeSubset === null) state.nodeSubset = present;
      else state.restrictNodes(present, "");
    }
    const sub = state.nodeSubset;
    const total = sub === null ? N : sub.length;
    const pct = this.percentageOfNodesToScore ?? globalPercentage;
    let want = numFeasibleNodesToFind(total, pct);
    // model: findNodesThatPassFilters: with no scoring, one feasible node is enough.
    if (!this.hasScoring) want = 1;
    r.want = want;
    const start0 = rotation.next;
    const fused = this.fused;
    this.fusedActive = false;
    if (
      fused !== null &&
      explain === null &&
      (state.skipFilterMask & (1 << fused.index)) === 0 &&
      this.preScores.length <= 1
    ) {
      // The fused plugin's PreScore does not depend on the feasible nodes (NodeResourcesFit).
      const ps = this.preScores.length === 1 ? this.preScores[0]!.preScore(state, pod, this.feasibleBuf, 0) : SUCCESS;
      this.fusedActive = ps.code === Code.Success;
    }
    const found = total === 0 ? 0 : this.filterPass(state, pod, want, total, start0);
    rotation.next = (start0 + r.examined) % N;
    r.feasible = found;
    if (explain !== null) explain.examinedNodes = this.examinedNodes(start0, total);
    if (found === 0) {
      let mask = 0;
      const ex = this.examinedNodes(start0, total);
      for (let i = 0; i < ex.length; i++) mask |= 1 << this.rj.plugin[ex[i]!]!;
      r.unschedulablePlugins = mask;
      this.lastExamined = ex;
      // perf: the FitError text needs every node's reasons; it is built on demand (failureMessage).
      this.fail(Code.Unschedulable, rejected(Code.Unschedulable, "FitError"));
      this.runPostFilter(pod, { nodes: ex, count: ex.length, code: this.rj.code, preFilterStatus: null });
      return r;
    }
    const feasible = this.feasibleBuf;
    if (explain !== null) explain.feasible = feasible.slice(0, found);
    if (found === 1) {
      // model: schedulePod: with one feasible node, scoring is skipped.
      r.node = feasible[0]!;
      return r;
    }
    if (this.fusedActive) {
      // The fused kernel selected the host as it scored (same totals, same order, same draws).
      r.scoredPlugins = 1;
      const sel = this.sel;
      r.node = feasible[sel[Sel.best]!]!;
      r.score = sel[Sel.score]!;
      return r;
    }
    this.hostSelected = false;
    const st = this.scorePass(state, pod, found, explain);
    if (st !== null) return this.fail(Code.Error, st);
    if (this.hostSelected) {
      const sel = this.sel;
      r.node = feasible[sel[Sel.best]!]!;
      r.score = sel[Sel.score]! + this.constantScore;
    } else this.selectHost(found);
    return r;
  }

  private fail(code: Code, status: Status): CycleResult {
    this.result.code = code;
    this.result.status = status;
    this.result.node = -1;
    return this.result;
  }

  private runPostFilter(pod: PodRef, diag: Diagnosis): void {
    for (const p of this.postFilters) {
      const res = p.postFilter(this.state, pod, diag);
      if (res.status.code === Code.Success) {
        this.result.postFilter = res;
        return;
      }
      if (this.result.postFilter === null) this.result.postFilter = res;
    }
  }

  /** Nodes at rotation positions [0, examined) starting at `start`, in examination order. */
  private examinedNodes(start: number, total: number): Int32Array {
    const N = this.cache.presentCount;
    const sub = this.state.nodeSubset;
    const out = new Int32Array(this.result.examined);
    const s0 = (((start % N) + N) % N) % total;
    for (let i = 0; i < out.length; i++) {
      const idx = (s0 + i) % total;
      out[i] = sub === null ? idx : sub[idx]!;
    }
    return out;
  }

  private filterPass(state: CycleState, pod: PodRef, want: number, total: number, startRaw: number): number {
    const sub = state.nodeSubset;
    const start = startRaw % total;
    const feasible = this.feasibleBuf;
    const rj = this.rj;
    const filters = this.filters;
    const nf = filters.length;
    const mask = state.skipFilterMask;
    let pos = 0;
    let found = 0;
    let examined = -1;
    while (pos < total && found < want) {
      let chunk = want - found;
      if (chunk < MIN_CHUNK) chunk = MIN_CHUNK;
      if (chunk > MAX_CHUNK) chunk = MAX_CHUNK;
      if (chunk > total - pos) chunk = total - pos;
      // perf: candidates are laid out where survivors go, and the kernels compact them in place.
      // Rejection codes are not cleared: they are read only when every examined node was rejected.
      const cand = found === 0 && chunk === feasible.length ? feasible : feasible.subarray(found, found + chunk);
      let idx = (start + pos) % total;
      // perf: the fused kernel reads a contiguous run of nodes by index, without a candidate list.
      const run = sub === null && idx + chunk <= total;
      const first = run && this.fusedActive ? idx : -1;
      if (first < 0) {
        if (run) for (let j = 0; j < chunk; j++) cand[j] = idx + j;
        else {
          for (let j = 0; j < chunk; j++) {
            cand[j] = sub === null ? idx : sub[idx]!;
            if (++idx === total) idx = 0;
          }
        }
      }
      let k = chunk;
      const fused = this.fused;
      if (this.fusedActive && fused !== null) {
        rj.current = fused.index;
        k =
          fused.filterScoreNodes?.(
            state,
            pod,
            first,
            cand,
            k,
            rj,
            found,
            want - found,
            this.weights[0]!,
            this.sel,
            this.rng,
          ) ?? -1;
        if (k < 0) {
          // Not the fused kernel's case: fall back to filter then score for the rest of the cycle.
          this.fusedActive = false;
          if (first >= 0) for (let j = 0; j < chunk; j++) cand[j] = first + j;
          k = fused.filterNodes(state, pod, cand, chunk, rj);
        }
      } else {
        const fi = this.filterIndex;
        for (let p = 0; p < nf && k > 0; p++) {
          // perf: plugin indices from a number array, not megamorphic property loads.
          const x = fi[p]!;
          if ((mask & (1 << x)) !== 0) continue;
          rj.current = x;
          k = filters[p]!.filterNodes(state, pod, cand, k, rj);
        }
      }
      const need = want - found;
      if (k >= need) {
        found = want;
        // The pass stops at the node that completed the set: count nodes up to it.
        const last = cand[need - 1]!;
        const li = sub === null ? last : binaryIndex(sub, last);
        examined = ((li - start + total) % total) + 1;
        break;
      }
      found += k;
      pos += chunk;
    }
    this.result.examined = examined >= 0 ? examined : pos;
    return found;
  }

  private scorePass(state: CycleState, pod: PodRef, n: number, explain: ExplainRecord | null): Status | null {
    const feasible = this.feasibleBuf;
    const ps = this.preScores;
    const psBits = this.preScoreBits;
    const psFlags = this.preScoreFlags;
    for (let i = 0; i < ps.length; i++) {
      const f = psFlags[i]!;
      if ((f & FLAG_INERT) !== 0) {
        // perf: a plugin whose PreScore always says Skip is marked without the call.
        state.skipScoreMask |= psBits[i]!;
        continue;
      }
      const s = ps[i]!.preScore(state, pod, feasible, n);
      if (s.code === Code.Skip) state.skipScoreMask |= psBits[i]!;
      else if (s.code !== Code.Success) return s;
      else if ((f & FLAG_SCANS) !== 0) this.result.clusterScans++;
    }
    const totals = this.totals;
    this.constantScore = 0;
    if (explain !== null) explain.scores = [];
    const sBits = this.scoreBits;
    const sFlags = this.scoreFlags;
    // perf: node-local Score plugins (localKey) are summed first, in one memoized pass that also
    // initializes the totals (the sums are integers, so the order of addition does not matter).
    let localMask = 0;
    let nLocal = 0;
    if (explain === null && this.anyLocal) {
      const key = this.localKeyBuf;
      key[LocalKey.plugins] = 0;
      for (let i = 0; i < this.scores.length && nLocal < MAX_LOCAL; i++) {
        const f = sFlags[i]!;
        const bit = sBits[i]!;
        if ((f & FLAG_LOCAL) === 0 || (f & FLAG_IMPLICIT_PRESCORE) !== 0 || (state.skipScoreMask & bit) !== 0) continue;
        const p = this.scores[i]!;
        if (!p.localKey!(pod, key, LocalKey.first + LocalKey.stride * nLocal)) continue;
        key[LocalKey.plugins]! += bit;
        this.localPlugins[nLocal] = p;
        this.localWeights[nLocal] = this.weights[i]!;
        nLocal++;
        localMask |= bit;
        this.result.scoredPlugins++;
      }
      for (let j = LocalKey.first + LocalKey.stride * nLocal; j < key.length; j++) key[j] = 0;
    }
    // perf: when many nodes changed since the memo was last used and the local plugins are
    // hot-line formulas, they are scored last, in one kernel that also selects the host (see
    // hotScoresSelect), and the others add to zeroed totals first. With few changes, the memo
    // pass and selectHost's scan are cheaper.
    if (nLocal > 0) this.localMemo.use(this.localKeyBuf);
    const hot = nLocal > 0 && this.localMemo.forgotten * MANY_CHANGED >= n && this.setHotArgs(nLocal);
    if (nLocal > 0 && !hot) this.setLocalScores(state, pod, n, nLocal);
    else totals.fill(0, 0, n);
    let perNode = false;
    for (let i = 0; i < this.scores.length; i++) {
      const bit = sBits[i]!;
      if ((localMask & bit) !== 0) continue;
      const f = sFlags[i]!;
      const implicit = this.implicitPreScore[i]!;
      if (implicit !== null && (state.skipScoreMask & bit) === 0) {
        const s = (f & FLAG_INERT) !== 0 ? SKIP : implicit.preScore(state, pod, feasible, n);
        if (s.code === Code.Skip) state.skipScoreMask |= bit;
        else if (s.code !== Code.Success) return s;
      }
      if ((state.skipScoreMask & bit) !== 0) continue;
      const p = this.scores[i]!;
      const buf = this.scoreBufs[i]!;
      const w = this.weights[i]!;
      if (explain === null && (f & FLAG_INTO) !== 0) {
        // perf: the plugin scores, normalizes and adds its weighted scores in one or two passes.
        const c = p.scoreInto!(state, pod, feasible, n, totals, w, buf);
        if (c !== PER_NODE_SCORES) this.constantScore += c * w;
        else perNode = true;
        this.result.scoredPlugins++;
        continue;
      }
      const constant = p.score(state, pod, feasible, n, buf);
      let raw: Float64Array | null = null;
      if (constant !== PER_NODE_SCORES) {
        if (constant > MAX_NODE_SCORE || constant < 0)
          return rejected(
            Code.Error,
            `plugin "${p.name}" returns an invalid score ${constant}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`,
          );
        this.constantScore += constant * w;
        if (explain !== null) {
          buf.fill(constant, 0, n);
          raw = p.normalizes ? new Float64Array(n) : buf.slice(0, n);
        }
      } else {
        raw = explain !== null ? buf.slice(0, n) : null;
        if (p.normalizes) p.normalizeScore(state, pod, feasible, n, buf);
        const bad = accumulate(totals, buf, n, w);
        perNode = true;
        // model: RunScorePlugins rejects scores outside [MinNodeScore, MaxNodeScore] after normalizing.
        if (!Number.isNaN(bad))
          return rejected(
            Code.Error,
            `plugin "${p.name}" returns an invalid score ${bad}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`,
          );
      }
      this.result.scoredPlugins++;
      if (explain !== null) explain.scores.push({ plugin: p.name, weight: w, raw: raw!, normalized: buf.slice(0, n) });
    }
    // perf: a score every node gets (constant) is not added to every total: selectHost adds it to
    // the winner's total. Totals are sums of small integers, exact in doubles, so adding the same
    // integer everywhere changes no comparison and no tie.
    if (explain !== null) {
      if (this.constantScore !== 0) for (let j = 0; j < n; j++) totals[j]! += this.constantScore;
      this.constantScore = 0;
      explain.totals = totals.slice(0, n);
    }
    if (hot) {
      hotScoresSelect(
        this.cache.hot,
        this.hotArgs,
        feasible,
        n,
        this.localMemo.values,
        totals,
        perNode,
        this.sel,
        this.rng,
      );
      this.hostSelected = true;
    }
    return null;
  }

  /**
   * Sets totals[0..n) to the weighted node-local scores of this cycle's local plugins: memoized
   * per node (see NodeScoreMemo, whose slot for the plugins' key scorePass selected), computed
   * through localScore where the node's hot line changed since.
   */
  private setLocalScores(state: CycleState, pod: PodRef, n: number, nLocal: number): void {
    const values = this.localMemo.values;
    const list = this.feasibleBuf;
    const missAt = this.missAt;
    const totals = this.totals;
    const misses = setMemoized(values, list, n, totals, missAt);
    if (misses === 0) return;
    let batch = misses >= 8;
    for (let j = 0; j < nLocal; j++) if (this.localPlugins[j]!.scoreInto === undefined) batch = false;
    if (batch) {
      // perf: many misses (e.g. after every node changed) are scored with one kernel call per
      // plugin over the missed nodes, not two calls per node.
      const nodes = this.missNodes;
      const sums = this.missSums;
      for (let m = 0; m < misses; m++) nodes[m] = list[missAt[m]!]!;
      sums.fill(0, 0, misses);
      for (let j = 0; j < nLocal; j++) {
        const w = this.localWeights[j]!;
        const c = this.localPlugins[j]!.scoreInto!(state, pod, nodes, misses, sums, w, this.missScratch);
        if (c !== PER_NODE_SCORES) for (let m = 0; m < misses; m++) sums[m]! += c * w;
      }
      for (let m = 0; m < misses; m++) {
        values[nodes[m]!] = sums[m]!;
        totals[missAt[m]!] = sums[m]!;
      }
      return;
    }
    for (let m = 0; m < misses; m++) {
      const i = missAt[m]!;
      const node = list[i]!;
      let sum = 0;
      for (let j = 0; j < nLocal; j++) sum += this.localPlugins[j]!.localScore!(pod, node) * this.localWeights[j]!;
      values[node] = sum;
      totals[i] = sum;
    }
  }

  /**
   * Whether every local plugin of this cycle (nLocal of them, after localKey) is a hot-line
   * formula (see ScorePlugin.hotScore), at most one of each kind; if so their arguments are in
   * hotArgs (see HotArg).
   */
  private setHotArgs(nLocal: number): boolean {
    const key = this.localKeyBuf;
    const args = this.hotArgs;
    args[HotArg.allocKind] = -1;
    args[HotArg.balanced] = 0;
    for (let j = 0; j < nLocal; j++) {
      const t = this.localPlugins[j]!.hotScore;
      const pc = key[LocalKey.first + LocalKey.stride * j]!;
      const pm = key[LocalKey.first + LocalKey.stride * j + 1]!;
      const w = this.localWeights[j]!;
      if (t === undefined || t === null) return false;
      if (t.kind === HotScore.balanced) {
        if (args[HotArg.balanced] === 1) return false;
        args[HotArg.balanced] = 1;
        args[HotArg.balancedPodCpu] = pc;
        args[HotArg.balancedPodMem] = pm;
        args[HotArg.balancedWeight] = w;
      } else {
        if (args[HotArg.allocKind] !== -1) return false;
        args[HotArg.allocKind] = t.kind;
        args[HotArg.allocPodCpu] = pc;
        args[HotArg.allocPodMem] = pm;
        args[HotArg.allocCpuWeight] = t.cpuWeight;
        args[HotArg.allocMemWeight] = t.memWeight;
        args[HotArg.allocWeight] = w;
      }
    }
    return true;
  }

  /**
   * model: schedule_one.go selectHost: the highest total, ties broken by reservoir sampling
   * (each later tie replaces the pick with probability 1 / ties).
   * perf: the reservoir is run with skips: after a replacement at tie count c, the next
   * replacement happens at tie count floor(c / u) + 1 for u uniform in (0, 1], which has exactly
   * the per-tie replacement probabilities, so a run of t ties draws O(log t) numbers, not t - 1.
   */
  private selectHost(n: number): void {
    const totals = this.totals;
    let best = 0;
    let bestScore = totals[0]!;
    let ties = 1;
    let nextReplace = this.nextTie(1);
    for (let j = 1; j < n; j++) {
      let s = totals[j]!;
      // perf: an inner scan with no call and no store runs to the next event: a better total, or
      // the tie at which the reservoir replaces its pick (ties counted on the way).
      while (s < bestScore || (s === bestScore && ++ties !== nextReplace)) {
        if (++j === n) break;
        s = totals[j]!;
      }
      if (j === n) break;
      if (s > bestScore) {
        bestScore = s;
        best = j;
        ties = 1;
        nextReplace = this.nextTie(1);
      } else if (s === bestScore) {
        best = j;
        nextReplace = this.nextTie(ties);
      }
    }
    this.result.node = this.feasibleBuf[best]!;
    this.result.score = bestScore + this.constantScore;
  }

  /** The tie count at which reservoir sampling next replaces its pick, given a pick at tie count c. */
  private nextTie(c: number): number {
    return nextTie(this.rng, c);
  }

  /** The FitError text of the last failed cycle (runs the Filter plugins again on every node). */
  failureMessage(pod: PodRef): string {
    const r = this.result;
    if (r.code === Code.Success) return "";
    if (r.code !== Code.Unschedulable || this.lastExamined === null)
      return `0/${this.cache.nodes.size} nodes are available: ${r.status.message()}.`;
    return this.fitErrorMessage(this.state, pod, this.lastExamined);
  }

  /** Upstream FitError message: "0/N nodes are available: 3 Insufficient cpu, 2 node(s) ...". */
  fitErrorMessage(state: CycleState, pod: PodRef, nodes: Int32Array): string {
    const N = this.cache.presentCount;
    const counts = new Map<string, number>();
    const add = (reason: string) => counts.set(reason, (counts.get(reason) ?? 0) + 1);
    for (let i = 0; i < nodes.length; i++) {
      const s = this.runFilters(state, pod, nodes[i]!);
      for (const reason of s.reasons) add(reason);
    }
    const sub = state.nodeSubset;
    const restricted = [...new Set(state.subsetPlugins)].filter((x) => x !== "").sort();
    if (sub !== null && restricted.length > 0 && sub.length < this.cache.presentCount)
      for (let i = 0; i < this.cache.presentCount - sub.length; i++)
        add(`node(s) didn't satisfy plugin(s) [${restricted.join(" ")}]`);
    // model: framework/types.go FitError.Error: reasons sorted, "count reason" joined by ", ".
    const parts = [...counts].map(([r, c]) => `${c} ${r}`).sort();
    return `0/${N} nodes are available: ${parts.join(", ")}.`;
  }

  /** Reserve plugins in order; on failure the already reserved are unreserved in reverse. */
  runReserve(pod: PodRef, node: number): Status {
    for (let i = 0; i < this.reserves.length; i++) {
      const s = this.reserves[i]!.reserve(this.state, pod, node);
      if (s.code !== Code.Success) {
        for (let j = i; j >= 0; j--) this.reserves[j]!.unreserve(this.state, pod, node);
        return s;
      }
    }
    return SUCCESS;
  }

  runPermit(pod: PodRef, node: number): Status {
    for (const p of this.permits) {
      const s = p.permit(this.state, pod, node);
      if (s.code !== Code.Success && s.code !== Code.Wait) return s;
    }
    return SUCCESS;
  }

  /** Bind plugins until one does not Skip. */
  runBind(pod: PodRef, node: number, binder: Binder): Status {
    for (const p of this.binds) {
      const s = p.bind(this.state, pod, node, binder);
      if (s.code !== Code.Skip) return s;
    }
    return rejected(Code.Error, "no bind plugin bound the pod");
  }
}

/**
 * totals += w x scores over n nodes; returns NaN, or the first score outside [0, MaxNodeScore].
 * perf: a small monomorphic loop of its own, kept out of the polymorphic score pass.
 */
function accumulate(totals: Float64Array, scores: Float64Array, n: number, w: number): number {
  let lo = 0;
  let hi = 0;
  for (let j = 0; j < n; j++) {
    const v = scores[j]!;
    if (v > hi) hi = v;
    if (v < lo) lo = v;
    totals[j]! += v * w;
  }
  return hi > MAX_NODE_SCORE ? hi : lo < 0 ? lo : NaN;
}

function binaryIndex(a: Int32Array, v: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else if (a[mid]! > v) hi = mid - 1;
    else return mid;
  }
  return -1;
}

function binaryHas(a: Int32Array, v: number): boolean {
  return binaryIndex(a, v) >= 0;
}
