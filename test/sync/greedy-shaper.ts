/**
 * The exact release times of a (burst b, rate q) token bucket with Wait semantics, for requests
 * arriving at sorted times `arrivals` (ns) with a full bucket at t = 0: the n-th request (from 1)
 * leaves at max(a_n, max over k <= n of a_k + (n - k + 1 - b) / q), the greedy shaper's closed
 * form (the k-th term: b tokens plus q(t - a_k) of refill must cover the n - k + 1 requests
 * from the k-th on). O(n^2), for tests only.
 */
export function shapedReleaseNs(arrivals: readonly number[], qps: number, burst: number): number[] {
  const out: number[] = [];
  for (let n = 0; n < arrivals.length; n++) {
    let t = arrivals[n]!;
    for (let k = 0; k <= n; k++) t = Math.max(t, arrivals[k]! + ((n - k + 1 - burst) / qps) * 1e9);
    out.push(t);
  }
  return out;
}
