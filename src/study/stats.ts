/**
 * Small-sample statistics for comparing configurations run on the same seeds: means, Student's
 * t quantiles and confidence intervals of paired differences.
 */

/** Arithmetic mean (NaN for no values). */
export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length === 0 ? NaN : s / xs.length;
}

/** Sample standard deviation (n - 1 in the denominator; NaN below two values). */
export function sampleStdDev(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

/** ln Gamma(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; ~15 significant digits). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The regularized incomplete beta function I_x(a, b), by its continued fraction (modified
 * Lentz), using the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) where that converges faster.
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let f = 1;
  let c = 1;
  let d = 0;
  for (let i = 0; i <= 400; i++) {
    const m = i >> 1;
    let num: number;
    if (i === 0) num = 1;
    else if (i % 2 === 0) num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    else num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    const cd = c * d;
    f *= cd;
    if (Math.abs(1 - cd) < 1e-15) break;
  }
  return (front * (f - 1)) / a;
}

/** Student's t cumulative distribution function with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with `df` degrees of freedom (0 < p < 1), by bisection. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0))
    throw new RangeError(`studentTQuantile needs 0 < p < 1 and df > 0, got p=${p}, df=${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A confidence interval of a mean paired difference. */
export interface PairedDifference {
  /** Pairs used (both values present). */
  n: number;
  meanDiff: number;
  lo: number;
  hi: number;
  /** The interval excludes 0 (with n >= 2). A difference that is exactly 0 in every pair never is. */
  significant: boolean;
}

/**
 * Mean of `b[i] - a[i]` over the pairs where both are finite, with its two-sided t-interval at
 * `confidence`: mean ± t_{(1+c)/2, n-1} · s / √n. With common random numbers (the same seed
 * for both arms) the pairing removes the seed-to-seed noise the arms share.
 * Contract: fewer than two pairs gives NaN bounds and `significant: false`; zero spread gives
 * a point interval (significant exactly when the mean difference is not 0).
 */
export function pairedDifference(
  a: readonly (number | null)[],
  b: readonly (number | null)[],
  confidence = 0.95,
): PairedDifference {
  const d: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x !== null && y !== null && x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y))
      d.push(y - x);
  }
  const n = d.length;
  const m = mean(d);
  if (n < 2) return { n, meanDiff: m, lo: NaN, hi: NaN, significant: false };
  const s = sampleStdDev(d);
  const half = s === 0 ? 0 : studentTQuantile((1 + confidence) / 2, n - 1) * (s / Math.sqrt(n));
  const lo = m - half;
  const hi = m + half;
  return { n, meanDiff: m, lo, hi, significant: lo > 0 || hi < 0 };
}

/** Mean and t-interval half-width of one arm's values (NaN half-width below two values). */
export function meanInterval(
  xs: readonly (number | null)[],
  confidence = 0.95,
): { n: number; mean: number; half: number } {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  const m = mean(v);
  if (v.length < 2) return { n: v.length, mean: m, half: NaN };
  const s = sampleStdDev(v);
  return {
    n: v.length,
    mean: m,
    half: s === 0 ? 0 : studentTQuantile((1 + confidence) / 2, v.length - 1) * (s / Math.sqrt(v.length)),
  };
}
