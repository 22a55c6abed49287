import type { CycleState } from "../cycle-state.js";
import type * as fw from "../plugin.js";
import { CachePlugin, PER_NODE_SCORES } from "../plugin.js";
import type { PodSpec } from "../pod-spec.js";
import { MAX_NODE_SCORE } from "./helper.js";

/** model: plugins/imagelocality/image_locality.go mb, minThreshold (23 MiB), maxContainerThreshold (1000 MiB). */
const MB = 1024 * 1024;
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/**
 * The ImageLocality score of a node from the summed image scores of the pod's containers:
 * clamped to [23 MiB, 1000 MiB x containers] and scaled to [0, 100] in integer arithmetic.
 * model: image_locality.go calculatePriority.
 */
export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  let s = sumScores;
  if (s < MIN_THRESHOLD) s = MIN_THRESHOLD;
  else if (s > maxThreshold) s = maxThreshold;
  return Math.trunc((MAX_NODE_SCORE * (s - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

/**
 * ImageLocality: favours nodes that already have the pod's images, each image counting its size
 * scaled by the share of nodes that have it (int64(size * numNodes / totalNodes)).
 * model: image_locality.go Score, sumImageScores, scaledImageScore.
 */
export class ImageLocality extends CachePlugin implements fw.ScorePlugin {
  static readonly points: readonly fw.PointsOf<ImageLocality>[] = ["score"];
  readonly name = "ImageLocality";
  readonly scansCluster = true;
  readonly normalizes = false;
  /** perf: perNode's scratch (the score of each subset of up to 4 images), rewritten by each call. */
  private readonly subsetScores = new Float64Array(16);
  /**
   * perf: scratch of prepare(): image ids and scaled scores of the pod's known images, written
   * and read within one Score / scoreInto call (no state between extension points).
   */
  private ids = new Int32Array(8);
  private scaled = new Float64Array(8);
  /** Per pod group: the image id of each of its images (see knownIds). */
  private readonly idsByGroup: ({ interned: number; spec: PodSpec; ids: Int32Array } | undefined)[] = [];

  /**
   * The pod's images the cache knows, with their scaled scores, into ids / scaled (m of them).
   * Returns m, or -1 - c when every one of them is on every present node or on none, so that
   * every node scores c (perf: no per-node pass).
   */
  private prepare(pod: fw.PodRef): number {
    const cache = this.cache;
    const present = cache.presentCount;
    const names = pod.spec.images;
    if (this.ids.length < names.length) {
      this.ids = new Int32Array(names.length);
      this.scaled = new Float64Array(names.length);
    }
    const ids = this.ids;
    const scaled = this.scaled;
    const known = this.knownIds(pod);
    let m = 0;
    let uniform = true;
    let everywhere = 0;
    for (let i = 0; i < names.length; i++) {
      const id = known[i]!;
      if (id < 0) continue;
      // model: ImageStateSummary.NumNodes of the cycle's snapshot (the cache keeps the counts).
      const numNodes = cache.imageNodeCount(id);
      const sc = Math.trunc((cache.imageSizes[id] ?? 0) * (numNodes / present));
      ids[m] = id;
      scaled[m] = sc;
      m++;
      if (numNodes === present) everywhere += sc;
      else if (numNodes !== 0) uniform = false;
    }
    // Every node (the feasible ones are present) has exactly the images held everywhere: image
    // bits are only ever set, so a count of `present` is exact, and an image counted on no node
    // scales to 0 wherever it is.
    return uniform ? -1 - calculatePriority(everywhere, names.length) : m;
  }

  /**
   * The image id of each of the pod's images (-1 when unknown), kept per pod group and looked up
   * again when images were interned since. perf: no string lookups per cycle.
   */
  private knownIds(pod: fw.PodRef): Int32Array {
    const images = this.cache.images;
    const g = pod.group;
    let e = this.idsByGroup[g];
    if (e === undefined || e.interned !== images.size || e.spec !== pod.spec) {
      const names = pod.spec.images;
      const ids = new Int32Array(names.length);
      for (let i = 0; i < names.length; i++) ids[i] = images.lookup(names[i]!);
      e = { interned: images.size, spec: pod.spec, ids };
      if (g >= 0) this.idsByGroup[g] = e;
    }
    return e.ids;
  }

  score(_s: CycleState, pod: fw.PodRef, list: Int32Array, n: number, out: Float64Array): number {
    const m = this.prepare(pod);
    if (m < 0) out.fill(-1 - m, 0, n);
    else this.perNode(pod, m, list, n, out, false, 1);
    return PER_NODE_SCORES;
  }

  /** perf: scoring without a per-node pass when every node gets the same score. */
  scoreInto(_s: CycleState, pod: fw.PodRef, list: Int32Array, n: number, totals: Float64Array, w: number): number {
    const m = this.prepare(pod);
    if (m < 0) return -1 - m;
    this.perNode(pod, m, list, n, totals, true, w);
    return PER_NODE_SCORES;
  }

  /** Per-node scores of the m prepared images into out (or w x score added to out when `add`). */
  private perNode(
    pod: fw.PodRef,
    m: number,
    list: Int32Array,
    n: number,
    out: Float64Array,
    add: boolean,
    w: number,
  ): void {
    const nodes = this.cache.nodes;
    const names = pod.spec.images;
    const ids = this.ids;
    const scaled = this.scaled;
    const bits = nodes.imageBits;
    const iw = nodes.imageWords;
    const minScore = calculatePriority(0, names.length);
    if (m === 1) {
      // perf: one image: two possible scores, picked by one bit test per node.
      const word = ids[0]! >>> 5;
      const bit = 1 << (ids[0]! & 31);
      const has = calculatePriority(scaled[0]!, names.length);
      if (add) for (let i = 0; i < n; i++) out[i]! += ((bits[list[i]! * iw + word]! & bit) !== 0 ? has : minScore) * w;
      else for (let i = 0; i < n; i++) out[i] = (bits[list[i]! * iw + word]! & bit) !== 0 ? has : minScore;
      return;
    }
    if (m <= 4) {
      // perf: with few images the node's score depends only on which of them it has: one
      // precomputed score per subset, picked by the node's bit pattern.
      const bySubset = this.subsetScores;
      for (let mask = 0; mask < 1 << m; mask++) {
        let sum = 0;
        for (let j = 0; j < m; j++) if ((mask >> j) & 1) sum += scaled[j]!;
        bySubset[mask] = calculatePriority(sum, names.length);
      }
      for (let i = 0; i < n; i++) {
        const o = list[i]! * iw;
        let mask = 0;
        for (let j = 0; j < m; j++) {
          const id = ids[j]!;
          if ((bits[o + (id >>> 5)]! & (1 << (id & 31))) !== 0) mask |= 1 << j;
        }
        if (add) out[i]! += bySubset[mask]! * w;
        else out[i] = bySubset[mask]!;
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      const node = list[i]!;
      let sum = 0;
      // perf: the image bitset test inlined.
      for (let j = 0; j < m; j++) {
        const id = ids[j]!;
        if ((bits[node * iw + (id >>> 5)]! & (1 << (id & 31))) !== 0) sum += scaled[j]!;
      }
      const v = sum === 0 ? minScore : calculatePriority(sum, names.length);
      if (add) out[i]! += v * w;
      else out[i] = v;
    }
  }

  normalizeScore(): void {}
}
