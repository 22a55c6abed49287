import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { CycleState } from "../cycle-state.js";
import { selectorMatches, type LabelSelector } from "../label-selector.js";
import type * as fw from "../plugin.js";
import { ClusterEvent, FILTER_SCORE_POINTS, NodeChange, type NodeEventRef, PER_NODE_SCORES } from "../plugin.js";
import type { AffinityTerm, PodSpec } from "../pod-spec.js";
import type { SchedulerCache } from "../scheduler-cache.js";
import { Code, rejected, SKIP, SUCCESS, type Status } from "../status.js";
import { MAX_NODE_SCORE, TopologyPlugin } from "./helper.js";
import { argsObject } from "./simple-args.js";

/** model: plugins/interpodaffinity/plugin.go error reasons. */
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
const PRE_FILTER_KEY = "PreFilterInterPodAffinity";
const PRE_SCORE_KEY = "PreScoreInterPodAffinity";

/**
 * Counts per topology domain of each topology key (upstream topologyToMatchedTermCount), keys in
 * the order they were first counted.
 * perf: filled from the scheduler cache's per-domain pod totals of each group (kept up to date as
 * pods are assumed and removed), not by walking every node; the counts are sums of integers, so
 * adding a group's domain totals equals adding its pods node by node.
 */
class TopologyCounts {
  readonly keys: number[] = [];
  /** Per key: the domain of each node (-1 without the key) and the count of each domain. */
  readonly domainOf: Int32Array[] = [];
  readonly counts: Float64Array[] = [];
  /** Nonzero when some node with the key held a counted pod (upstream: the map is not empty). */
  total = 0;
  private readonly cache: SchedulerCache;

  constructor(cache: SchedulerCache) {
    this.cache = cache;
  }

  /** Adds f x the pods of group g in each domain of `key` (pods on nodes without the key do not count). */
  addGroup(key: number, g: number, f: number): void {
    const cache = this.cache;
    if (cache.groupCounts[g] === undefined) return;
    const dm = cache.index.domains(key);
    const t = cache.domainTotals(g, key);
    let any = false;
    for (let d = 0; d < dm.count; d++) if (t[d] !== 0) any = true;
    if (!any) return;
    let i = this.keys.indexOf(key);
    if (i < 0) {
      i = this.keys.length;
      this.keys.push(key);
      this.domainOf.push(dm.domainOf);
      this.counts.push(new Float64Array(dm.count));
    }
    const a = this.counts[i]!;
    for (let d = 0; d < dm.count; d++) a[d]! += f * t[d]!;
    this.total++;
  }
}

/** A term's topology column and the matching pods per domain (null: none counted). */
interface TermCounts {
  domainOf: Int32Array;
  counts: Float64Array | null;
}

interface PreFilterState {
  /** Per required affinity / anti-affinity term of the pod, in order. */
  affinity: TermCounts[];
  affinityTotal: number;
  anti: TermCounts[];
  antiTotal: number;
  /** Per topology key of existing pods' required anti-affinity terms that match the pod. */
  existingAnti: { domainOf: Int32Array; counts: Float64Array }[];
  matchesOwnTerms: boolean;
}

/**
 * InterPodAffinity. Filter: the pod's required affinity terms need a matching pod in the node's
 * topology domain (UnschedulableAndUnresolvable otherwise; a pod matching its own terms may
 * start a series when no pod matches anywhere), its required anti-affinity terms need none, and
 * no existing pod's required anti-affinity may match the pod in the node's domain (both
 * Unschedulable). Score: the weights of matching preferred terms in both directions (and
 * existing pods' required affinity x hardPodAffinityWeight), summed per topology domain and
 * min-max normalized. model: plugins/interpodaffinity (filtering.go, scoring.go).
 */
export class InterPodAffinity extends TopologyPlugin implements fw.FilterScorePlugin {
  static readonly points: readonly fw.PointsOf<InterPodAffinity>[] = FILTER_SCORE_POINTS;
  readonly name = "InterPodAffinity";
  readonly hardPodAffinityWeight: number;
  readonly ignorePreferredTermsOfExistingPods: boolean;
  private readonly nsKey: number;

  constructor(h: fw.Handle, args: YamlReader | null) {
    super(h);
    const a = argsObject(args, ["hardPodAffinityWeight", "ignorePreferredTermsOfExistingPods"]);
    // model: apis/config/v1/defaults.go hardPodAffinityWeight 1; validation 0..100.
    this.hardPodAffinityWeight = a === null ? 1 : a.get("hardPodAffinityWeight").int({ min: 0, max: 100, default: 1 });
    this.ignorePreferredTermsOfExistingPods =
      a === null ? false : a.get("ignorePreferredTermsOfExistingPods").bool({ default: false });
    this.nsKey = h.cache.labels.intern("kubernetes.io/metadata.name");
  }

