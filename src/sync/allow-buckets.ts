import { NS_PER } from "../core/time.js";

/**
 * Token buckets with `golang.org/x/time/rate` `AllowN(now, 1)` semantics (the `TryAccept` of
 * client-go's flowcontrol limiters), one per index: a bucket starts full (`burst` tokens),
 * refills at the rate the caller passes (a limiter swapped for one of another rate keeps its
 * tokens until {@link reset}), and a take that finds no whole token fails and takes nothing.
 * src/sync/token-bucket.ts has the Wait semantics (a reservation may drive the count negative).
 * perf: two Float64Array columns for all buckets, no object per bucket.
 */
export class AllowBuckets {
  readonly burst: number;
  private readonly tokens: Float64Array;
  private readonly lastNs: Float64Array;

  constructor(count: number, burst: number) {
    this.burst = burst;
    this.tokens = new Float64Array(count).fill(burst);
    this.lastNs = new Float64Array(count);
  }

  /** Tokens of bucket `i` at `nowNs` after refilling at `qps` per second (nothing is taken). */
  available(i: number, nowNs: number, qps: number): number {
    return Math.min(this.burst, this.tokens[i]! + ((nowNs - this.lastNs[i]!) * qps) / NS_PER.s);
  }

  /** Refills bucket `i` to `nowNs` at `qps` and takes a token if there is one; false (none taken) if not. */
  tryTake(i: number, nowNs: number, qps: number): boolean {
    const t = this.available(i, nowNs, qps);
    this.lastNs[i] = nowNs;
    if (t >= 1) {
      this.tokens[i] = t - 1;
      return true;
    }
    this.tokens[i] = t;
    return false;
  }

  /** Sets bucket `i` to `tokens` as of `nowNs`. */
  reset(i: number, nowNs: number, tokens: number): void {
    this.tokens[i] = tokens;
    this.lastNs[i] = nowNs;
  }
}
