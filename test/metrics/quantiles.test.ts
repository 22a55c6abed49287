import { describe, expect, test } from "vitest";
import { finiteSorted, quantiles } from "../../src/metrics/quantiles.js";
import { RandomStreams } from "../../src/core/random.js";

const QS = [0, 0.5, 0.9, 0.99, 1];

/** The definition: sort, then take the ceil(q n)-th smallest (1-based), at least the first. */
function byDefinition(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const xs = finiteSorted(values);
  return qs.map((q) =>
    xs.length === 0 ? NaN : xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))]!,
  );
}

describe("quantiles (nearest rank, by selection)", () => {
  test("closed form on 1..100: p50 = 50, p90 = 90, p99 = 99, max = 100, min = 1", () => {
    const v = Float64Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantiles(v, QS)).toEqual([1, 50, 90, 99, 100]);
  });

  test.each([
    ["continuous", 1],
    ["few distinct values (ties)", 2],
    ["constant", 3],
    ["with NaN and infinities skipped", 4],
  ])("equals sort-and-index on random data: %s", (kind, seed) => {
    const rng = new RandomStreams(seed).stream("q");
    for (const n of [1, 2, 3, 10, 101, 5000]) {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const u = rng.next();
        v[i] = kind === "continuous" ? Math.round(Math.exp(u * 20)) : kind === "constant" ? 7 : Math.floor(u * 5);
        if (kind.startsWith("with") && i % 7 === 0) v[i] = i % 14 === 0 ? NaN : -Infinity;
      }
      expect(quantiles(v, QS)).toEqual(byDefinition(v, QS));
      // Requested out of order: each answer stays with its q.
      expect(quantiles(v, [0.99, 0.5, 1, 0])).toEqual(byDefinition(v, [0.99, 0.5, 1, 0]));
    }
  });

  test("no finite values: NaN for every q; the input is not modified", () => {
    expect(quantiles([NaN, Infinity], [0.5, 1])).toEqual([NaN, NaN]);
    const v = Float64Array.from([3, 1, 2]);
    quantiles(v, QS);
    expect(Array.from(v)).toEqual([3, 1, 2]);
  });
});
