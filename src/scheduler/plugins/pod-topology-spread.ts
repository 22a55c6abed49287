import type { YamlReader } from "../../scenario/yaml-reader.js";
import type { CycleState } from "../cycle-state.js";
import { selectorEmpty, selectorMatches, type LabelSelector } from "../label-selector.js";
import type { Domains } from "../node-label-index.js";
import type * as fw from "../plugin.js";
import { ClusterEvent, FILTER_SCORE_POINTS, NodeChange, type NodeEventRef, PER_NODE_SCORES } from "../plugin.js";
import type { PodSpec } from "../pod-spec.js";
import { Code, rejected, SKIP, SUCCESS, type Status } from "../status.js";
import {
  MAX_NODE_SCORE,
  requiredAffinityCache,
  TopologyPlugin,
  untoleratedTaint,
  type RequiredAffinityCache,
} from "./helper.js";
import { argsObject } from "./simple-args.js";
import type { PodCounts } from "../scheduler-cache.js";

/** model: plugins/podtopologyspread/plugin.go ErrReasonConstraintsNotMatch, ErrReasonNodeLabelNotMatch. */
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
const HOSTNAME = "kubernetes.io/hostname";
const PRE_FILTER_KEY = "PreFilterPodTopologySpread";
const PRE_SCORE_KEY = "PreScorePodTopologySpread";

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
  /** perf: PreScore's per-domain counts and presence of this constraint, reused every cycle. */
  scoreCounts: Float64Array;
  scorePresent: Uint8Array;
  /** perf: per node, zslots + the domain slot (see PodTopologySpread.zoneSlots), built on first use. */
  zoneSlots: Int32Array | null;
}

interface PreFilterState {
  constraints: Constraint[];
  counts: Int32Array[];
  minMatch: number[];
  domainsNum: number[];
  /** Per constraint and domain: 0 when the skew allows the pod there, else Unschedulable. */
  verdict: Uint8Array[];
  /** Whether every node has every key and every verdict is 0 (the Filter passes every node). */
  passAll: boolean;
}

interface PreScoreState {
  constraints: Constraint[];
  /** Counts per domain slot (the last slot is the empty value), and which slots exist. */
  counts: Float64Array[];
  present: Uint8Array[];
  weight: number[];
  /** 1 for filtered nodes missing a topology key (scored 0); read only when anyIgnored. */
  ignored: Uint8Array;
  /** Whether any node can be ignored this cycle (else `ignored` is stale and not read). */
  anyIgnored: boolean;
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
export class PodTopologySpread extends TopologyPlugin implements fw.FilterScorePlugin {
  static readonly points: readonly fw.PointsOf<PodTopologySpread>[] = FILTER_SCORE_POINTS;
  readonly name = "PodTopologySpread";
  private readonly required: RequiredAffinityCache;
  private readonly defaults: readonly DefaultConstraint[];
  /** defaultingType System: requireAllTopologies only for pods with their own constraints. */
  readonly systemDefaulted: boolean;
  private readonly hostnameKey: number;
  /** perf: storage behind PreScoreState.ignored, rewritten by every PreScore (read via CycleState). */
  private ignoredBuf: Uint8Array;
  /** Constraints per pod group (see constraints()). */
  private readonly byGroup: ({ stamp: number; spec: PodSpec; hard: Constraint[]; soft: Constraint[] } | undefined)[] =
    [];
  /**
   * perf: the storage of PreScore's state, reused every cycle: each PreScore rewrites every field
   * and writes it to the CycleState, and Score / NormalizeScore read it only from there, so it
   * carries nothing from one cycle to the next.
   */
  private readonly pre: PreScoreState = {
    constraints: [],
    counts: [],
    present: [],
    weight: [],
    ignored: new Uint8Array(0),
    anyIgnored: false,
  };
  /** perf: PreScore's scratch (domains seen per constraint), zeroed before use. */
  private topoSize = new Int32Array(4);
  /**
   * hostZoneInto's tables: largest per-node count they hold, per node key, keys seen, scores by
   * key. perf: scratch reset by each call; hostCap is a size hint kept across cycles that never
   * changes a score (a table too small makes the call fall back).
   */
  private hostCap = 15;
  private keys = new Int32Array(0);
  private keySeen = new Uint8Array(0);
  private keyScore = new Float64Array(0);
  /** perf: rawScores' second result (min, max), scratch. */
  private readonly minMax = new Float64Array(2);
  /** All-zero per-node counts, read-only (the counts of a group with no pods yet); grows with the node table. */
  private zeroCounts: PodCounts = new Uint16Array(0);

