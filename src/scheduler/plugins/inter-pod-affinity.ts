import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { CycleState } from "../cycle-state.js";
import { selectorMatches, type LabelSelector } from "../label-selector.js";
import { ClusterEvent, type EnqueueExtensions, type FilterPlugin, type Handle, type PodRef, type PreFilterPlugin, type PreScorePlugin, type Rejections, type ScorePlugin } from "../plugin.js";
import type { AffinityTerm, PodSpec } from "../pod-spec.js";
import type { SchedulerCache } from "../scheduler-cache.js";
import { Code, rejected, SKIP, SUCCESS, type Status } from "../status.js";
import { MAX_NODE_SCORE } from "./helper.js";
import { argsObject } from "./simple-args.js";

/** model: plugins/interpodaffinity/plugin.go error reasons. */
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
const PRE_FILTER_KEY = "PreFilterInterPodAffinity";
const PRE_SCORE_KEY = "PreScoreInterPodAffinity";

/** Counts per topology domain of each topology key (upstream topologyToMatchedTermCount). */
class TopologyCounts {
  readonly byKey = new Map<number, Float64Array>();
  total = 0;
  private readonly cache: SchedulerCache;

  constructor(cache: SchedulerCache) {
    this.cache = cache;
  }

  add(key: number, node: number, v: number): boolean {
    const d = this.cache.index.domains(key).domainOf[node]!;
    if (d < 0) return false;
    let a = this.byKey.get(key);
    if (a === undefined) {
      a = new Float64Array(this.cache.index.domains(key).count);
      this.byKey.set(key, a);
    }
    a[d]! += v;
    this.total++;
    return true;
  }

  /** The count of the node's domain for `key`, or NaN when the node lacks the key. */
  at(key: number, node: number): number {
    const d = this.cache.index.domains(key).domainOf[node]!;
    if (d < 0) return NaN;
    return this.byKey.get(key)?.[d] ?? 0;
  }
}

interface PreFilterState {
  existingAnti: TopologyCounts;
  affinity: TopologyCounts;
  anti: TopologyCounts;
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
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = "InterPodAffinity";
  index = -1;
  readonly normalizes = true;
  private readonly cache: SchedulerCache;
  readonly hardPodAffinityWeight: number;
  readonly ignorePreferredTermsOfExistingPods: boolean;
  private readonly nsKey: number;

  constructor(h: Handle, args: YamlReader | null) {
    this.cache = h.cache;
    const a = argsObject(args, ["hardPodAffinityWeight", "ignorePreferredTermsOfExistingPods"]);
    // model: apis/config/v1/defaults.go hardPodAffinityWeight 1; validation 0..100.
    this.hardPodAffinityWeight = a === null ? 1 : a.get("hardPodAffinityWeight").int({ min: 0, max: 100, default: 1 });
    this.ignorePreferredTermsOfExistingPods = a === null ? false : a.get("ignorePreferredTermsOfExistingPods").bool({ default: false });
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

  preFilter(state: CycleState, pod: PodRef): Status {
    const cache = this.cache;
    const s = pod.spec;
    // perf: nothing to count when no pod has required anti-affinity and this pod has no required terms.
    if (cache.groupsWithRequiredAnti.length === 0 && s.affinityRequired.length === 0 && s.antiRequired.length === 0) return SKIP;
    const n = cache.nodes.size;
    const existingAnti = new TopologyCounts(cache);
    for (const g of cache.groupsWithRequiredAnti) {
      const gc = cache.groupCounts[g];
      if (gc === undefined) continue;
      const terms = cache.groups[g]!.antiRequired.filter((t) => this.termMatches(t, s));
      if (terms.length === 0) continue;
      for (let node = 0; node < n; node++) {
        const c = gc[node]!;
        if (c === 0) continue;
        for (const t of terms) existingAnti.add(t.topologyKey, node, c);
      }
    }
    const affinity = new TopologyCounts(cache);
    const anti = new TopologyCounts(cache);
    if (s.affinityRequired.length > 0) {
      const groups: number[] = [];
      for (let g = 0; g < cache.groups.length; g++) if (cache.groupCounts[g] !== undefined && this.allMatch(s.affinityRequired, cache.groups[g]!)) groups.push(g);
      for (const g of groups) {
        const gc = cache.groupCounts[g]!;
        for (let node = 0; node < n; node++) {
          const c = gc[node]!;
          if (c === 0) continue;
          for (const t of s.affinityRequired) affinity.add(t.topologyKey, node, c);
        }
      }
    }
    for (const t of s.antiRequired) {
      for (let g = 0; g < cache.groups.length; g++) {
        const gc = cache.groupCounts[g];
        if (gc === undefined || !this.termMatches(t, cache.groups[g]!)) continue;
        for (let node = 0; node < n; node++) if (gc[node]! > 0) anti.add(t.topologyKey, node, gc[node]!);
      }
    }
    if (existingAnti.total === 0 && s.affinityRequired.length === 0 && s.antiRequired.length === 0) return SKIP;
    state.write(PRE_FILTER_KEY, { existingAnti, affinity, anti, matchesOwnTerms: this.allMatch(s.affinityRequired, s) } satisfies PreFilterState);
    return SUCCESS;
  }

  /** 0 pass, else the failing reason index 1 (affinity), 2 (anti-affinity), 3 (existing anti-affinity). */
  private check(st: PreFilterState, s: PodSpec, node: number): number {
    let podsExist = true;
    for (const t of s.affinityRequired) {
      const v = st.affinity.at(t.topologyKey, node);
      if (v !== v) return 1;
      if (v <= 0) podsExist = false;
    }
    if (!podsExist && !(st.affinity.total === 0 && st.matchesOwnTerms)) return 1;
    if (st.anti.total > 0) for (const t of s.antiRequired) if (st.anti.at(t.topologyKey, node) > 0) return 2;
    if (st.existingAnti.total > 0) for (const key of st.existingAnti.byKey.keys()) if (st.existingAnti.at(key, node) > 0) return 3;
    return 0;
  }

  filterNodes(state: CycleState, pod: PodRef, cand: Int32Array, n: number, rj: Rejections): number {
    const st = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (st === undefined) return n;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const node = cand[i]!;
      const r = this.check(st, pod.spec, node);
      if (r === 0) cand[k++] = node;
      else {
        rj.code[node] = r === 1 ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
        rj.plugin[node] = rj.current;
      }
    }
    return k;
  }

