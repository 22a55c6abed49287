import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { CycleState } from "../cycle-state.js";
import { selectorEmpty, selectorMatches, type LabelSelector } from "../label-selector.js";
import type { Domains } from "../node-label-index.js";
import { ClusterEvent, type EnqueueExtensions, type FilterPlugin, type Handle, type PodRef, type PreFilterPlugin, type PreScorePlugin, type Rejections, type ScorePlugin } from "../plugin.js";
import type { PodSpec } from "../pod-spec.js";
import type { SchedulerCache } from "../scheduler-cache.js";
import { Code, rejected, SKIP, SUCCESS, type Status } from "../status.js";
import { MAX_NODE_SCORE, requiredAffinityCache, untoleratedTaint, type RequiredAffinityCache } from "./helper.js";
import { argsObject } from "./simple-args.js";

/** model: plugins/podtopologyspread/plugin.go ErrReasonConstraintsNotMatch, ErrReasonNodeLabelNotMatch. */
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
const HOSTNAME = "kubernetes.io/hostname";
const PRE_FILTER_KEY = "PreFilterPodTopologySpread";
const PRE_SCORE_KEY = "PreScorePodTopologySpread";

const EMPTY = new Float64Array(0);
let zeros = new Int32Array(0);
/** A shared all-zero per-node count array (a group with no pods yet). */
function ZEROS_FOR(n: number): Int32Array {
  if (zeros.length < n) zeros = new Int32Array(n);
  return zeros;
}

/** A default constraint of PodTopologySpreadArgs (no selector: the pod's owners select). */
interface DefaultConstraint {
  maxSkew: number;
  topologyKey: string;
  hard: boolean;
}

/**
 * model: plugins/podtopologyspread/plugin.go systemDefaultConstraints: hostname maxSkew 3 and
 * zone maxSkew 5, both ScheduleAnyway.
 */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly DefaultConstraint[] = [
  { topologyKey: HOSTNAME, maxSkew: 3, hard: false },
  { topologyKey: "topology.kubernetes.io/zone", maxSkew: 5, hard: false },
];

/** A constraint of this cycle with its node-side data. */
interface Constraint {
  maxSkew: number;
  key: number;
  hostname: boolean;
  selector: LabelSelector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
  domains: Domains;
  /** Groups whose pods the selector counts (same namespace as the pod). */
  groups: number[];
  selfMatch: number;
}

interface PreFilterState {
  constraints: Constraint[];
  counts: Int32Array[];
  minMatch: number[];
  domainsNum: number[];
}

interface PreScoreState {
  constraints: Constraint[];
  /** Counts per domain slot (the last slot is the empty value), and which slots exist. */
  counts: Float64Array[];
  present: Uint8Array[];
  weight: number[];
  /** 1 for filtered nodes missing a topology key (scored 0). */
  ignored: Uint8Array;
}

/**
 * PodTopologySpread. Filter (DoNotSchedule constraints): placing the pod on the node must keep
 * `matching pods in the node's domain + self - global minimum <= maxSkew`, counting only nodes
 * that carry every topology key and pass the node inclusion policies; a node missing a key is
 * UnschedulableAndUnresolvable. Score (ScheduleAnyway constraints, or the system defaults for
 * pods that owners select): per constraint `count x log(domains + 2) + maxSkew - 1`, normalized
 * so that fewer matching pods score higher. model: plugins/podtopologyspread (filtering.go,
 * scoring.go, common.go), per-constraint counting as in v1.31+.
 */