  /**
   * Whether term `t` selects a pod of spec `s`: its namespace is listed or the namespace's labels
   * (`kubernetes.io/metadata.name`) match the namespaceSelector, and its labels match.
   * model: framework.AffinityTerm.Matches.
   */
  termMatches(t: AffinityTerm, s: PodSpec): boolean {
    const num = this.cache.index.numeric;
    if (!t.namespaces.has(s.namespace) && !this.nsMatches(t.nsSelector, s.namespace)) return false;
    return selectorMatches(t.selector, s.labels, num);
  }

  private nsMatches(sel: LabelSelector, ns: string): boolean {
    if (sel.nothing) return false;
    const labels = new Map([[this.nsKey, this.cache.labels.intern(ns)]]);
    return selectorMatches(sel, labels, this.cache.index.numeric);
  }

  private allMatch(terms: readonly AffinityTerm[], s: PodSpec): boolean {
    if (terms.length === 0) return false;
    for (const t of terms) if (!this.termMatches(t, s)) return false;
    return true;
  }

  preFilter(state: CycleState, pod: fw.PodRef): Status {
    const cache = this.cache;
    const s = pod.spec;
    // perf: nothing to count when no pod has required anti-affinity and this pod has no required terms.
    if (cache.groupsWithRequiredAnti.length === 0 && s.affinityRequired.length === 0 && s.antiRequired.length === 0)
      return SKIP;
    const existingAnti = new TopologyCounts(cache);
    for (const g of cache.groupsWithRequiredAnti) {
      if (cache.groupCounts[g] === undefined) continue;
      for (const t of cache.groups[g]!.antiRequired)
        if (this.termMatches(t, s)) existingAnti.addGroup(t.topologyKey, g, 1);
    }
    const affinity = new TopologyCounts(cache);
    const anti = new TopologyCounts(cache);
    if (s.affinityRequired.length > 0) {
      for (let g = 0; g < cache.groups.length; g++) {
        if (cache.groupCounts[g] === undefined || !this.allMatch(s.affinityRequired, cache.groups[g]!)) continue;
        for (const t of s.affinityRequired) affinity.addGroup(t.topologyKey, g, 1);
      }
    }
    for (const t of s.antiRequired) {
      for (let g = 0; g < cache.groups.length; g++) {
        if (cache.groupCounts[g] === undefined || !this.termMatches(t, cache.groups[g]!)) continue;
        anti.addGroup(t.topologyKey, g, 1);
      }
    }
    if (existingAnti.total === 0 && s.affinityRequired.length === 0 && s.antiRequired.length === 0) return SKIP;
    // perf: per term of the pod, the node-to-domain column and the domain counts (null: none).
    const terms = (ts: readonly AffinityTerm[], tc: TopologyCounts): TermCounts[] =>
      ts.map((t) => ({
        domainOf: cache.index.domains(t.topologyKey).domainOf,
        counts: tc.counts[tc.keys.indexOf(t.topologyKey)] ?? null,
      }));
    state.write(PRE_FILTER_KEY, {
      affinity: terms(s.affinityRequired, affinity),
      affinityTotal: affinity.total,
      anti: terms(s.antiRequired, anti),
      antiTotal: anti.total,
      existingAnti: existingAnti.keys.map((_, i) => ({
        domainOf: existingAnti.domainOf[i]!,
        counts: existingAnti.counts[i]!,
      })),
      matchesOwnTerms: this.allMatch(s.affinityRequired, s),
    } satisfies PreFilterState);
    return SUCCESS;
  }

  /** 0 pass, else the failing reason index 1 (affinity), 2 (anti-affinity), 3 (existing anti-affinity). */
  private check(st: PreFilterState, node: number): number {
    let podsExist = true;
    for (const t of st.affinity) {
      const d = t.domainOf[node]!;
      if (d < 0) return 1;
      if ((t.counts === null ? 0 : t.counts[d]!) <= 0) podsExist = false;
    }
    if (!podsExist && !(st.affinityTotal === 0 && st.matchesOwnTerms)) return 1;
    if (st.antiTotal > 0) {
      for (const t of st.anti) {
        const d = t.domainOf[node]!;
        if (d >= 0 && t.counts !== null && t.counts[d]! > 0) return 2;
      }
    }
    for (const t of st.existingAnti) {
      const d = t.domainOf[node]!;
      if (d >= 0 && t.counts[d]! > 0) return 3;
    }
    return 0;
  }

