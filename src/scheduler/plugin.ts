import type { ValueOf } from "../core/names-of.js";
import type { Rng } from "../core/random.js";
import type { CycleState } from "./cycle-state.js";
import type { HotScore } from "./plugins/hot-scores.js";
import type { PodSpec } from "./pod-spec.js";
import type { SchedulerCache } from "./scheduler-cache.js";
import type { Status } from "./status.js";

/** The pod of a cycle: its row (-1 when it is not in the PodTable, as in `simctl schedule`), group and spec. */
export interface PodRef {
  pod: number;
  group: number;
  spec: PodSpec;
}

/**
 * Where Filter kernels record rejections: the code of each rejected node and the profile index
 * of the plugin that rejected it (`current` while that plugin runs).
 * perf: two typed-array stores per rejected node instead of a Status object.
 */
export interface Rejections {
  readonly code: Uint8Array;
  readonly plugin: Int16Array;
  current: number;
}

/**
 * What every plugin has: its upstream name, its index in its profile (set by the framework) and
 * what it declares about itself. Which extension points it implements, each plugin class
 * declares in a static `points` list checked against the class (see {@link PointsOf}).
 */
export interface Plugin {
  readonly name: string;
  index: number;
  /**
   * True when the plugin's PreFilter and PreScore always answer Skip and do nothing else (the
   * framework then marks it skipped without calling them; perf).
   */
  readonly alwaysSkips?: boolean;
  /** True when the plugin's PreFilter or PreScore walks every node when it does not Skip (cost model). */
  readonly scansCluster?: boolean;
  /**
   * model: framework.EnqueueExtensions with QueueingHintFn, for plugins that have it: whether
   * `event` about a pod of spec `other` (null for node events), or about node `node.node` with
   * the changes `node.change` (a {@link NodeChange} mask; null for pod events), may make `pod`,
   * rejected by this plugin, schedulable. A plugin without it is woken by every event.
   */
  isSchedulableAfter?(event: ClusterEvent, pod: PodRef, other: PodSpec | null, node: NodeEventRef | null): boolean;
}

/** model: framework.PreFilterPlugin. May restrict nodes through state.restrictNodes. */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodRef): Status;
}

/**
 * model: framework.FilterPlugin, in two forms that must agree: `filterNodes`, the hot kernel that
 * keeps in cand[0..k) (order preserved) the nodes that pass and records the others in `rj`; and
 * `filter`, one node with its reasons (explain, diagnosis, preemption dry runs). The framework
 * passes cand as distinct node indices in rotation order (ascending, wrapping around at most
 * once), which kernels may rely on (e.g. contiguousRun).
 */
export interface FilterPlugin extends Plugin {
  filterNodes(state: CycleState, pod: PodRef, cand: Int32Array, n: number, rj: Rejections): number;
  filter(state: CycleState, pod: PodRef, node: number): Status;
  /**
   * Optional fused kernel (perf), used when the plugin is the profile's only Filter and only
   * Score plugin and has no NormalizeScore (see {@link FilterScoreNodes}).
   */
  readonly filterScoreNodes?: FilterScoreNodes;
}

/**
 * A fused Filter + Score + selectHost kernel: filters cand[0..n) (or the run first .. first + n - 1
 * when first >= 0), scores the survivors and offers each to the running selectHost in `sel`
 * (see NodeResourcesFit.filterScoreNodes for the contract); -1 when the pod is not its case.
 */
export type FilterScoreNodes = (
  state: CycleState,
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
) => number;

/** model: framework.PreScorePlugin; `Skip` means the plugin's Score does not run this cycle. */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodRef, nodes: Int32Array, n: number): Status;
}

/**
 * What Score and scoreInto return when they wrote a score per node (any other value is the one
 * final score, in [0, MaxNodeScore], that every node gets).
 */
export const PER_NODE_SCORES = -1;

/**
 * model: framework.ScorePlugin with its ScoreExtensions: raw integer scores for nodes[0..n) into
 * out[0..n), then NormalizeScore in place when the plugin has it.
 */