  constructor(h: fw.Handle, args: YamlReader | null) {
    super(h);
    this.required = requiredAffinityCache(h.cache);
    this.hostnameKey = h.cache.labels.intern(HOSTNAME);
    this.ignoredBuf = new Uint8Array(h.cache.nodes.size);
    const a = argsObject(args, ["defaultConstraints", "defaultingType"]);
    const type =
      a === null ? "System" : a.get("defaultingType").oneOf(["System", "List"] as const, { default: "System" });
    const listed =
      a === null
        ? []
        : a
            .get("defaultConstraints")
            .list()
            .map((c) => {
              c.object(["maxSkew", "topologyKey", "whenUnsatisfiable", "labelSelector"]);
              // model: validation: default constraints must not set a labelSelector.
              if (c.get("labelSelector").present)
                c.get("labelSelector").fail("no labelSelector (default constraints use the pod's owners)");
              return {
                maxSkew: c.get("maxSkew").int({ min: 1 }),
                topologyKey: c.get("topologyKey").str(),
                hard:
                  c.get("whenUnsatisfiable").oneOf(["DoNotSchedule", "ScheduleAnyway"] as const) === "DoNotSchedule",
              };
            });
    if (type === "System" && listed.length > 0)
      a!.get("defaultConstraints").fail("no defaultConstraints with defaultingType System");
    this.defaults = type === "System" ? SYSTEM_DEFAULT_CONSTRAINTS : listed;
    this.systemDefaulted = type === "System";
  }

  /** Per-node pod counts of a group with no pods yet: all zero, never written. */
  private noPods(): PodCounts {
    const n = this.cache.nodes.size;
    if (this.zeroCounts.length < n) this.zeroCounts = new Uint16Array(n);
    return this.zeroCounts;
  }

  /**
   * The pod's constraints of one kind, built once per group and kind and rebuilt when groups were
   * added (their matching groups may grow). perf: no per-cycle allocation or selector matching.
   */
  private constraints(pod: fw.PodRef, hard: boolean): Constraint[] {
    const g = pod.group;
    let e = this.byGroup[g];
    const stamp = this.cache.groups.length;
    if (e === undefined || e.stamp !== stamp || e.spec !== pod.spec) {
      e = { stamp, spec: pod.spec, hard: this.buildConstraints(pod, true), soft: this.buildConstraints(pod, false) };
      if (g >= 0) this.byGroup[g] = e;
    }
    return hard ? e.hard : e.soft;
  }

  /** The pod's constraints of one kind, its own or the defaults with its owners' selector. */
  private buildConstraints(pod: fw.PodRef, hard: boolean): Constraint[] {
    const s = pod.spec;
    const cache = this.cache;
    const out: Constraint[] = [];
    const ns = new Set([s.namespace]);
    const mk = (
      maxSkew: number,
      key: number,
      selector: LabelSelector,
      minDomains: number,
      aff: boolean,
      taints: boolean,
    ): Constraint => {
      const domains = cache.index.domains(key);
      return {
        maxSkew,
        key,
        hostname: key === this.hostnameKey,
        selector,
        minDomains,
        honorNodeAffinity: aff,
        honorTaints: taints,
        domains,
        // model: countPodsMatchSelector counts nothing for an empty selector, only pods of the
        // namespace, and no terminating pod ("Bypass terminating Pod", podtopologyspread/common.go).
        groups: selectorEmpty(selector) ? [] : cache.matchingGroups(selector, ns, [], true),
        selfMatch: selectorMatches(selector, s.labels, cache.index.numeric) ? 1 : 0,
        // The hostname constraint counts per node, not per domain: no per-domain buffers.
        scoreCounts: new Float64Array(key === this.hostnameKey ? 0 : domains.count + 1),
        scorePresent: new Uint8Array(key === this.hostnameKey ? 0 : domains.count + 1),
        zoneSlots: null,
      };
    };
    if (s.spread.length > 0) {
      for (const c of s.spread)
        if (c.hard === hard)
          out.push(mk(c.maxSkew, c.topologyKey, c.selector, c.minDomains, c.honorNodeAffinity, c.honorTaints));
      return out;
    }
    // model: buildDefaultConstraints: no owner selector, no default constraints.
    if (s.ownerSelector === null) return out;
    for (const d of this.defaults)
      if (d.hard === hard) out.push(mk(d.maxSkew, cache.labels.intern(d.topologyKey), s.ownerSelector, 1, true, false));
    return out;
  }

