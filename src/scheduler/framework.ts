import type { Rng } from "../core/random.js";
import { CycleState } from "./cycle-state.js";
import { numFeasibleNodesToFind } from "./num-feasible-nodes.js";
import {
  isBind, isFilter, isPermit, isPostFilter, isPreFilter, isPreScore, isQueueSort, isReserve, isScore,
  type Binder, type BindPlugin, type Diagnosis, type FilterPlugin, type Handle, type PermitPlugin, type Plugin, type PodRef,
  type PostFilterPlugin, type PostFilterResult, type PreFilterPlugin, type PreScorePlugin, type QueueSortPlugin, type Rejections,
  type ReservePlugin, type ScorePlugin,
} from "./plugin.js";
import { MAX_NODE_SCORE } from "./plugins/helper.js";
import type { SchedulerCache } from "./scheduler-cache.js";
import { Code, rejected, Status, SUCCESS } from "./status.js";

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

/** Builds a plugin by upstream name with its args (null for defaults). */
export type PluginFactory = (h: Handle, args: import("../scenario/yaml-reader.js").YamlReader | null) => Plugin;

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
/** Plugins whose PreFilter or PreScore walks every node when it does not Skip (cost model). */
const CLUSTER_SCANNERS = new Set(["PodTopologySpread", "InterPodAffinity", "ImageLocality"]);

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
  /** Score plugins that have a PreScore but are not enabled at PreScore: called implicitly. */
  private readonly implicitPreScore: boolean[];
  private lastExamined: Int32Array | null = null;
  /** Per plugin profile index: whether its PreFilter / PreScore walks every node (cost model). */
  private readonly scans: boolean[];
  /** Weighted sum of the constant scores plugins returned this cycle. */
  private constantScore = 0;
  /**
   * perf: when the profile's only Filter and only Score plugin is the same plugin with a fused
   * kernel (NodeResourcesFit), the filter pass scores as it filters.
   */
  private readonly fused: (ScorePlugin & FilterPlugin & { filterScoreNodes(pod: PodRef, cand: Int32Array, n: number, rj: Rejections, totals: Float64Array, at: number, weight: number): number }) | null;
  private fusedActive = false;

  constructor(profile: ResolvedProfile, cache: SchedulerCache, rng: Rng, registry: ReadonlyMap<string, PluginFactory>, args: ReadonlyMap<string, import("../scenario/yaml-reader.js").YamlReader>) {
    this.schedulerName = profile.schedulerName;
    this.cache = cache;
    this.rng = rng;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore;
    const byName = new Map<string, Plugin>();
    const get = (name: string): Plugin => {
      let p = byName.get(name);
      if (p !== undefined) return p;
      const f = registry.get(name);
      if (f === undefined) throw new Error(`profile ${profile.schedulerName}: plugin "${name}" does not exist`);
      p = f(this, args.get(name) ?? null);
      p.index = this.plugins.length;
      if (p.index >= 31) throw new Error(`profile ${profile.schedulerName}: more than 31 plugins`);
      this.plugins.push(p);
      byName.set(name, p);
      return p;
    };
    const typed = <T extends Plugin>(names: readonly string[], guard: (p: Plugin) => p is T, point: string): T[] =>
      names.map((n) => {
        const p = get(n);
        if (!guard(p)) throw new Error(`profile ${profile.schedulerName}: plugin "${n}" does not extend ${point}`);
        return p;
      });
    const qs = typed(profile.queueSort, isQueueSort, "QueueSort");
    if (qs.length > 1) throw new Error(`profile ${profile.schedulerName}: only one QueueSort plugin can be enabled`);
    this.queueSort = qs[0] ?? null;
    this.preFilters = typed(profile.preFilter, isPreFilter, "PreFilter");
    this.filters = typed(profile.filter, isFilter, "Filter");
    this.postFilters = typed(profile.postFilter, isPostFilter, "PostFilter");
    this.preScores = typed(profile.preScore, isPreScore, "PreScore");
    this.scores = typed(
      profile.score.map((s) => s.name),
      isScore,
      "Score",
    );
    this.weights = profile.score.map((s) => s.weight);
    this.reserves = typed(profile.reserve, isReserve, "Reserve");
    this.permits = typed(profile.permit, isPermit, "Permit");
    this.binds = typed(profile.bind, isBind, "Bind");
    this.implicitPreScore = this.scores.map((s) => isPreScore(s) && !this.preScores.includes(s));
    this.scans = this.plugins.map((p) => CLUSTER_SCANNERS.has(p.name));
    const only = this.filters.length === 1 && this.scores.length === 1 && (this.filters[0] as Plugin) === (this.scores[0] as Plugin) ? this.scores[0]! : null;
    this.fused = only !== null && !only.normalizes && typeof (only as unknown as Record<string, unknown>).filterScoreNodes === "function" ? (only as unknown as NonNullable<Framework["fused"]>) : null;
    const n = cache.nodes.size;
    this.rj = { code: new Uint8Array(n), plugin: new Int16Array(n), current: -1 };
    this.feasibleBuf = new Int32Array(n);
    this.totals = new Float64Array(n);
    this.scoreBufs = this.scores.map(() => new Float64Array(n));
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
    for (const p of this.preFilters) {
      const s = p.preFilter(state, pod);
      if (s.code === Code.Success) continue;
      if (s.code === Code.Skip) {
        state.skipFilterMask |= 1 << p.index;
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

  /** Per plugin statuses of one node, in order, up to the first rejection (explain). */
  filterStatuses(state: CycleState, pod: PodRef, node: number): { plugin: string; status: Status }[] {
    const out: { plugin: string; status: Status }[] = [];
    const sub = state.nodeSubset;
    if (sub !== null && !binaryHas(sub, node)) {
      const names = [...new Set(state.subsetPlugins)].filter((x) => x !== "").sort();
      out.push({ plugin: names[0] ?? "PreFilter", status: rejected(Code.UnschedulableAndUnresolvable, `node(s) didn't satisfy plugin(s) [${names.join(" ")}]`) });
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
  schedule(pod: PodRef, rotation: Rotation, globalPercentage: number, explain: ExplainRecord | null = null): CycleResult {
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
    // model: the snapshot holds the nodes that exist; rows reserved for later nodes are not in it.
    const present = this.cache.presentNodes;
    const N = this.cache.presentCount;
    if (N === 0) return this.fail(Code.Error, rejected(Code.Error, "no nodes available to schedule pods"));
    const pre = this.runPreFilters(state, pod);
    for (let i = 0; i < this.preFilters.length; i++) {
      const p = this.preFilters[i]!;
      if (this.scans[p.index] === true && (state.skipFilterMask & (1 << p.index)) === 0) r.clusterScans++;
    }
    if (explain !== null) explain.skippedFilters = this.preFilters.filter((p) => (state.skipFilterMask & (1 << p.index)) !== 0).map((p) => p.name);
    if (pre.code !== Code.Success) {
      if (pre.code === Code.Error) return this.fail(Code.Error, pre);
      r.unschedulablePlugins = 1 << (this.plugins.find((p) => p.name === pre.plugin)?.index ?? 0);
      if (explain !== null) explain.preFilterStatus = pre;
      this.fail(pre.code, pre);
      this.runPostFilter(pod, { nodes: new Int32Array(0), count: 0, code: this.rj.code, preFilterStatus: pre });
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
    if (fused !== null && explain === null && (state.skipFilterMask & (1 << fused.index)) === 0 && this.preScores.length <= 1) {
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
    if (this.fusedActive) r.scoredPlugins = 1;
    else {
      const st = this.scorePass(state, pod, found, explain);
      if (st !== null) return this.fail(Code.Error, st);
    }
    this.selectHost(found);
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
      if (sub === null && idx + chunk <= total) for (let j = 0; j < chunk; j++) cand[j] = idx + j;
      else {
        for (let j = 0; j < chunk; j++) {
          cand[j] = sub === null ? idx : sub[idx]!;
          if (++idx === total) idx = 0;
        }
      }
      let k = chunk;
      if (this.fusedActive) {
        rj.current = this.fused!.index;
        k = this.fused!.filterScoreNodes(pod, cand, k, rj, this.totals, found, this.weights[0]!);
        if (k < 0) {
          // Not the fused kernel's case: fall back to filter then score for the rest of the cycle.
          this.fusedActive = false;
          k = this.fused!.filterNodes(state, pod, cand, chunk, rj);
        }
      } else {
        for (let p = 0; p < nf && k > 0; p++) {
          const f = filters[p]!;
          if ((mask & (1 << f.index)) !== 0) continue;
          rj.current = f.index;
          k = f.filterNodes(state, pod, cand, k, rj);
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
    for (const p of this.preScores) {
      const s = p.preScore(state, pod, feasible, n);
      if (s.code === Code.Skip) state.skipScoreMask |= 1 << p.index;
      else if (s.code !== Code.Success) return s;
      else if (this.scans[p.index] === true) this.result.clusterScans++;
    }
    const totals = this.totals;
    totals.fill(0, 0, n);
    this.constantScore = 0;
    if (explain !== null) explain.scores = [];
    for (let i = 0; i < this.scores.length; i++) {
      const p = this.scores[i]!;
      if (this.implicitPreScore[i] === true && (state.skipScoreMask & (1 << p.index)) === 0) {
        const s = (p as unknown as PreScorePlugin).preScore(state, pod, feasible, n);
        if (s.code === Code.Skip) state.skipScoreMask |= 1 << p.index;
        else if (s.code !== Code.Success) return s;
      }
      if ((state.skipScoreMask & (1 << p.index)) !== 0) continue;
      const buf = this.scoreBufs[i]!;
      const w = this.weights[i]!;
      const constant = p.score(state, pod, feasible, n, buf);
      let raw: Float64Array | null = null;
      if (typeof constant === "number") {
        if (constant > MAX_NODE_SCORE || constant < 0) return rejected(Code.Error, `plugin "${p.name}" returns an invalid score ${constant}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`);
        this.constantScore += constant * w;
        if (explain !== null) {
          buf.fill(constant, 0, n);
          raw = p.normalizes ? new Float64Array(n) : buf.slice(0, n);
        }
      } else {
        raw = explain !== null ? buf.slice(0, n) : null;
        if (p.normalizes) p.normalizeScore(state, pod, feasible, n, buf);
        const bad = accumulate(totals, buf, n, w);
        // model: RunScorePlugins rejects scores outside [MinNodeScore, MaxNodeScore] after normalizing.
        if (bad === bad) return rejected(Code.Error, `plugin "${p.name}" returns an invalid score ${bad}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`);
      }
      this.result.scoredPlugins++;
      if (explain !== null) explain.scores.push({ plugin: p.name, weight: w, raw: raw!, normalized: buf.slice(0, n) });
    }
    if (this.constantScore !== 0) for (let j = 0; j < n; j++) totals[j]! += this.constantScore;
    if (explain !== null) explain.totals = totals.slice(0, n);
    return null;
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
    const rng = this.rng;
    let best = 0;
    let bestScore = totals[0]!;
    let ties = 1;
    let nextReplace = this.nextTie(1);
    for (let j = 1; j < n; j++) {
      const s = totals[j]!;
      if (s > bestScore) {
        bestScore = s;
        best = j;
        ties = 1;
        nextReplace = this.nextTie(1);
      } else if (s === bestScore) {
        if (++ties === nextReplace) {
          best = j;
          nextReplace = this.nextTie(ties);
        }
      }
    }
    void rng;
    this.result.node = this.feasibleBuf[best]!;
    this.result.score = bestScore;
  }

  /** The tie count at which reservoir sampling next replaces its pick, given a pick at tie count c. */
  private nextTie(c: number): number {
    const u = 1 - this.rng.next(); // (0, 1]
    return Math.floor(c / u) + 1;
  }

  /** The FitError text of the last failed cycle (runs the Filter plugins again on every node). */
  failureMessage(pod: PodRef): string {
    const r = this.result;
    if (r.code === Code.Success) return "";
    if (r.code !== Code.Unschedulable || this.lastExamined === null) return `0/${this.cache.nodes.size} nodes are available: ${r.status.message()}.`;
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
    if (sub !== null && restricted.length > 0 && sub.length < this.cache.presentCount) for (let i = 0; i < this.cache.presentCount - sub.length; i++) add(`node(s) didn't satisfy plugin(s) [${restricted.join(" ")}]`);
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