export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = "PodTopologySpread";
  index = -1;
  readonly normalizes = true;
  private readonly cache: SchedulerCache;
  private readonly required: RequiredAffinityCache;
  private readonly defaults: readonly DefaultConstraint[];
  /** defaultingType System: requireAllTopologies only for pods with their own constraints. */
  readonly systemDefaulted: boolean;
  private readonly hostnameKey: number;
  private ignoredBuf: Uint8Array;

  constructor(h: Handle, args: YamlReader | null) {
    this.cache = h.cache;
    this.required = requiredAffinityCache(h.cache);
    this.hostnameKey = h.cache.labels.intern(HOSTNAME);
    this.ignoredBuf = new Uint8Array(h.cache.nodes.size);
    const a = argsObject(args, ["defaultConstraints", "defaultingType"]);
    const type = a === null ? "System" : a.get("defaultingType").oneOf(["System", "List"] as const, { default: "System" });
    const listed = a === null ? [] : a.get("defaultConstraints").list().map((c) => {
      c.object(["maxSkew", "topologyKey", "whenUnsatisfiable", "labelSelector"]);
      // model: validation: default constraints must not set a labelSelector.
      if (c.get("labelSelector").present) c.get("labelSelector").fail("no labelSelector (default constraints use the pod's owners)");
      return { maxSkew: c.get("maxSkew").int({ min: 1 }), topologyKey: c.get("topologyKey").str(), hard: c.get("whenUnsatisfiable").oneOf(["DoNotSchedule", "ScheduleAnyway"] as const) === "DoNotSchedule" };
    });
    if (type === "System" && listed.length > 0) a!.get("defaultConstraints").fail("no defaultConstraints with defaultingType System");
    this.defaults = type === "System" ? SYSTEM_DEFAULT_CONSTRAINTS : listed;
    this.systemDefaulted = type === "System";
  }

  /** The pod's constraints of one kind, its own or the defaults with its owners' selector. */
  private constraints(pod: PodRef, hard: boolean): Constraint[] {
    const s = pod.spec;
    const cache = this.cache;
    const out: Constraint[] = [];
    const ns = new Set([s.namespace]);
    const mk = (maxSkew: number, key: number, selector: LabelSelector, minDomains: number, aff: boolean, taints: boolean): Constraint => ({
      maxSkew,
      key,
      hostname: key === this.hostnameKey,
      selector,
      minDomains,
      honorNodeAffinity: aff,
      honorTaints: taints,
      domains: cache.index.domains(key),
      // model: countPodsMatchSelector counts nothing for an empty selector, and only pods of the namespace.
      groups: selectorEmpty(selector) ? [] : cache.matchingGroups(selector, ns),
      selfMatch: selectorMatches(selector, s.labels, cache.index.numeric) ? 1 : 0,
    });
    if (s.spread.length > 0) {
      for (const c of s.spread) if (c.hard === hard) out.push(mk(c.maxSkew, c.topologyKey, c.selector, c.minDomains, c.honorNodeAffinity, c.honorTaints));
      return out;
    }
    // model: buildDefaultConstraints: no owner selector, no default constraints.
    if (s.ownerSelector === null) return out;
    for (const d of this.defaults) if (d.hard === hard) out.push(mk(d.maxSkew, cache.labels.intern(d.topologyKey), s.ownerSelector, 1, true, false));
    return out;
  }

  /**
   * Whether the all-node pass would count every node: the inclusion policies hold everywhere (no
   * required node affinity, taints ignored) and, when `requireAll`, every node has every key.
   */
  private everyNodeCounts(cs: readonly Constraint[], pod: PodRef, requireAll: boolean): boolean {
    const s = pod.spec;
    if (this.cache.presentNodes !== null) return false;
    const noAffinity = s.nodeSelector.length === 0 && s.requiredTerms === null;
    for (const c of cs) {
      if ((c.honorNodeAffinity && !noAffinity) || c.honorTaints) return false;
      if (requireAll && c.domains.missing > 0) return false;
    }
    return true;
  }

  /**
   * The PreFilter all-node pass: per constraint, matching pods per domain over the nodes that
   * carry every key and pass the inclusion policies. perf: arrays hoisted per constraint, the
   * single-group case is one load per node.
   */
  private countAllNodes(cs: readonly Constraint[], pod: PodRef, reqAff: Uint8Array, counts: Int32Array[], eligible: Uint8Array[]): void {
    const n = this.cache.nodes.size;
    const m = cs.length;
    const doms = cs.map((c) => c.domains.domainOf);
    const aff = cs.map((c) => c.honorNodeAffinity);
    const taints = cs.map((c) => c.honorTaints);
    const groupCounts = cs.map((c) => c.groups.map((g) => this.cache.groupCounts[g]).filter((a): a is Int32Array => a !== undefined));
    const tols = pod.spec.tolerations;
    const present = this.cache.nodes.present;
    for (let node = 0; node < n; node++) {
      if (present[node] === 0) continue;
      let all = true;
      for (let i = 0; i < m; i++) if (doms[i]![node]! < 0) all = false;
      if (!all) continue;
      for (let i = 0; i < m; i++) {
        if (aff[i] === true && reqAff[node] === 0) continue;
        if (taints[i] === true && untoleratedTaint(this.cache, tols, node) !== -1) continue;
        const d = doms[i]![node]!;
        eligible[i]![d] = 1;
        const gcs = groupCounts[i]!;
        let c = 0;
        for (let j = 0; j < gcs.length; j++) c += gcs[j]![node]!;
        counts[i]![d]! += c;
      }
    }
  }

  private hasAllKeys(cs: readonly Constraint[], node: number): boolean {
    for (let i = 0; i < cs.length; i++) if (cs[i]!.domains.domainOf[node]! < 0) return false;
    return true;
  }

  private included(c: Constraint, pod: PodRef, reqAff: Uint8Array, node: number): boolean {
    if (c.honorNodeAffinity && reqAff[node] === 0) return false;
    if (c.honorTaints && untoleratedTaint(this.cache, pod.spec.tolerations, node) !== -1) return false;
    return true;
  }

  private matching(groups: readonly number[], node: number): number {
    let n = 0;
    for (let i = 0; i < groups.length; i++) n += this.cache.count(groups[i]!, node);
    return n;
  }

  preFilter(state: CycleState, pod: PodRef): Status {
    const cs = this.constraints(pod, true);
    if (cs.length === 0) return SKIP;
    const reqAff = this.required.of(pod.group, pod.spec);
    const counts = cs.map((c) => new Int32Array(c.domains.count));
    const eligible = cs.map((c) => new Uint8Array(c.domains.count));
    if (this.everyNodeCounts(cs, pod, true)) {
      // perf: every node carries every key and passes the inclusion policies, so each domain is
      // eligible and its count is the cache's domain total.
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        eligible[i]!.fill(1);
        for (const g of c.groups) {
          const t = this.cache.domainTotals(g, c.key);
          for (let d = 0; d < c.domains.count; d++) counts[i]![d]! += t[d]!;
        }
      }
    } else this.countAllNodes(cs, pod, reqAff, counts, eligible);
    const minMatch: number[] = [];
    const domainsNum: number[] = [];
    for (let i = 0; i < cs.length; i++) {
      let min = 2147483647; // model: math.MaxInt32 when no domain is eligible
      let num = 0;
      const cnt = counts[i]!;
      const el = eligible[i]!;
      for (let d = 0; d < cnt.length; d++) {
        if (el[d] === 0) continue;
        num++;
        if (cnt[d]! < min) min = cnt[d]!;
      }
      minMatch.push(min);
      domainsNum.push(num);
    }
    state.write(PRE_FILTER_KEY, { constraints: cs, counts, minMatch, domainsNum } satisfies PreFilterState);
    return SUCCESS;
  }

  /** 0 pass, else the failing code. */
  private check(s: PreFilterState, node: number): number {
    const cs = s.constraints;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      const d = c.domains.domainOf[node]!;
      if (d < 0) return Code.UnschedulableAndUnresolvable;
      const min = s.domainsNum[i]! < c.minDomains ? 0 : s.minMatch[i]!;
      if (s.counts[i]![d]! + c.selfMatch - min > c.maxSkew) return Code.Unschedulable;
    }
    return 0;
  }

  filterNodes(state: CycleState, _pod: PodRef, cand: Int32Array, n: number, rj: Rejections): number {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (s === undefined) return n;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const node = cand[i]!;
      const code = this.check(s, node);
      if (code === 0) cand[k++] = node;
      else {
        rj.code[node] = code;
        rj.plugin[node] = rj.current;
      }
    }
    return k;
  }

  filter(state: CycleState, _pod: PodRef, node: number): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (s === undefined) return SUCCESS;
    const code = this.check(s, node);
    if (code === 0) return SUCCESS;
    return code === Code.UnschedulableAndUnresolvable ? rejected(Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_LABEL_NOT_MATCH) : rejected(Code.Unschedulable, ERR_REASON_CONSTRAINTS_NOT_MATCH);
  }

  preScore(state: CycleState, pod: PodRef, filtered: Int32Array, n: number): Status {
    const all = this.cache.nodes.size;
    if (all === 0) return SKIP;
    const requireAll = pod.spec.spread.length > 0 || !this.systemDefaulted;
    const cs = this.constraints(pod, false);
    if (cs.length === 0) return SKIP;
    if (this.ignoredBuf.length < all) this.ignoredBuf = new Uint8Array(all);
    const ignored = this.ignoredBuf;
    const counts = cs.map((c) => new Float64Array(c.domains.count + 1));
    const present = cs.map((c) => new Uint8Array(c.domains.count + 1));
    const topoSize = new Array<number>(cs.length).fill(0);
    let ignoredCount = 0;
    for (let j = 0; j < n; j++) {
      const node = filtered[j]!;
      ignored[node] = 0;
      if (requireAll && !this.hasAllKeys(cs, node)) {
        ignored[node] = 1;
        ignoredCount++;
        continue;
      }
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        if (c.hostname) continue;
        const d = c.domains.domainOf[node]!;
        const slot = d < 0 ? c.domains.count : d;
        if (present[i]![slot] === 0) {
          present[i]![slot] = 1;
          topoSize[i]!++;
        }
      }
    }
    // model: topologyNormalizingWeight(size) = log(size + 2); hostname size = scored nodes.
    const weight = cs.map((c, i) => Math.log((c.hostname ? n - ignoredCount : topoSize[i]!) + 2));
    const reqAff = this.required.of(pod.group, pod.spec);
    if (this.everyNodeCounts(cs, pod, requireAll)) {
      // perf: the all-node pass reduces to the cache's per-domain totals.
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        if (c.hostname) continue;
        const cnt = counts[i]!;
        const pr = present[i]!;
        for (const g of c.groups) {
          const t = this.cache.domainTotals(g, c.key);
          for (let d = 0; d < t.length; d++) if (pr[d] === 1) cnt[d]! += t[d]!;
        }
      }
    } else for (let node = 0; node < all; node++) {
      if (this.cache.nodes.present[node] === 0) continue;
      if (requireAll && !this.hasAllKeys(cs, node)) continue;
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        if (c.hostname || !this.included(c, pod, reqAff, node)) continue;
        const d = c.domains.domainOf[node]!;
        const slot = d < 0 ? c.domains.count : d;
        if (present[i]![slot] === 0) continue;
        counts[i]![slot]! += this.matching(c.groups, node);
      }
    }
    state.write(PRE_SCORE_KEY, { constraints: cs, counts, present, weight, ignored } satisfies PreScoreState);
    return SUCCESS;
  }

  score(state: CycleState, _pod: PodRef, list: Int32Array, n: number, out: Float64Array): void {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY)!;
    const cs = s.constraints;
    const m = cs.length;
    // perf: per-constraint arrays hoisted out of the node loop; a hostname constraint counting one
    // group reads that group's per-node counts directly.
    const doms = cs.map((c) => c.domains.domainOf);
    const counts = cs.map((c, i) => (c.hostname ? EMPTY : s.counts[i]!));
    const hostCounts = cs.map((c) => (c.hostname && c.groups.length === 1 ? (this.cache.groupCounts[c.groups[0]!] ?? ZEROS_FOR(this.cache.nodes.size)) : null));
    const weight = s.weight;
    const skew = cs.map((c) => c.maxSkew - 1);
    const ignored = s.ignored;
    if (m === 2 && cs[0]!.hostname && hostCounts[0] !== null && !cs[1]!.hostname) {
      // perf: the system defaults (hostname, then zone) unrolled with monomorphic locals.
      const hd = doms[0]!;
      const hc = hostCounts[0]!;
      const hw = weight[0]!;
      const hs = skew[0]!;
      const zd = doms[1]!;
      const zc = counts[1]!;
      const zw = weight[1]!;
      const zs = skew[1]!;
      for (let j = 0; j < n; j++) {
        const node = list[j]!;
        if (ignored[node] === 1) {
          out[j] = 0;
          continue;
        }
        let score = 0;
        if (hd[node]! >= 0) score += hc[node]! * hw + hs;
        const d = zd[node]!;
        if (d >= 0) score += zc[d]! * zw + zs;
        out[j] = Math.round(score);
      }
      return;
    }
    for (let j = 0; j < n; j++) {
      const node = list[j]!;
      if (ignored[node] === 1) {
        out[j] = 0;
        continue;
      }
      let score = 0;
      for (let i = 0; i < m; i++) {
        const d = doms[i]![node]!;
        if (d < 0) continue;
        const hc = hostCounts[i];
        const cnt = hc !== null ? hc![node]! : cs[i]!.hostname ? this.matching(cs[i]!.groups, node) : counts[i]![d]!;
        // model: scoreForCount = cnt * weight + (maxSkew - 1).
        score += cnt * weight[i]! + skew[i]!;
      }
      out[j] = Math.round(score);
    }
  }

  normalizeScore(state: CycleState, _pod: PodRef, list: Int32Array, n: number, scores: Float64Array): void {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (s === undefined) return;
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (let j = 0; j < n; j++) {
      if (s.ignored[list[j]!] === 1) continue;
      const v = scores[j]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    for (let j = 0; j < n; j++) {
      if (s.ignored[list[j]!] === 1) {
        scores[j] = 0;
        continue;
      }
      scores[j] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - scores[j]!)) / max);
    }
  }

  isSchedulableAfter(event: ClusterEvent, pod: PodRef, other: PodSpec | null): boolean {
    if (event === ClusterEvent.NodeChange) return true;
    if (other === null || other.namespace !== pod.spec.namespace) return false;
    const num = this.cache.index.numeric;
    for (const c of pod.spec.spread) if (selectorMatches(c.selector, other.labels, num)) return true;
    return pod.spec.spread.length === 0 && pod.spec.ownerSelector !== null && selectorMatches({ nothing: false, reqs: pod.spec.ownerSelector.reqs }, other.labels, num);
  }
}