  /**
   * Whether the all-node pass would count every node: the inclusion policies hold everywhere (no
   * required node affinity, taints ignored) and, when `requireAll`, every node has every key.
   */
  private everyNodeCounts(cs: readonly Constraint[], pod: fw.PodRef, requireAll: boolean, scoring = false): boolean {
    const s = pod.spec;
    // Rows of nodes that have not joined hold no pods, so they change no count; they matter only
    // to which domains are eligible (PreFilter), not to PreScore's counts.
    if (!scoring && this.cache.presentNodes !== null) return false;
    // perf: a required node affinity that every node matches includes every node, as none does.
    const noAffinity =
      (s.nodeSelector.length === 0 && s.requiredTerms === null) || this.required.matchesEverywhere(pod.group, s);
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
  private countAllNodes(
    cs: readonly Constraint[],
    pod: fw.PodRef,
    reqAff: Uint8Array,
    counts: Int32Array[],
    eligible: Uint8Array[],
  ): void {
    const n = this.cache.nodes.size;
    const m = cs.length;
    const doms = cs.map((c) => c.domains.domainOf);
    const aff = cs.map((c) => c.honorNodeAffinity);
    const taints = cs.map((c) => c.honorTaints);
    const groupCounts = cs.map((c) =>
      c.groups.map((g) => this.cache.groupCounts[g]).filter((a): a is PodCounts => a !== undefined),
    );
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

  private included(c: Constraint, pod: fw.PodRef, reqAff: Uint8Array, node: number): boolean {
    if (c.honorNodeAffinity && reqAff[node] === 0) return false;
    if (c.honorTaints && untoleratedTaint(this.cache, pod.spec.tolerations, node) !== -1) return false;
    return true;
  }

  private matching(groups: readonly number[], node: number): number {
    let n = 0;
    for (let i = 0; i < groups.length; i++) n += this.cache.count(groups[i]!, node);
    return n;
  }

  preFilter(state: CycleState, pod: fw.PodRef): Status {
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
    // perf: the skew test depends only on the node's domain: decided once per domain here.
    const verdict = cs.map((c, i) => {
      const v = new Uint8Array(c.domains.count);
      const min = domainsNum[i]! < c.minDomains ? 0 : minMatch[i]!;
      const cnt = counts[i]!;
      for (let d = 0; d < v.length; d++) if (cnt[d]! + c.selfMatch - min > c.maxSkew) v[d] = Code.Unschedulable;
      return v;
    });
    let passAll = true;
    for (let i = 0; i < cs.length; i++) {
      if (cs[i]!.domains.missing > 0) passAll = false;
      for (let d = 0; d < verdict[i]!.length; d++) if (verdict[i]![d] !== 0) passAll = false;
    }
    state.write(PRE_FILTER_KEY, {
      constraints: cs,
      counts,
      minMatch,
      domainsNum,
      verdict,
      passAll,
    } satisfies PreFilterState);
    return SUCCESS;
  }

  /** 0 pass, else the failing code. */
  private check(s: PreFilterState, node: number): number {
    const cs = s.constraints;
    for (let i = 0; i < cs.length; i++) {
      const d = cs[i]!.domains.domainOf[node]!;
      if (d < 0) return Code.UnschedulableAndUnresolvable;
      // model: counts[d] + selfMatch - (domains < minDomains ? 0 : global minimum) > maxSkew.
      if (s.verdict[i]![d] !== 0) return Code.Unschedulable;
    }
    return 0;
  }

  filterNodes(state: CycleState, _pod: fw.PodRef, cand: Int32Array, n: number, rj: fw.Rejections): number {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    // perf: no node can fail (every node has the keys, every domain's skew allows the pod).
    if (s === undefined || s.passAll) return n;
    if (s.constraints.length === 1)
      return filterOneConstraint(
        cand,
        n,
        s.constraints[0]!.domains.domainOf,
        s.verdict[0]!,
        rj.code,
        rj.plugin,
        rj.current,
      );
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

  filter(state: CycleState, _pod: fw.PodRef, node: number): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (s === undefined) return SUCCESS;
    const code = this.check(s, node);
    if (code === 0) return SUCCESS;
    return code === Code.UnschedulableAndUnresolvable
      ? rejected(Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_LABEL_NOT_MATCH)
      : rejected(Code.Unschedulable, ERR_REASON_CONSTRAINTS_NOT_MATCH);
  }

  preScore(state: CycleState, pod: fw.PodRef, filtered: Int32Array, n: number): Status {
    const all = this.cache.nodes.size;
    if (all === 0) return SKIP;
    const requireAll = pod.spec.spread.length > 0 || !this.systemDefaulted;
    const cs = this.constraints(pod, false);
    if (cs.length === 0) return SKIP;
    const m = cs.length;
    if (this.ignoredBuf.length < all) this.ignoredBuf = new Uint8Array(all);
    if (this.topoSize.length < m) this.topoSize = new Int32Array(m);
    const ignored = this.ignoredBuf;
    const topoSize = this.topoSize;
    const st = this.pre;
    st.constraints = cs;
    st.counts.length = m;
    st.present.length = m;
    st.weight.length = m;
    // A node is ignored (scored 0) when it lacks a key, only when the pod requires all keys.
    let canIgnore = false;
    for (let i = 0; i < m; i++) {
      const c = cs[i]!;
      // perf: the per-domain buffers of each constraint are reused (hostname ones are empty).
      c.scoreCounts.fill(0);
      c.scorePresent.fill(0);
      st.counts[i] = c.scoreCounts;
      st.present[i] = c.scorePresent;
      topoSize[i] = 0;
      if (requireAll && c.domains.missing > 0) canIgnore = true;
    }
    let ignoredCount = 0;
    if (canIgnore) {
      for (let j = 0; j < n; j++) {
        const node = filtered[j]!;
        ignored[node] = 0;
        if (!this.hasAllKeys(cs, node)) {
          ignored[node] = 1;
          ignoredCount++;
          continue;
        }
        this.markPresent(cs, node, topoSize);
      }
    } else {
      // perf: no node is ignored, so a constraint's set of domains is complete once every domain
      // it can have (plus the empty value when some node lacks the key) has been seen.
      let open = 0;
      for (let i = 0; i < m; i++) if (!cs[i]!.hostname) open++;
      for (let j = 0; j < n && open > 0; j++) open -= this.markPresent(cs, filtered[j]!, topoSize);
    }
    // model: topologyNormalizingWeight(size) = log(size + 2); hostname size = scored nodes.
    for (let i = 0; i < m; i++) st.weight[i] = Math.log((cs[i]!.hostname ? n - ignoredCount : topoSize[i]!) + 2);
    st.ignored = ignored;
    st.anyIgnored = ignoredCount > 0;
    const counts = st.counts;
    const present = st.present;
    if (this.everyNodeCounts(cs, pod, requireAll, true)) {
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
    } else {
      const reqAff = this.required.of(pod.group, pod.spec);
      for (let node = 0; node < all; node++) {
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
    }
    state.write(PRE_SCORE_KEY, st);
    return SUCCESS;
  }

  /**
   * Marks the domain slot of `node` present for every non-hostname constraint; returns how many
   * constraints thereby saw the last domain they can have.
   */
  private markPresent(cs: readonly Constraint[], node: number, topoSize: Int32Array): number {
    let closed = 0;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      if (c.hostname) continue;
      const dm = c.domains;
      const d = dm.domainOf[node]!;
      const slot = d < 0 ? dm.count : d;
      const pr = c.scorePresent;
      if (pr[slot] === 0) {
        pr[slot] = 1;
        if (++topoSize[i]! === dm.count + (dm.missing > 0 ? 1 : 0)) closed++;
      }
    }
    return closed;
  }

  /**
   * Raw scores of list[0..n) into out[0..n); mm receives the minimum and maximum over the nodes
   * not ignored (MAX_SAFE_INTEGER and 0 when none), as NormalizeScore takes them.
   */
  private rawScores(s: PreScoreState, list: Int32Array, n: number, out: Float64Array, mm: Float64Array): void {
    const cs = s.constraints;
    const m = cs.length;
    const ign = s.anyIgnored ? s.ignored : null;
    if (m === 2 && cs[0]!.hostname && cs[0]!.groups.length === 1 && !cs[1]!.hostname) {
      // perf: the system defaults (hostname, then zone) in a module kernel with monomorphic inputs.
      const h = cs[0]!;
      const z = cs[1]!;
      const hc = this.cache.groupCounts[h.groups[0]!] ?? this.noPods();
      hostZoneScores(
        list,
        n,
        h.domains.domainOf,
        hc,
        s.weight[0]!,
        h.maxSkew - 1,
        z.domains.domainOf,
        s.counts[1]!,
        s.weight[1]!,
        z.maxSkew - 1,
        ign,
        out,
        mm,
      );
      return;
    }
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (let j = 0; j < n; j++) {
      const node = list[j]!;
      if (ign !== null && ign[node] === 1) {
        out[j] = 0;
        continue;
      }
      let score = 0;
      for (let i = 0; i < m; i++) {
        const c = cs[i]!;
        const d = c.domains.domainOf[node]!;
        if (d < 0) continue;
        const cnt = c.hostname ? this.matching(c.groups, node) : s.counts[i]![d]!;
        // model: scoreForCount = cnt * weight + (maxSkew - 1).
        score += cnt * s.weight[i]! + (c.maxSkew - 1);
      }
      const v = Math.round(score);
      out[j] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    mm[0] = min;
    mm[1] = max;
  }

  score(state: CycleState, _pod: fw.PodRef, list: Int32Array, n: number, out: Float64Array): number {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY)!;
    this.rawScores(s, list, n, out, this.minMax);
    return PER_NODE_SCORES;
  }

  normalizeScore(state: CycleState, _pod: fw.PodRef, list: Int32Array, n: number, scores: Float64Array): void {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (s === undefined) return;
    const ign = s.anyIgnored ? s.ignored : null;
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (let j = 0; j < n; j++) {
      if (ign !== null && ign[list[j]!] === 1) continue;
      const v = scores[j]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    for (let j = 0; j < n; j++) {
      if (ign !== null && ign[list[j]!] === 1) {
        scores[j] = 0;
        continue;
      }
      scores[j] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - scores[j]!)) / max);
    }
  }