  filter(state: CycleState, pod: PodRef, node: number): Status {
    const st = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (st === undefined) return SUCCESS;
    switch (this.check(st, pod.spec, node)) {
      case 1:
        return rejected(Code.UnschedulableAndUnresolvable, ERR_REASON_AFFINITY);
      case 2:
        return rejected(Code.Unschedulable, ERR_REASON_ANTI_AFFINITY);
      case 3:
        return rejected(Code.Unschedulable, ERR_REASON_EXISTING_ANTI_AFFINITY);
    }
    return SUCCESS;
  }

  preScore(state: CycleState, pod: PodRef): Status {
    const cache = this.cache;
    const s = pod.spec;
    const hasConstraints = s.affinityPreferred.length + s.antiPreferred.length > 0;
    if (this.ignorePreferredTermsOfExistingPods && !hasConstraints) return SKIP;
    // perf: no pod with affinity terms and none on this pod: no term can match anything.
    if (!hasConstraints && cache.groupsWithAffinity.length === 0) return SKIP;
    const scores = new TopologyCounts(cache);
    const n = cache.nodes.size;
    const groups: number[] = [];
    if (hasConstraints) for (let g = 0; g < cache.groups.length; g++) groups.push(g);
    else groups.push(...cache.groupsWithAffinity);
    const ls = cache.nodes.labelStart;
    const hw = this.hardPodAffinityWeight;
    for (const g of groups) {
      const gc = cache.groupCounts[g];
      if (gc === undefined) continue;
      const e = cache.groups[g]!;
      // Per group: which terms apply, then per node only additions (counts x weight).
      const inc: [number, number][] = [];
      for (const t of s.affinityPreferred) if (this.termMatches(t, e)) inc.push([t.topologyKey, t.weight]);
      for (const t of s.antiPreferred) if (this.termMatches(t, e)) inc.push([t.topologyKey, -t.weight]);
      if (hw > 0) for (const t of e.affinityRequired) if (this.termMatches(t, s)) inc.push([t.topologyKey, hw]);
      for (const t of e.affinityPreferred) if (this.termMatches(t, s)) inc.push([t.topologyKey, t.weight]);
      for (const t of e.antiPreferred) if (this.termMatches(t, s)) inc.push([t.topologyKey, -t.weight]);
      if (inc.length === 0) continue;
      for (let node = 0; node < n; node++) {
        const c = gc[node]!;
        if (c === 0 || ls[node] === ls[node + 1]) continue;
        for (const [key, w] of inc) scores.add(key, node, w * c);
      }
    }
    if (scores.total === 0) return SKIP;
    state.write(PRE_SCORE_KEY, scores);
    return SUCCESS;
  }

  score(state: CycleState, _pod: PodRef, list: Int32Array, n: number, out: Float64Array): void {
    const sc = state.read<TopologyCounts>(PRE_SCORE_KEY)!;
    for (let j = 0; j < n; j++) {
      const node = list[j]!;
      let s = 0;
      for (const key of sc.byKey.keys()) {
        const v = sc.at(key, node);
        if (v === v) s += v;
      }
      out[j] = s;
    }
  }

  normalizeScore(state: CycleState, _pod: PodRef, _list: Int32Array, n: number, scores: Float64Array): void {
    const sc = state.read<TopologyCounts>(PRE_SCORE_KEY);
    if (sc === undefined || sc.byKey.size === 0) return;
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

  isSchedulableAfter(event: ClusterEvent, pod: PodRef, other: PodSpec | null): boolean {
    if (event === ClusterEvent.NodeChange) return true;
    if (other === null) return false;
    const s = pod.spec;
    if (event === ClusterEvent.AssignedPodAdd) return s.affinityRequired.some((t) => this.termMatches(t, other));
    if (event === ClusterEvent.AssignedPodDelete) return s.antiRequired.some((t) => this.termMatches(t, other)) || other.antiRequired.some((t) => this.termMatches(t, s));
    return false;
  }
}