export interface ScorePlugin extends Plugin {
  /**
   * Writes raw scores into out[0..n) and returns {@link PER_NODE_SCORES}, or returns the final
   * (normalized) score every node gets, out left untouched (perf: a plugin whose scores are all
   * equal skips the per-node pass).
   */
  score(state: CycleState, pod: PodRef, nodes: Int32Array, n: number, out: Float64Array): number;
  readonly normalizes: boolean;
  normalizeScore(state: CycleState, pod: PodRef, nodes: Int32Array, n: number, scores: Float64Array): void;
  /**
   * Optional fast form of Score + NormalizeScore + the weighted sum, used outside explain mode:
   * adds `w` x the final (normalized) score of nodes[0..n) to totals[0..n) and returns
   * {@link PER_NODE_SCORES}, or returns the final score every node gets (a number in
   * [0, MaxNodeScore]) and leaves totals untouched. `scratch` (length >= n) may be used freely. Contract: the same final scores as
   * score then normalizeScore, always within [0, MaxNodeScore] (the framework does not re-check).
   * perf: one or two passes instead of score, normalize and accumulate passes and a buffer.
   */
  scoreInto?(
    state: CycleState,
    pod: PodRef,
    nodes: Int32Array,
    n: number,
    totals: Float64Array,
    w: number,
    scratch: Float64Array,
  ): number;
  /**
   * Optional, with localScore (perf): when the plugin's final score of a node for `pod` depends
   * only on the node's line of {@link SchedulerCache.hot} and on two numbers derived from the pod,
   * writes them to key[at] and key[at + 1] and returns true (called after PreScore). The
   * framework then keeps each node's weighted score while the node's hot line is unchanged.
   * Contract: no NormalizeScore, scores in [0, MaxNodeScore], equal to what score() gives.
   */
  localKey?(pod: PodRef, key: Float64Array, at: number): boolean;
  /** The score of one node for the pod of the last localKey call that returned true. */
  localScore?(pod: PodRef, node: number): number;
  /**
   * Optional, with localKey (perf): the plugin's score as one of the hot-line formulas (see
   * HotScore) with its cpu and memory weights, over the two numbers localKey writes, so that the
   * framework can compute the scores of all such plugins in one pass (null: not one of them).
   */
  readonly hotScore?: HotScoreTerm | null;
}

/** A Score plugin's score as a hot-line formula (see {@link ScorePlugin.hotScore}). */
export interface HotScoreTerm {
  readonly kind: HotScore;
  readonly cpuWeight: number;
  readonly memWeight: number;
}

/** The per-node outcome of a failed filter pass, for PostFilter and the failure message. */
export interface Diagnosis {
  /** Nodes examined, in examination order. */
  readonly nodes: Int32Array;
  readonly count: number;
  /** Code per node (indexed by node). */
  readonly code: Uint8Array;
  /** Status of every node when PreFilter rejected the pod, else null. */
  readonly preFilterStatus: Status | null;
}

/**
 * A {@link PostFilterResult.nominatedNode} that leaves the pod's nomination as it is (upstream: a
 * nil PostFilterResult, NominatingMode ModeNoop); -1 clears it.
 */
export const KEEP_NOMINATION = -2;

/**
 * model: framework.PostFilterResult: the nominated node (-1 to clear the pod's nomination,
 * {@link KEEP_NOMINATION} to keep it), the victims to evict for it (most important first) and
 * how many of them violate a PodDisruptionBudget.
 */
export interface PostFilterResult {
  status: Status;
  nominatedNode: number;
  victims: number[];
  pdbViolations: number;
}

/** model: framework.PostFilterPlugin (DefaultPreemption). */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodRef, diagnosis: Diagnosis): PostFilterResult;
}

/** model: framework.ReservePlugin. */
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodRef, node: number): Status;
  unreserve(state: CycleState, pod: PodRef, node: number): void;
}

/** model: framework.PermitPlugin (no Wait support: a Wait is treated as Success). */
export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: PodRef, node: number): Status;
}

/** How a Bind plugin reaches the API: the scheduler issues a pods/binding create. */
export interface Binder {
  bindThroughApi(pod: PodRef, node: number): void;
}

/** model: framework.BindPlugin; `Skip` passes to the next bind plugin. */
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: PodRef, node: number, binder: Binder): Status;
}

/** A queued pod as QueueSort sees it. */
export interface QueuedPod {
  pod: number;
  priority: number;
  timestampNs: number;
}

/** model: framework.QueueSortPlugin. */
export interface QueueSortPlugin extends Plugin {
  less(aPriority: number, aTimestampNs: number, bPriority: number, bTimestampNs: number): boolean;
}

/**
 * The start of an in-tree plugin that reads the scheduler cache: the profile index the framework
 * assigns (-1 until then) and the cache, taken from the Handle.
 */