  /**
   * Score + NormalizeScore + weighting of the system default constraints (hostname, then a zone
   * key, no node ignored). A node's raw score depends only on (pods of the group on it, its
   * zone), so it is computed once per such pair that occurs, with the same float operations as
   * rawScores, and so is its normalized score. Returns -1 (added to totals), MAX_NODE_SCORE when
   * every node gets it, or -2 when a node holds more pods of the group than the table has room
   * for (the table grows for the next cycle; the caller falls back).
   * perf: per node two passes of loads and a table lookup instead of float arithmetic, a
   * rounding and a division per node.
   */
  private hostZoneInto(s: PreScoreState, list: Int32Array, n: number, totals: Float64Array, w: number): number {
    const cs = s.constraints;
    const h = cs[0]!;
    const z = cs[1]!;
    const zslots = z.domains.count + 1;
    const cap = this.hostCap;
    const size = (cap + 2) * zslots;
    if (this.keySeen.length < size) {
      this.keySeen = new Uint8Array(size);
      this.keyScore = new Float64Array(size);
    }
    if (this.keys.length < n) this.keys = new Int32Array(Math.max(n, this.keys.length * 2));
    const seen = this.keySeen;
    seen.fill(0, 0, size);
    const hc = this.cache.groupCounts[h.groups[0]!] ?? this.noPods();
    const most =
      h.domains.missing === 0
        ? hostZoneKeysAllHosts(list, n, this.zoneSlots(z), hc, zslots, cap, this.keys, seen)
        : hostZoneKeys(list, n, h.domains.domainOf, hc, z.domains.domainOf, zslots, cap, this.keys, seen);
    if (most > cap) {
      // A table sized to the largest count seen (bounded), used from the next cycle.
      this.hostCap = Math.min(Math.max(most, cap * 2), 1 << 12);
      return -2;
    }
    const hw = s.weight[0]!;
    const hs = h.maxSkew - 1;
    const zc = s.counts[1]!;
    const zw = s.weight[1]!;
    const zs = z.maxSkew - 1;
    const score = this.keyScore;
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (let key = 0; key < size; key++) {
      if (seen[key] === 0) continue;
      const c = (key / zslots) | 0;
      const d = key - c * zslots;
      // The same operations as hostZoneScores: key c > 0 is c - 1 pods with the hostname label.
      let sc = 0;
      if (c > 0) sc += (c - 1) * hw + hs;
      if (d < zslots - 1) sc += zc[d]! * zw + zs;
      const v = Math.round(sc);
      score[key] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (max === 0) return MAX_NODE_SCORE;
    // The weighted normalized score of each key that occurs (w x an integer: exact).
    for (let key = 0; key < size; key++)
      if (seen[key] === 1) score[key] = Math.trunc((MAX_NODE_SCORE * (max + min - score[key]!)) / max) * w;
    addByKey(this.keys, n, score, totals);
    return -1;
  }

  /**
   * Per node, the key hostZoneKeys gives a node with the hostname label and no pod of the group
   * (zslots + its zone slot), kept on the zone constraint (labels do not change).
   */
  private zoneSlots(z: Constraint): Int32Array {
    let zk = z.zoneSlots;
    if (zk === null) {
      const dom = z.domains.domainOf;
      const zslots = z.domains.count + 1;
      zk = new Int32Array(dom.length);
      for (let i = 0; i < dom.length; i++) zk[i] = zslots + (dom[i]! >= 0 ? dom[i]! : zslots - 1);
      z.zoneSlots = zk;
    }
    return zk;
  }

  /**
   * Score, NormalizeScore and weighting in two passes (normalized scores are in [0, 100]: raw
   * scores are >= 0 and each lies between the minimum and the maximum).
   */
  scoreInto(
    state: CycleState,
    _pod: fw.PodRef,
    list: Int32Array,
    n: number,
    totals: Float64Array,
    w: number,
    scratch: Float64Array,
  ): number {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY)!;
    const cs = s.constraints;
    if (!s.anyIgnored && cs.length === 2 && cs[0]!.hostname && cs[0]!.groups.length === 1 && !cs[1]!.hostname) {
      const c = this.hostZoneInto(s, list, n, totals, w);
      if (c !== -2) return c;
    }
    const mm = this.minMax;
    this.rawScores(s, list, n, scratch, mm);
    const min = mm[0]!;
    const max = mm[1]!;
    // perf: all raw scores 0 and no node ignored: every node normalizes to MaxNodeScore.
    if (max === 0 && !s.anyIgnored) return MAX_NODE_SCORE;
    normalizeSpreadInto(list, n, scratch, min, max, s.anyIgnored ? s.ignored : null, totals, w);
    return PER_NODE_SCORES;
  }

