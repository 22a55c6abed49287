import type { CycleState } from "../cycle-state.js";
import type { Handle, PodRef, ScorePlugin } from "../plugin.js";
import type { SchedulerCache } from "../scheduler-cache.js";
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
export class ImageLocality implements ScorePlugin {
  readonly name = "ImageLocality";
  index = -1;
  readonly normalizes = false;
  private readonly cache: SchedulerCache;
  private readonly subsetScores = new Float64Array(16);

  constructor(h: Handle) {
    this.cache = h.cache;
  }

  score(_s: CycleState, pod: PodRef, list: Int32Array, n: number, out: Float64Array): void {
    const cache = this.cache;
    const nodes = cache.nodes;
    const present = cache.presentCount;
    const names = pod.spec.images;
    const ids: number[] = [];
    const scaled: number[] = [];
    for (const name of names) {
      const id = cache.images.lookup(name);
      if (id < 0) continue;
      // model: ImageStateSummary.NumNodes of the cycle's snapshot (the cache keeps the counts).
      const numNodes = cache.imageNodeCount(id);
      ids.push(id);
      scaled.push(Math.trunc((cache.imageSizes[id] ?? 0) * (numNodes / present)));
    }
    const bits = nodes.imageBits;
    const w = nodes.imageWords;
    const m = ids.length;
    const minScore = calculatePriority(0, names.length);
    if (m === 1) {
      // perf: one image: two possible scores, picked by one bit test per node.
      const word = ids[0]! >>> 5;
      const bit = 1 << (ids[0]! & 31);
      const has = calculatePriority(scaled[0]!, names.length);
      for (let i = 0; i < n; i++) out[i] = (bits[list[i]! * w + word]! & bit) !== 0 ? has : minScore;
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
        const o = list[i]! * w;
        let mask = 0;
        for (let j = 0; j < m; j++) {
          const id = ids[j]!;
          if ((bits[o + (id >>> 5)]! & (1 << (id & 31))) !== 0) mask |= 1 << j;
        }
        out[i] = bySubset[mask]!;
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      const node = list[i]!;
      let sum = 0;
      // perf: the image bitset test inlined.
      for (let j = 0; j < m; j++) {
        const id = ids[j]!;
        if ((bits[node * w + (id >>> 5)]! & (1 << (id & 31))) !== 0) sum += scaled[j]!;
      }
      out[i] = sum === 0 ? minScore : calculatePriority(sum, names.length);
    }
  }

  normalizeScore(): void {}
}
