import { TaintEffect } from "../../cluster/node-table.js";
import { requirementHolds } from "../label-selector.js";
import type { NodeLabelIndex } from "../node-label-index.js";
import type { NodeSelectorTerm, PodSpec, Toleration } from "../pod-spec.js";
import { CachePlugin } from "../plugin.js";
import type { SchedulerCache } from "../scheduler-cache.js";

/** model: pkg/scheduler/framework/interface.go MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

/**
 * A plugin whose PreFilter and PreScore count matching pods per topology domain over every node
 * (`scansCluster`) and whose scores are min-max normalized: InterPodAffinity and PodTopologySpread.
 */
export abstract class TopologyPlugin extends CachePlugin {
  readonly scansCluster = true;
  readonly normalizes = true;
}

/**
 * Scales scores to [0, maxPriority] by the largest one, optionally reversed; all-zero scores
 * become maxPriority when reversed. model: plugins/helper/normalize_score.go DefaultNormalizeScore.
 */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: Float64Array, n: number): void {
  let max = 0;
  for (let i = 0; i < n; i++) if (scores[i]! > max) max = scores[i]!;
  if (max === 0) {
    if (reverse) for (let i = 0; i < n; i++) scores[i] = maxPriority;
    return;
  }
  for (let i = 0; i < n; i++) {
    let s = Math.trunc((maxPriority * scores[i]!) / max);
    if (reverse) s = maxPriority - s;
    scores[i] = s;
  }
}

/**
 * Whether any toleration tolerates the taint (key, value, effect); value -1 is the empty value.
 * model: core/v1 Toleration.ToleratesTaint: an empty effect matches every effect, an empty key
 * (with Exists) every key; Equal compares values.
 */
export function tolerates(tols: readonly Toleration[], key: number, value: number, effect: number): boolean {
  for (let i = 0; i < tols.length; i++) {
    const t = tols[i]!;
    if (t.effect >= 0 && t.effect !== effect) continue;
    if (t.key >= 0 && t.key !== key) continue;
    if (t.exists || t.value === value) return true;
  }
  return false;
}

/**
 * The first NoSchedule / NoExecute taint of `node` that the tolerations do not tolerate, as a
 * taint-table index, -2 for the implicit not-ready taint, or -1 when every such taint is
 * tolerated. model: v1helper.FindMatchingUntoleratedTaint with DoNotScheduleTaintsFilterFunc.
 */
export function untoleratedTaint(cache: SchedulerCache, tols: readonly Toleration[], node: number): number {
  const nodes = cache.nodes;
  const eff = nodes.taintEffect;
  const keys = nodes.taintKey;
  const vals = nodes.taintValue;
  for (let t = nodes.taintStart[node]!, e = nodes.taintStart[node + 1]!; t < e; t++) {
    const effect = eff[t]!;
    if (effect === TaintEffect.PreferNoSchedule) continue;
    if (!tolerates(tols, keys[t]!, vals[t]!, effect)) return t;
  }
  if (nodes.ready[node] === 0 && !tolerates(tols, cache.notReadyTaintKey, -1, TaintEffect.NoSchedule)) return -2;
  return -1;
}

/** Whether a NodeSelectorTerm matches node `node`. Empty or invalid terms match nothing. */
export function termMatches(term: NodeSelectorTerm, node: number, index: NodeLabelIndex): boolean {
  if (!term.valid || (term.reqs.length === 0 && term.fields.length === 0)) return false;
  for (const r of term.reqs) if (!requirementHolds(r, index.column(r.key)[node]!, index.numeric)) return false;
  if (term.fields.length > 0) {
    const name = index.nodes.names[node]!;
    for (const f of term.fields) {
      const has = f.names.includes(name);
      if (has !== (f.op === 0)) return false;
    }
  }
  return true;
}

/**
 * The pod's required node affinity: its nodeSelector and, when set, any of its required
 * nodeSelectorTerms. model: component-helpers nodeaffinity.GetRequiredNodeAffinity(pod).Match.
 */