  isSchedulableAfter(event: ClusterEvent, pod: fw.PodRef, other: PodSpec | null, node: NodeEventRef | null): boolean {
    // model: podtopologyspread plugin.go: Node/Add, Delete, UpdateNodeLabel, UpdateNodeTaint
    // (isSchedulableAfterNodeChange); labels never change in a run, and a taint change (a Ready
    // transition, a cordon) matters only to a constraint with nodeTaintsPolicy Honor.
    if (event === ClusterEvent.NodeChange) {
      if (node === null || (node.change & (NodeChange.added | NodeChange.deleted)) !== 0) return true;
      return node.change !== 0 && pod.spec.spread.some((c) => c.honorTaints);
    }
    if (other === null || other.namespace !== pod.spec.namespace) return false;
    const num = this.cache.index.numeric;
    for (const c of pod.spec.spread) if (selectorMatches(c.selector, other.labels, num)) return true;
    return (
      pod.spec.spread.length === 0 &&
      pod.spec.ownerSelector !== null &&
      selectorMatches({ nothing: false, reqs: pod.spec.ownerSelector.reqs }, other.labels, num)
    );
  }
}

/**
 * Raw scores of the system default constraints (hostname, then zone) of list[0..n) into out, with
 * their minimum and maximum over the nodes not ignored into mm. `ign` null: no node is ignored.
 * perf: a module function with only typed arrays and numbers as inputs.
 */
function hostZoneScores(
  list: Int32Array,
  n: number,
  hd: Int32Array,
  hc: PodCounts,
  hw: number,
  hs: number,
  zd: Int32Array,
  zc: Float64Array,
  zw: number,
  zs: number,
  ign: Uint8Array | null,
  out: Float64Array,
  mm: Float64Array,
): void {
  let min = Number.MAX_SAFE_INTEGER;
  let max = 0;
  for (let j = 0; j < n; j++) {
    const node = list[j]!;
    if (ign !== null && ign[node] === 1) {
      out[j] = 0;
      continue;
    }
    let score = 0;
    if (hd[node]! >= 0) score += hc[node]! * hw + hs;
    const d = zd[node]!;
    if (d >= 0) score += zc[d]! * zw + zs;
    const v = Math.round(score);
    out[j] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  mm[0] = min;
  mm[1] = max;
}

/** totals[j] += w x the normalized spread score of raw[j] (0 for ignored nodes), as normalizeScore. */
function normalizeSpreadInto(
  list: Int32Array,
  n: number,
  raw: Float64Array,
  min: number,
  max: number,
  ign: Uint8Array | null,
  totals: Float64Array,
  w: number,
): void {
  if (max === 0) {
    for (let j = 0; j < n; j++) if (ign === null || ign[list[j]!] === 0) totals[j]! += MAX_NODE_SCORE * w;
    return;
  }
  for (let j = 0; j < n; j++) {
    if (ign !== null && ign[list[j]!] === 1) continue;
    totals[j]! += Math.trunc((MAX_NODE_SCORE * (max + min - raw[j]!)) / max) * w;
  }
}

/**
 * The Filter of one constraint over cand[0..n), compacting the nodes that pass: a node without
 * the key is UnschedulableAndUnresolvable, one whose domain's verdict is set is Unschedulable.
 * perf: a module function over typed arrays.
 */
function filterOneConstraint(
  cand: Int32Array,
  n: number,
  domainOf: Int32Array,
  verdict: Uint8Array,
  code: Uint8Array,
  plug: Int16Array,
  cur: number,
): number {
  // perf: a read-only scan to the first rejected node, then the compacting loop from there.
  let i = 0;
  for (; i < n; i++) {
    const d = domainOf[cand[i]!]!;
    if (d < 0 || verdict[d] !== 0) break;
  }
  let k = i;
  for (; i < n; i++) {
    const node = cand[i]!;
    const d = domainOf[node]!;
    if (d >= 0 && verdict[d] === 0) cand[k++] = node;
    else {
      code[node] = d < 0 ? Code.UnschedulableAndUnresolvable : Code.Unschedulable;
      plug[node] = cur;
    }
  }
  return k;
}

/**
 * keys[j] = (hostname label ? pods of the group on the node + 1 : 0) x zslots + (zone index, or
 * zslots - 1 without the zone key) for list[0..n), marking seen[key]. Returns the largest count
 * + 1 met when it exceeds cap + 1 (keys then incomplete), else 0.
 */
function hostZoneKeys(
  list: Int32Array,
  n: number,
  hd: Int32Array,
  hc: PodCounts,
  zd: Int32Array,
  zslots: number,
  cap: number,
  keys: Int32Array,
  seen: Uint8Array,
): number {
  const lim = cap + 1;
  for (let j = 0; j < n; j++) {
    const node = list[j]!;
    const c = hd[node]! >= 0 ? hc[node]! + 1 : 0;
    if (c > lim) return c;
    const d = zd[node]!;
    const key = c * zslots + (d >= 0 ? d : zslots - 1);
    keys[j] = key;
    seen[key] = 1;
  }
  return 0;
}

/** As hostZoneKeys when every node has the hostname label: keys[j] = zk[node] + pods x zslots. */
function hostZoneKeysAllHosts(
  list: Int32Array,
  n: number,
  zk: Int32Array,
  hc: PodCounts,
  zslots: number,
  cap: number,
  keys: Int32Array,
  seen: Uint8Array,
): number {
  for (let j = 0; j < n; j++) {
    const node = list[j]!;
    const c = hc[node]!;
    if (c > cap) return c + 1;
    const key = zk[node]! + c * zslots;
    keys[j] = key;
    seen[key] = 1;
  }
  return 0;
}

/** totals[j] += score[keys[j]] for j < n. */
function addByKey(keys: Int32Array, n: number, score: Float64Array, totals: Float64Array): void {
  for (let j = 0; j < n; j++) totals[j]! += score[keys[j]!]!;
}