  filterNodes(state: CycleState, _pod: fw.PodRef, cand: Int32Array, n: number, rj: fw.Rejections): number {
    const st = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (st === undefined) return n;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const node = cand[i]!;
      const r = this.check(st, node);
      if (r === 0) cand[k++] = node;
      else {
        rj.code[node] = r === 1 ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
        rj.plugin[node] = rj.current;
      }
    }
    return k;
  }

  filter(state: CycleState, _pod: fw.PodRef, node: number): Status {
    const st = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (st === undefined) return SUCCESS;
    switch (this.check(st, node)) {
      case 1:
        return rejected(Code.UnschedulableAndUnresolvable, ERR_REASON_AFFINITY);
      case 2:
        return rejected(Code.Unschedulable, ERR_REASON_ANTI_AFFINITY);
      case 3:
        return rejected(Code.Unschedulable, ERR_REASON_EXISTING_ANTI_AFFINITY);
    }
    return SUCCESS;
  }

  preScore(state: CycleState, pod: fw.PodRef): Status {
    const cache = this.cache;
    const s = pod.spec;
    const hasConstraints = s.affinityPreferred.length + s.antiPreferred.length > 0;
    if (this.ignorePreferredTermsOfExistingPods && !hasConstraints) return SKIP;
    // perf: no pod with affinity terms and none on this pod: no term can match anything.
    if (!hasConstraints && cache.groupsWithAffinity.length === 0) return SKIP;
    const scores = new TopologyCounts(cache);
    const groups: number[] = [];
    if (hasConstraints) for (let g = 0; g < cache.groups.length; g++) groups.push(g);
    else groups.push(...cache.groupsWithAffinity);
    const hw = this.hardPodAffinityWeight;
    for (const g of groups) {
      if (cache.groupCounts[g] === undefined) continue;
      const e = cache.groups[g]!;
      // Per group: which terms apply, then each adds weight x the group's pods per domain.
      for (const t of s.affinityPreferred) if (this.termMatches(t, e)) scores.addGroup(t.topologyKey, g, t.weight);
      for (const t of s.antiPreferred) if (this.termMatches(t, e)) scores.addGroup(t.topologyKey, g, -t.weight);
      if (hw > 0) for (const t of e.affinityRequired) if (this.termMatches(t, s)) scores.addGroup(t.topologyKey, g, hw);
      for (const t of e.affinityPreferred) if (this.termMatches(t, s)) scores.addGroup(t.topologyKey, g, t.weight);
      for (const t of e.antiPreferred) if (this.termMatches(t, s)) scores.addGroup(t.topologyKey, g, -t.weight);
    }
    if (scores.total === 0) return SKIP;
    state.write(PRE_SCORE_KEY, scores);
    return SUCCESS;
  }

  score(state: CycleState, _pod: fw.PodRef, list: Int32Array, n: number, out: Float64Array): number {
    const sc = state.read<TopologyCounts>(PRE_SCORE_KEY)!;
    const m = sc.keys.length;
    // perf: the per-key columns and counts in arrays, no map lookup per node.
    for (let j = 0; j < n; j++) {
      const node = list[j]!;
      let s = 0;
      for (let i = 0; i < m; i++) {
        const d = sc.domainOf[i]![node]!;
        if (d >= 0) s += sc.counts[i]![d]!;
      }
      out[j] = s;
    }
    return PER_NODE_SCORES;
  }

  normalizeScore(state: CycleState, _pod: fw.PodRef, _list: Int32Array, n: number, scores: Float64Array): void {
    const sc = state.read<TopologyCounts>(PRE_SCORE_KEY);
    if (sc === undefined || sc.keys.length === 0) return;
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      if (scores[j]! > max) max = scores[j]!;
      if (scores[j]! < min) min = scores[j]!;
    }
    const diff = max - min;
    // model: fScore = MaxNodeScore * (float64(score-min) / float64(maxMinDiff)), truncated.
    for (let j = 0; j < n; j++) scores[j] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[j]! - min) / diff)) : 0;
  }

  isSchedulableAfter(event: ClusterEvent, pod: fw.PodRef, other: PodSpec | null, node: NodeEventRef | null): boolean {
    // model: interpodaffinity plugin.go: Node/Add and UpdateNodeLabel (isSchedulableAfterNodeChange);
    // labels never change in a run, so only an added node can help.
    if (event === ClusterEvent.NodeChange) return node === null || (node.change & NodeChange.added) !== 0;
    if (other === null) return false;
    const s = pod.spec;
    if (event === ClusterEvent.AssignedPodAdd) return s.affinityRequired.some((t) => this.termMatches(t, other));
    if (event === ClusterEvent.AssignedPodDelete)
      return (
        s.antiRequired.some((t) => this.termMatches(t, other)) || other.antiRequired.some((t) => this.termMatches(t, s))
      );
    return false;
  }
}
