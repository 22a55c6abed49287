import { NS_PER } from "../core/time.js";

/**
 * A client-side rate limiter with client-go's semantics: `flowcontrol.NewTokenBucketRateLimiter`
 * wraps `golang.org/x/time/rate.Limiter`, whose Wait reserves a token and sleeps until it is due.
 * The bucket starts full (`burst` tokens), refills at `qps`, and a reservation may drive the
 * count negative: the wait is the time until the count returns to zero. Requests are therefore
 * released in order, at most `burst + qps * T` in any window of length T.
 */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  private tokens: number;
  private lastNs = 0;

  constructor(qps: number, burst: number) {
    this.qps = qps;
    this.burst = burst;
    if (!(qps > 0) || !(burst >= 1))
      throw new RangeError(`token bucket needs qps > 0 and burst >= 1, got ${qps}/${burst}`);
    this.tokens = burst;
  }

  /** Reserves one token at `nowNs` and returns how long the caller must wait for it (ns). */
  reserve(nowNs: number): number {
    const elapsed = nowNs - this.lastNs;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.qps) / NS_PER.s);
      this.lastNs = nowNs;
    }
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * NS_PER.s) / this.qps);
  }
}
