/** model: apf_controller.go / conc_alloc.go MinTarget = 0.001. */
export const MIN_TARGET = 0.001;
/** model: conc_alloc.go epsilon = 0.0000001. */
const EPSILON = 0.0000001;
/** model: conc_alloc.go starts its min/max scans at math.MaxFloat32. */
const MAX_FLOAT32 = 3.4028234663852886e38;

/** Result of {@link computeConcurrencyAllocation}: allocations and the fair proportion, or why none exists. */
export type AllocationResult =
  | { readonly ok: true; readonly allocs: Float64Array; readonly fairProp: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Divides `requiredSum` seats among classes with targets and bounds, the way the APF borrowing
 * adjustment does every 10 s.
 *
 * Contract (upstream's): `allocs` sums to `requiredSum`; for each class J,
 * `lower[J] <= allocs[J] <= upper[J]` and either `allocs[J] == fairProp * target[J]`, or it is
 * pinned at a bound that `fairProp * target[J]` would cross. Targets below MIN_TARGET count as
 * MIN_TARGET. Each class needs `target >= lower >= 0` and `upper >= lower`.
 *
 * model: staging/src/k8s.io/apiserver/pkg/util/flowcontrol/conc_alloc.go
 * `computeConcurrencyAllocation`, same steps: the no-wiggle-room cases, the unconstrained
 * proportion, else a sweep over the sorted relative bounds.
 */
export function computeConcurrencyAllocation(
  requiredSum: number,
  target: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
): AllocationResult {
  const n = target.length;
  if (requiredSum < 0) return { ok: false, reason: "negative sums are not supported" };
  let lowSum = 0;
  let highSum = 0;
  let targetSum = 0;
  let ubMin = MAX_FLOAT32;
  let ubMax = 0;
  let lbMin = MAX_FLOAT32;
  let lbMax = 0;
  const t = new Float64Array(n);
  const relLower = new Float64Array(n);
  const relUpper = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let ti = target[i]!;
    const lo = lower[i]!;
    const hi = upper[i]!;
    if (lo < 0) return { ok: false, reason: `lower bound ${i} is ${lo} but negative lower bounds are not allowed` };
    if (ti < lo) return { ok: false, reason: `target ${i} is ${ti}, which is below its lower bound of ${lo}` };
    if (hi < lo)
      return { ok: false, reason: `upper bound ${i} is ${hi} but should not be less than the lower bound ${lo}` };
    if (ti < MIN_TARGET) ti = MIN_TARGET;
    lowSum += lo;
    highSum += hi;
    targetSum += ti;
    t[i] = ti;
    relLower[i] = lo / ti;
    relUpper[i] = hi / ti;
    ubMin = Math.min(ubMin, relUpper[i]!);
    ubMax = Math.max(ubMax, relUpper[i]!);
    lbMin = Math.min(lbMin, relLower[i]!);
    lbMax = Math.max(lbMax, relLower[i]!);
  }
  if (lbMax > 1) return { ok: false, reason: `lbRange.max-1=${lbMax - 1}, which is impossible` };
  if (lowSum - requiredSum > EPSILON) {
    return {
      ok: false,
      reason: `lower bounds sum to ${lowSum}, which is higher than the required sum of ${requiredSum}`,
    };
  }
  if (requiredSum - highSum > EPSILON) {
    return {
      ok: false,
      reason: `upper bounds sum to ${highSum}, which is lower than the required sum of ${requiredSum}`,
    };
  }
  const ans = new Float64Array(n);
  if (requiredSum === 0) return { ok: true, allocs: ans, fairProp: 0 };
  if (lowSum - requiredSum > -EPSILON) {
    for (let i = 0; i < n; i++) ans[i] = lower[i]!;
    return { ok: true, allocs: ans, fairProp: lbMin };
  }
  if (requiredSum - highSum > -EPSILON) {
    for (let i = 0; i < n; i++) ans[i] = upper[i]!;
    return { ok: true, allocs: ans, fairProp: ubMax };
  }
  let fairProp = requiredSum / targetSum;
  if (lbMax <= fairProp && fairProp <= ubMin) {
    for (let i = 0; i < n; i++) ans[i] = t[i]! * fairProp;
    return { ok: true, allocs: ans, fairProp };
  }
  // Some bounds matter: sweep fairProp upward over the sorted relative bounds.
  // Packed index 2*i is the lower bound of class i, 2*i+1 its upper bound.
  const order: number[] = [];
  for (let k = 0; k < 2 * n; k++) order.push(k);
  const boundOf = (k: number): number => ((k & 1) === 0 ? relLower[k >> 1]! : relUpper[k >> 1]!);
  // model: upstream uses sort.Sort (not stable); ties between equal bounds do not change the result.
  order.sort((a, b) => boundOf(a) - boundOf(b));
  let sumSoFar = lowSum;
  fairProp = lbMin;
  let sensitiveTargetSum = 0;
  let deltaSensitiveTargetSum = 0;
  let numSensitive = 0;
  let deltaSensitive = 0;
  let nextIdx = 0;
  while (sumSoFar < requiredSum) {
    let nextBound = 0;
    for (;;) {
      sensitiveTargetSum += deltaSensitiveTargetSum;
      numSensitive += deltaSensitive;
      if (nextIdx >= order.length) {
        return { ok: false, reason: "impossible: ran out of bounds to consider in bound-constrained problem" };
      }
      const packed = order[nextIdx]!;
      nextBound = boundOf(packed);
      const item = packed >> 1;
      if ((packed & 1) === 0) {
        deltaSensitive = 1;
        deltaSensitiveTargetSum = t[item]!;
      } else {
        deltaSensitive = -1;
        deltaSensitiveTargetSum = -t[item]!;
      }
      nextIdx++;
      if (nextBound > fairProp) break;
    }
    if (numSensitive === 0) {
      fairProp = nextBound;
      continue;
    }
    const nextProp = fairProp + (requiredSum - sumSoFar) / sensitiveTargetSum;
    if (nextProp <= nextBound) {
      fairProp = nextProp;
      break;
    }
    sumSoFar += (nextBound - fairProp) * sensitiveTargetSum;
    fairProp = nextBound;
  }
  for (let i = 0; i < n; i++) ans[i] = Math.max(lower[i]!, Math.min(upper[i]!, fairProp * t[i]!));
  return { ok: true, allocs: ans, fairProp };
}
