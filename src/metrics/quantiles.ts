/**
 * Nearest-rank quantiles of the finite values among `values` (NaN skipped): the q-quantile is
 * the smallest value with at least q of the samples at or below it. Sorts a copy once and
 * answers every requested q. Returns NaN for each q when there are no values.
 */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const xs = finiteSorted(values);
  return qs.map((q) => (xs.length === 0 ? NaN : xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))]!));
}

/** The finite values of `values`, sorted ascending, in a new Float64Array. */
export function finiteSorted(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const xs = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) xs[j++] = v;
  }
  return xs.sort();
}
