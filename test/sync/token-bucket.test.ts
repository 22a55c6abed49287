import { describe, expect, test } from "vitest";
import { TokenBucket } from "../../src/sync/token-bucket.js";

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

  test("rejects a non-positive rate", () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
  });
});
