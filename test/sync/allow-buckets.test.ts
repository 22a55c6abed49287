import { describe, expect, test } from "vitest";
import { AllowBuckets } from "../../src/sync/allow-buckets.js";

describe("AllowBuckets (rate.Limiter AllowN semantics)", () => {
  test("a full bucket grants `burst` takes at once, then refuses without going below zero", () => {
    const b = new AllowBuckets(2, 3);
    const got: boolean[] = [];
    for (let i = 0; i < 5; i++) got.push(b.tryTake(0, 0, 10));
    expect(got).toEqual([true, true, true, false, false]);
    expect(b.available(0, 0, 10)).toBe(0);
    // Bucket 1 is untouched.
    expect(b.available(1, 0, 10)).toBe(3);
  });

  test("refills at qps up to burst: one token after 1/qps, never more than burst", () => {
    const b = new AllowBuckets(1, 2);
    b.tryTake(0, 0, 4);
    b.tryTake(0, 0, 4);
    expect(b.tryTake(0, 200_000_000, 4)).toBe(false); // 0.8 tokens after 0.2 s
    expect(b.tryTake(0, 250_000_000, 4)).toBe(true); // 1.0 token after 0.25 s
    expect(b.available(0, 100e9, 4)).toBe(2);
  });

  test("reset sets the tokens as of a time; the rate is the caller's at each call", () => {
    const b = new AllowBuckets(1, 1);
    b.reset(0, 1e9, 0);
    expect(b.available(0, 1.5e9, 1)).toBe(0.5);
    expect(b.available(0, 1.5e9, 2)).toBe(1);
  });
});
