/**
 * Nearest-rank quantiles of the finite values among `values` (NaN and infinities skipped): the
 * q-quantile is the smallest value with at least q of the samples at or below it. Answers every
 * requested q from one copy. Returns NaN for each q when there are no values.
 * perf: order statistics by selection (quickselect, expected O(n)) instead of a full sort: the
 * watch-delivery latencies of a 150,000-pod run are tens of millions of samples. The values
 * returned are the same as sorting and indexing.
 */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const xs = finiteValues(values);
  const n = xs.length;
  if (n === 0) return qs.map(() => NaN);
  const ranks = qs.map((q) => Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1)));
  const order = ranks.map((_, i) => i).sort((a, b) => ranks[a]! - ranks[b]!);
  const out = new Array<number>(qs.length);
  // Each selection leaves smaller values left of the rank and larger right of it, so the next
  // (larger) rank is looked for right of the previous one only.
  let lo = 0;
  for (const i of order) {
    const k = ranks[i]!;
    select(xs, lo, n - 1, k);
    out[i] = xs[k]!;
    lo = k;
  }
  return out;
}

/**
 * {@link quantiles} of the multiset in which `values[i]` occurs `weights[i]` times (whole
 * numbers; a weight of 0 or less drops its value), with NaN and infinities skipped: the same
 * numbers as expanding every value into `weights[i]` copies and calling `quantiles`.
 * perf: an aggregate API row stands for up to thousands of alike requests (a 1M-pod run:
 * 108M requests in 6M rows); expanding them took 2 GB of arrays. This copies one value and one
 * weight per row and selects by weight (expected O(rows) per q).
 */
export function weightedQuantiles(
  values: ArrayLike<number>,
  weights: ArrayLike<number>,
  qs: readonly number[],
): number[] {
  let n = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]) || !(weights[i]! > 0)) continue;
    n++;
    total += weights[i]!;
  }
  if (total === 0) return qs.map(() => NaN);
  const xs = new Float64Array(n);
  const ws = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]) || !(weights[i]! > 0)) continue;
    xs[j] = values[i]!;
    ws[j++] = weights[i]!;
  }
  return qs.map((q) => weightedSelect(xs, ws, Math.min(total - 1, Math.max(0, Math.ceil(q * total) - 1))));
}

/** The finite values of `values`, sorted ascending, in a new Float64Array. */
export function finiteSorted(values: ArrayLike<number>): Float64Array {
  return finiteValues(values).sort();
}

function finiteValues(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const xs = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) xs[j++] = v;
  }
  return xs;
}

/**
 * Rearranges a[lo..hi] so that a[k] holds the value a sorted array would hold there, smaller or
 * equal values before it and larger or equal after (Hoare partition, median-of-three pivot; runs
 * of equal values split evenly, so constant latencies stay linear).
 */
function select(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const x = a[lo]!;
    const y = a[(lo + hi) >> 1]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * The value at rank `k` (0-based) of the multiset where `a[i]` occurs `w[i]` times (every
 * w[i] > 0, k < their sum), rearranging a and w together: three-way partitions around a
 * median-of-three pivot, keeping the part whose weight holds rank k.
 */
function weightedSelect(a: Float64Array, w: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  let rank = k;
  while (hi > lo) {
    const x = a[lo]!;
    const y = a[(lo + hi) >> 1]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // [lo, lt) < pivot, [lt, i) === pivot, (gt, hi] > pivot; `below`, `equal`: their weights.
    let lt = lo;
    let i = lo;
    let gt = hi;
    let below = 0;
    let equal = 0;
    while (i <= gt) {
      const v = a[i]!;
      if (v < pivot) {
        swap(a, w, lt, i);
        below += w[lt]!;
        lt++;
        i++;
      } else if (v > pivot) {
        swap(a, w, i, gt);
        gt--;
      } else {
        equal += w[i]!;
        i++;
      }
    }
    if (rank < below) hi = lt - 1;
    else if (rank < below + equal) return pivot;
    else {
      rank -= below + equal;
      lo = gt + 1;
    }
  }
  return a[lo]!;
}

function swap(a: Float64Array, w: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
  const u = w[i]!;
  w[i] = w[j]!;
  w[j] = u;
}
