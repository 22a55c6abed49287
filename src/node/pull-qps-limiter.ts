import { AllowBuckets } from "../sync/allow-buckets.js";

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
 * possibly driving the count negative), so it cannot express a refusal; the buckets here are
 * {@link AllowBuckets}, one per node.
 */
export class PullQpsLimiter {
  readonly qps: number;
  readonly burst: number;
  private readonly buckets: AllowBuckets;

  constructor(nodeCount: number, qps: number, burst: number) {
    if (!(qps >= 0) || (qps > 0 && !(burst >= 1))) {
      throw new RangeError(`registryPullQPS must be >= 0 and registryBurst >= 1, got ${qps}/${burst}`);
    }
    this.qps = qps;
    this.burst = burst;
    this.buckets = new AllowBuckets(nodeCount, burst);
  }

  /** Takes a token for `node` at `nowNs` if one is available; false (and nothing taken) if not. */
  tryAccept(node: number, nowNs: number): boolean {
    return this.qps === 0 || this.buckets.tryTake(node, nowNs, this.qps);
  }
}
