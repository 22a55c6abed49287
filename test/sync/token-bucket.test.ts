import { describe, expect, test } from "vitest";
import { TokenBucket } from "../../src/sync/token-bucket.js";
import { shapedReleaseNs } from "./greedy-shaper.js";

describe("TokenBucket (client-go semantics)", () => {
  test("n requests at once: the first `burst` pass, the last waits (n - burst) / qps", () => {
    const b = new TokenBucket(20, 30);
    const waits: number[] = [];
    for (let i = 0; i < 100; i++) waits.push(b.reserve(0));
    expect(waits.slice(0, 30).every((w) => w === 0)).toBe(true);
    expect(waits[30]).toBe(50_000_000); // 1/20 s
    expect(waits[99]).toBe(Math.ceil(((100 - 30) / 20) * 1e9));
  });

  test("refills at qps up to burst while idle", () => {
    const b = new TokenBucket(10, 5);
    for (let i = 0; i < 5; i++) b.reserve(0);
    expect(b.reserve(0)).toBe(100_000_000);
    // 10 s idle refills to the burst of 5, not 100.
    for (let i = 0; i < 5; i++) expect(b.reserve(10e9)).toBe(0);
    expect(b.reserve(10e9)).toBeGreaterThan(0);
  });

  test("a closed-loop client's n-th request (n > burst) leaves exactly (n - burst) / qps after a burst at t=0", () => {
    // Each request is reserved when the previous one was released, so every reservation after
    // the burst depends on the refill since the last one: a slower refill makes it later, a
    // faster one earlier. Lower and upper bound, to the nanosecond of rounding.
    const qps = 20;
    const burst = 30;
    const b = new TokenBucket(qps, burst);
    let now = 0;
    for (let n = 1; n <= 200; n++) {
      now += b.reserve(now);
      const due = n <= burst ? 0 : ((n - burst) / qps) * 1e9;
      expect(now).toBeGreaterThanOrEqual(due - 1);
      expect(now).toBeLessThanOrEqual(due + 1);
    }
  });

  test("open-loop arrivals leave at the greedy shaper's closed form, neither earlier nor later", () => {
    // Arrivals at twice the rate for 40 s, 10 s idle after the queue drains (the bucket refills to its burst, and no
    // further), then 100 at once: queueing, idling, capped refill and a second burst.
    const qps = 5;
    const burst = 10;
    const arrivals: number[] = [];
    for (let i = 0; i < 400; i++) arrivals.push(i * 1e8);
    const gapEnd = ((400 - burst) / qps) * 1e9 + 10e9;
    for (let i = 0; i < 100; i++) arrivals.push(gapEnd);
    const expected = shapedReleaseNs(arrivals, qps, burst);
    const b = new TokenBucket(qps, burst);
    for (let i = 0; i < arrivals.length; i++) {
      const released = arrivals[i]! + b.reserve(arrivals[i]!);
      expect(Math.abs(released - expected[i]!)).toBeLessThanOrEqual(1);
    }
    // The second burst: `burst` pass at once, the last waits (100 - burst) / qps.
    expect(expected[400]).toBe(gapEnd);
    expect(expected[499]! - gapEnd).toBe(((100 - burst) / qps) * 1e9);
  });

  test("rejects a non-positive rate and a burst below 1", () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0.5)).toThrow(RangeError);
    // A burst of 1 is valid: one request at once, then one per 1/qps.
    const b = new TokenBucket(4, 1);
    expect([b.reserve(0), b.reserve(0), b.reserve(0)]).toEqual([0, 250_000_000, 500_000_000]);
  });
});