export function requiredNodeAffinityMatches(spec: PodSpec, node: number, index: NodeLabelIndex): boolean {
  for (const r of spec.nodeSelector) if (!requirementHolds(r, index.column(r.key)[node]!, index.numeric)) return false;
  const terms = spec.requiredTerms;
  if (terms === null) return true;
  for (const t of terms) if (termMatches(t, node, index)) return true;
  return false;
}

/**
 * Per-group cache of the required node affinity over all nodes (labels do not change during a
 * run). perf: the NodeAffinity filter and PodTopologySpread's inclusion policy become one load.
 */
export class RequiredAffinityCache {
  private readonly byGroup: (Uint8Array | undefined)[] = [];
  /** Per group: 1 when the required node affinity matches every node row, 0 when not. */
  private readonly everywhere: number[] = [];
  private readonly cache: SchedulerCache;

  constructor(cache: SchedulerCache) {
    this.cache = cache;
  }

  /** 1 where the group's required node affinity matches the node. */
  of(group: number, spec: PodSpec): Uint8Array {
    let m = this.byGroup[group];
    if (m !== undefined) return m;
    const n = this.cache.nodes.size;
    m = new Uint8Array(n);
    const idx = this.cache.index;
    let all = 1;
    for (let i = 0; i < n; i++) {
      m[i] = requiredNodeAffinityMatches(spec, i, idx) ? 1 : 0;
      all &= m[i]!;
    }
    this.byGroup[group] = m;
    this.everywhere[group] = all;
    return m;
  }

  /** Whether the group's required node affinity matches every node (labels do not change). */
  matchesEverywhere(group: number, spec: PodSpec): boolean {
    this.of(group, spec);
    return this.everywhere[group] === 1;
  }
}

/** Shared per-cache instance, so that plugins of every profile reuse one affinity cache. */
const affinityCaches = new WeakMap<SchedulerCache, RequiredAffinityCache>();
export function requiredAffinityCache(cache: SchedulerCache): RequiredAffinityCache {
  let c = affinityCaches.get(cache);
  if (c === undefined) {
    c = new RequiredAffinityCache(cache);
    affinityCaches.set(cache, c);
  }
  return c;
}

/** `{key: value}` as upstream prints a taint in reasons. */
export function taintText(cache: SchedulerCache, t: number): string {
  const nodes = cache.nodes;
  if (t === -2) return `{${cache.labels.name(cache.notReadyTaintKey)}: }`;
  const v = nodes.taintValue[t]!;
  return `{${cache.labels.name(nodes.taintKey[t]!)}: ${v < 0 ? "" : cache.labels.name(v)}}`;
}

/**
 * A byte column with a 32-bit view of it (null when the column is not 4-byte aligned), for
 * {@link bytesAllEqual}. Build it once per column and keep it.
 */
export interface ByteColumn {
  readonly bytes: Uint8Array;
  readonly words: Uint32Array | null;
}

/** Wraps a byte column for {@link bytesAllEqual}. */
export function byteColumn(bytes: Uint8Array): ByteColumn {
  return {
    bytes,
    words: bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : null,
  };
}

/**
 * Whether bytes[a..b) all equal `value` (0..255).
 * perf: compares four bytes per 32-bit word where the column is 4-byte aligned.
 */
export function bytesAllEqual(col: ByteColumn, a: number, b: number, value: number): boolean {
  const bytes = col.bytes;
  const words = col.words;
  let i = a;
  if (words !== null) {
    const pattern = (value * 0x01010101) >>> 0;
    for (; i < b && (i & 3) !== 0; i++) if (bytes[i] !== value) return false;
    const we = b >> 2;
    for (let w = i >> 2; w < we; w++) if (words[w] !== pattern) return false;
    i = Math.max(i, we << 2);
  }
  for (; i < b; i++) if (bytes[i] !== value) return false;
  return true;
}

/**
 * Whether cand[0..n) is the contiguous run of node indices cand[0] .. cand[0] + n - 1. The
 * framework hands Filter kernels a rotation of ascending node indices (compacted in order), so
 * the run is contiguous exactly when its ends are n - 1 apart.
 */
export function contiguousRun(cand: Int32Array, n: number): boolean {
  return n > 0 && cand[n - 1]! - cand[0]! === n - 1;
}