export abstract class CachePlugin {
  index = -1;
  protected readonly cache: SchedulerCache;

  constructor(h: Handle) {
    this.cache = h.cache;
  }
}

/**
 * A plugin at all four points of filtering and scoring that also hints requeueing: NodeAffinity,
 * NodeResourcesFit, InterPodAffinity and PodTopologySpread.
 */
export type FilterScorePlugin = PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions;

/** The `points` of a filtering and scoring plugin (see {@link FilterScorePlugin}). */
export const FILTER_SCORE_POINTS = ["preFilter", "filter", "preScore", "score"] as const;

/** Cluster events the simulated scheduler reacts to. model: framework/types.go ClusterEvent. */
export const ClusterEvent = {
  AssignedPodAdd: 0,
  AssignedPodDelete: 1,
  NodeChange: 2,
  UnschedulableTimeout: 3,
} as const;
export type ClusterEvent = ValueOf<typeof ClusterEvent>;

/**
 * What a Node event changed (bits), from the scheduler's last view of the node. model:
 * framework ActionTypes Add and Delete, and the updates a run makes: a Ready transition
 * (UpdateNodeCondition, with the not-ready taint's UpdateNodeTaint) and spec.unschedulable
 * (eventhandlers nodeSchedulingPropertiesChange reports it as UpdateNodeTaint). Labels and
 * allocatable never change in a run (no UpdateNodeLabel, UpdateNodeAllocatable).
 */
export const NodeChange = {
  added: 1,
  deleted: 2,
  becameReady: 4,
  becameNotReady: 8,
  cordoned: 16,
  uncordoned: 32,
} as const;

/** The node of a Node event and what changed ({@link NodeChange} bits). */
export interface NodeEventRef {
  node: number;
  change: number;
}

/** model: framework.EnqueueExtensions (see {@link Plugin.isSchedulableAfter}). */
export interface EnqueueExtensions {
  isSchedulableAfter(event: ClusterEvent, pod: PodRef, other: PodSpec | null, node: NodeEventRef | null): boolean;
}

/** What a plugin factory gets: the cache, the profile's random stream and its Filter runner. */
export interface Handle {
  readonly cache: SchedulerCache;
  readonly rng: Rng;
  /** Runs the profile's Filter plugins on one node (for preemption dry runs). */
  runFilters(state: CycleState, pod: PodRef, node: number): Status;
  /** Re-runs the profile's PreFilter plugins (after the cache changed, for dry runs). */
  runPreFilters(state: CycleState, pod: PodRef): Status;
}

/** The interface of each extension point a plugin can implement, by its configuration name. */
export interface ExtensionPoints {
  queueSort: QueueSortPlugin;
  preFilter: PreFilterPlugin;
  filter: FilterPlugin;
  postFilter: PostFilterPlugin;
  preScore: PreScorePlugin;
  score: ScorePlugin;
  reserve: ReservePlugin;
  permit: PermitPlugin;
  bind: BindPlugin;
}
export type ExtensionPoint = keyof ExtensionPoints;

/** The upstream name of each extension point (for messages). */
export const EXTENSION_POINT_NAMES: Readonly<Record<ExtensionPoint, string>> = {
  queueSort: "QueueSort",
  preFilter: "PreFilter",
  filter: "Filter",
  postFilter: "PostFilter",
  preScore: "PreScore",
  score: "Score",
  reserve: "Reserve",
  permit: "Permit",
  bind: "Bind",
};

/** The extension points a profile resolves, in configuration order. */
export const EXTENSION_POINTS: readonly ExtensionPoint[] = [
  "queueSort",
  "preFilter",
  "filter",
  "postFilter",
  "preScore",
  "score",
  "reserve",
  "permit",
  "bind",
];

/**
 * The extension points a plugin of type T may declare: those whose interface T implements. A
 * plugin class declares `static readonly points: readonly PointsOf<ItsClass>[]`, so that
 * declaring a point it does not implement fails to compile.
 */
export type PointsOf<T> = { [P in ExtensionPoint]: T extends ExtensionPoints[P] ? P : never }[ExtensionPoint];

/**
 * Whether `p`, whose class declared `points` (checked against the class by {@link PointsOf}),
 * implements extension point `point`.
 */
export function declares<P extends ExtensionPoint>(
  _p: Plugin,
  points: readonly ExtensionPoint[],
  point: P,
): _p is Plugin & ExtensionPoints[P] {
  return points.includes(point);
}
