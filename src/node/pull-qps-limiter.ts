import { NS_PER } from "../core/time.js";

/**
 * The kubelet's image pull rate limit (registryPullQPS / registryBurst), one token bucket per
 * node, with `TryAccept` semantics: a pull that finds no token is not delayed but fails.
 *
 * model: pkg/kubelet/images/throttled_puller.go `throttleImagePulling` wraps the image service
 * in `flowcontrol.NewTokenBucketRateLimiter(qps, burst)`, and `throttledImageService.PullImage`
 * returns `fmt.Errorf("pull QPS exceeded")` when `limiter.TryAccept()` is false; qps 0 disables
 * the limit. The wrapper sits inside the serial/parallel puller, so the token is taken when a
 * pull actually starts, not when it is queued. TryAccept is `rate.Limiter.AllowN(now, 1)` (golang.org/x/time/rate):
 * the bucket starts full, refills at qps up to burst, and a refused call takes no token.
 * src/sync/token-bucket.ts `TokenBucket.reserve` has the Wait semantics (always takes a token,
 * possibly driving the count negative), so it cannot express a refusal; this class keeps the
 * same refill arithmetic.
 * perf: one pair of Float64Array columns for all nodes instead of an object per node.
 */
export class PullQpsLimiter {
  readonly qps: number;
  readonly burst: number;
  private readonly tokens: Float64Array;
  private readonly lastNs: Float64Array;

  constructor(nodeCount: number, qps: number, burst: number) {
    if (!(qps >= 0) || (qps > 0 && !(burst >= 1))) {
      throw new RangeError(`registryPullQPS must be >= 0 and registryBurst >= 1, got ${qps}/${burst}`);
    }
    this.qps = qps;
    this.burst = burst;
    this.tokens = new Float64Array(nodeCount).fill(burst);
    this.lastNs = new Float64Array(nodeCount);
  }

  /** Takes a token for `node` at `nowNs` if one is available; false (and nothing taken) if not. */
  tryAccept(node: number, nowNs: number): boolean {
    if (this.qps === 0) return true;
    const elapsed = nowNs - this.lastNs[node]!;
    let t = this.tokens[node]!;
    if (elapsed > 0) {
      t = Math.min(this.burst, t + (elapsed * this.qps) / NS_PER.s);
      this.lastNs[node] = nowNs;
    }
    if (t >= 1) {
      this.tokens[node] = t - 1;
      return true;
    }
    this.tokens[node] = t;
    return false;
  }
}
