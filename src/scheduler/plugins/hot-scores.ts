import type { ValueOf } from "../../core/names-of.js";
import type { Rng } from "../../core/random.js";
import { Hot, HOT_SHIFT } from "../scheduler-cache.js";
import { nextTie, Sel } from "../select-host.js";
import { MAX_NODE_SCORE } from "./helper.js";
import { allocatedCpuMem, balancedAllocation2, leastAllocated, requestedFraction } from "./resource-allocation.js";

/**
 * perf: module-local aliases of the imported constants and formulas used per node (V8 on Node 20
 * folds a module's own const bindings into optimized code, not imported ones; see
 * node-resources-fit.ts).
 */
const H = Hot;
const SHIFT = HOT_SHIFT;
const MAX_SCORE = MAX_NODE_SCORE;
const allocated = allocatedCpuMem;
const least = leastAllocated;
const balanced2 = balancedAllocation2;
const fraction = requestedFraction;
const tie = nextTie;

/**
 * The node-local scores computed from a node's line of SchedulerCache.hot (see Hot) alone: the
 * cpu + memory strategies of NodeResourcesFit (LeastAllocated, MostAllocated) and
 * NodeResourcesBalancedAllocation.
 */
export const HotScore = { least: 0, most: 1, balanced: 2 } as const;
export type HotScore = ValueOf<typeof HotScore>;

/**
 * Layout of {@link hotScoresSelect}'s arguments: at most one LeastAllocated / MostAllocated
 * term (NodeResourcesFit) and one BalancedAllocation term (each plugin is in a profile once).
 * Per term: whether it is scored (`allocKind` -1 when not, else its HotScore; `balanced` 1 or 0),
 * the pod's two numbers it reads (the non-zero cpu and memory requests for LeastAllocated /
 * MostAllocated, the requests for BalancedAllocation), the plugin's weight in the profile, and
 * the cpu and memory weights of LeastAllocated / MostAllocated.
 */
export const HotArg = {
  allocKind: 0,
  allocPodCpu: 1,
  allocPodMem: 2,
  allocCpuWeight: 3,
  allocMemWeight: 4,
  allocWeight: 5,
  balanced: 6,
  balancedPodCpu: 7,
  balancedPodMem: 8,
  balancedWeight: 9,
} as const;
export const HOT_ARG_COUNT = 10;

/**
 * The LeastAllocated (MostAllocated when `most`) score of the node at hot offset o for a pod with
 * non-zero requests pc, pm (see allocatedCpuMem), over the node's non-zero requests.
 */
export function hotAllocated(
  h: Float64Array,
  o: number,
  most: boolean,
  pc: number,
  pm: number,
  wc: number,
  wm: number,
): number {
  return allocated(most, h[o | H.nzCpu]! + pc, h[o | H.allocCpu]!, wc, h[o | H.nzMem]! + pm, h[o | H.allocMem]!, wm);
}

/**
 * The cpu + memory BalancedAllocation score (see balancedAllocation2) of the node at hot offset o
 * for a pod requesting pc and pm, over the node's actual requests.
 */
export function hotBalanced(h: Float64Array, o: number, pc: number, pm: number): number {
  const ac = h[o | H.allocCpu]!;
  const am = h[o | H.allocMem]!;
  // model: balanced_allocation.go: a resource with no allocatable is left out, and a single
  // fraction has std 0 (the score MaxNodeScore).
  if (ac === 0 || am === 0) return MAX_SCORE;
  return balanced2(fraction(h[o | H.reqCpu]! + pc, ac), fraction(h[o | H.reqMem]! + pm, am));
}

/**
 * Adds to totals[i] (or sets it, when `add` is false) the weighted sum of the terms of `args`
 * (see HotArg) for node list[i], i < n (n >= 2, as selectHost), taken from `values` (by node; NaN where
 * unknown) or computed from the node's hot line and stored there; and, these being the last
 * scores of the cycle, selects the host on the way: the position of the highest total and that
 * total into sel[Sel.best] and sel[Sel.score], ties broken by reservoir sampling with the draws
 * of Framework.selectHost over the same totals (the first draw before the second node, then one
 * at each higher total and each replacement). The sums are integers, so they equal the plugins'
 * weighted scores added in any order.
 * perf: one pass over the nodes whatever the share of memo hits, each node's hot line read once
 * for both formulas, instead of a memo pass, one pass per plugin, a scatter and a select pass.
 */
export function hotScoresSelect(
  h: Float64Array,
  args: Float64Array,
  list: Int32Array,
  n: number,
  values: Float64Array,
  totals: Float64Array,
  add: boolean,
  sel: Float64Array,
  rng: Rng,
): void {
  const kind = args[HotArg.allocKind]!;
  const most = kind === HotScore.most;
  const apc = args[HotArg.allocPodCpu]!;
  const apm = args[HotArg.allocPodMem]!;
  const wc = args[HotArg.allocCpuWeight]!;
  const wm = args[HotArg.allocMemWeight]!;
  const aw = args[HotArg.allocWeight]!;
  const bal = args[HotArg.balanced] === 1;
  const bpc = args[HotArg.balancedPodCpu]!;
  const bpm = args[HotArg.balancedPodMem]!;
  const bw = args[HotArg.balancedWeight]!;
  const leastBalanced = kind === HotScore.least && wc === wm && bal;
  let best = 0;
  let bestScore = 0;
  let ties = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    const node = list[i]!;
    let v = values[node]!;
    if (Number.isNaN(v)) {
      const o = node << SHIFT;
      const ac = h[o | H.allocCpu]!;
      const am = h[o | H.allocMem]!;
      if (leastBalanced && ac !== 0 && am !== 0) {
        // perf: the default profile's pair (LeastAllocated, equal weights, and BalancedAllocation)
        // on a node with cpu and memory allocatable: what hotAllocated + hotBalanced return there,
        // without their branches on strategy, weights and capacities (about 2 ns of the 15.4 ns
        // a node the every-node-changed bench's full default profile took).
        v =
          ((least(h[o | H.nzCpu]! + apc, ac) + least(h[o | H.nzMem]! + apm, am)) >> 1) * aw +
          balanced2(fraction(h[o | H.reqCpu]! + bpc, ac), fraction(h[o | H.reqMem]! + bpm, am)) * bw;
      } else {
        v = 0;
        if (kind >= 0) v += hotAllocated(h, o, most, apc, apm, wc, wm) * aw;
        if (bal) v += hotBalanced(h, o, bpc, bpm) * bw;
      }
      values[node] = v;
    }
    if (add) v += totals[i]!;
    totals[i] = v;
    // model: schedule_one.go selectHost, as Framework.selectHost runs it (see nextTie).
    if (i === 0) {
      bestScore = v;
      ties = 1;
      next = tie(rng, 1);
    } else if (v > bestScore) {
      bestScore = v;
      best = i;
      ties = 1;
      next = tie(rng, 1);
    } else if (v === bestScore && ++ties === next) {
      best = i;
      next = tie(rng, ties);
    }
  }
  sel[Sel.best] = best;
  sel[Sel.score] = bestScore;
}
