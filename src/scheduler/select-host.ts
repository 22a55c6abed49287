import type { Rng } from "../core/random.js";

/**
 * The state of a selectHost run carried in a Float64Array, so that a kernel can select as it
 * scores: position of the pick among the feasible nodes, its total, the ties seen at that total,
 * and the tie count at which the pick is next replaced (-1: not drawn yet).
 */
export const Sel = { best: 0, score: 1, ties: 2, next: 3 } as const;

/**
 * The tie count at which reservoir sampling next replaces its pick, given a pick at tie count c:
 * floor(c / u) + 1 for u uniform in (0, 1]. model: schedule_one.go selectHost replaces the pick
 * at the k-th tie with probability 1 / k; drawing the next replacement directly has exactly
 * those probabilities (perf: O(log t) draws for t ties instead of t - 1).
 */
export function nextTie(rng: Rng, c: number): number {
  const u = 1 - rng.next(); // (0, 1]
  return Math.floor(c / u) + 1;
}
