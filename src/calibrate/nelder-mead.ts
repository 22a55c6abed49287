import type { Rng } from "../core/random.js";

/** Options of {@link nelderMead}. */
export interface NelderMeadOptions {
  /** Objective evaluations allowed in all, restarts included. */
  maxEvaluations: number;
  /** Initial simplex edge, in the coordinates' own units. */
  step: number;
  /** Stop a descent once the simplex's objective values span less than this. */
  tolerance: number;
  /** Restarts from the best point so far, each with a freshly oriented simplex. */
  restarts: number;
  /** Orients each restart's simplex; fixes the whole search for a given seed. */
  rng: Rng;
}

/** The best point found and what it took. */
export interface Minimum {
  x: Float64Array;
  value: number;
  evaluations: number;
}

// model: the standard coefficients (Nelder and Mead, "A simplex method for function
// minimization", Computer Journal 7, 1965; as in Lagarias et al., SIAM J. Optim. 9, 1998).
const REFLECT = 1;
const EXPAND = 2;
const CONTRACT = 0.5;
const SHRINK = 0.5;

/**
 * Minimizes `f` over R^n with the Nelder-Mead simplex method, restarted from its best point.
 *
 * Why this method: the objectives it serves are simulations, piecewise constant at fine scale
 * (event times are integers) and without gradients, over a handful of coordinates; a
 * derivative-free direct search is the standard tool, and restarting with a new simplex is the
 * usual remedy for its collapses (Kelley, "Detection and remediation of stagnation in the
 * Nelder-Mead algorithm", SIAM J. Optim. 10, 1999).
 *
 * Contract: deterministic for a given `f`, start and `rng` state; never evaluates more than
 * `maxEvaluations` times; returns the best point evaluated.
 */
export function nelderMead(f: (x: Float64Array) => number, start: Float64Array, o: NelderMeadOptions): Minimum {
  const n = start.length;
  let evaluations = 0;
  let best = Float64Array.from(start);
  let bestValue = f(best);
  evaluations++;
  const eval1 = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    if (v < bestValue) {
      bestValue = v;
      best = Float64Array.from(x);
    }
    return v;
  };

  for (let round = 0; round <= o.restarts && evaluations < o.maxEvaluations; round++) {
    // A simplex of n+1 points around the best: each edge along a coordinate, with a random sign.
    const pts: Float64Array[] = [Float64Array.from(best)];
    const vals: number[] = [bestValue];
    for (let i = 0; i < n && evaluations < o.maxEvaluations; i++) {
      const p = Float64Array.from(best);
      p[i] = p[i]! + (o.rng.next() < 0.5 ? -o.step : o.step);
      pts.push(p);
      vals.push(eval1(p));
    }
    if (pts.length < n + 1) break;
    const centroid = new Float64Array(n);
    const trial = (from: Float64Array, towards: Float64Array, t: number): Float64Array => {
      const p = new Float64Array(n);
      for (let j = 0; j < n; j++) p[j] = from[j]! + t * (towards[j]! - from[j]!);
      return p;
    };
    while (evaluations < o.maxEvaluations) {
      const order = vals.map((_, i) => i).sort((a, b) => vals[a]! - vals[b]!);
      const sortedPts = order.map((i) => pts[i]!);
      const sortedVals = order.map((i) => vals[i]!);
      for (let i = 0; i <= n; i++) {
        pts[i] = sortedPts[i]!;
        vals[i] = sortedVals[i]!;
      }
      if (vals[n]! - vals[0]! < o.tolerance) break;
      centroid.fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] = centroid[j]! + pts[i]![j]! / n;
      const worst = pts[n]!;
      const r = trial(centroid, worst, -REFLECT);
      const fr = eval1(r);
      if (fr < vals[0]!) {
        const e = trial(centroid, worst, -EXPAND);
        const fe = evaluations < o.maxEvaluations ? eval1(e) : Infinity;
        [pts[n], vals[n]] = fe < fr ? [e, fe] : [r, fr];
      } else if (fr < vals[n - 1]!) {
        pts[n] = r;
        vals[n] = fr;
      } else {
        // Contract towards the better of the reflected point and the worst one.
        const outside = fr < vals[n]!;
        const c = trial(centroid, outside ? r : worst, CONTRACT);
        const fc = evaluations < o.maxEvaluations ? eval1(c) : Infinity;
        if (fc < (outside ? fr : vals[n]!)) {
          pts[n] = c;
          vals[n] = fc;
        } else {
          for (let i = 1; i <= n && evaluations < o.maxEvaluations; i++) {
            pts[i] = trial(pts[0]!, pts[i]!, SHRINK);
            vals[i] = eval1(pts[i]!);
          }
        }
      }
    }
  }
  return { x: best, value: bestValue, evaluations };
}
