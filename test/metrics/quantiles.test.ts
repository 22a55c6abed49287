import { describe, expect, test } from "vitest";
import { finiteSorted, quantiles, weightedQuantiles } from "../../src/metrics/quantiles.js";
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

describe("weightedQuantiles (each value counted weight times)", () => {
  /** The multiset written out: value i repeated weights[i] times. */
  function expanded(values: ArrayLike<number>, weights: ArrayLike<number>): Float64Array {
    const out: number[] = [];
    for (let i = 0; i < values.length; i++) for (let k = 0; k < weights[i]!; k++) out.push(values[i]!);
    return Float64Array.from(out);
  }

  test("closed form: 1 once, 2 eight times, 3 once: p50 = p90 = 2, p99 = max = 3", () => {
    expect(weightedQuantiles([3, 2, 1], [1, 8, 1], [0.5, 0.9, 0.99, 1])).toEqual([2, 2, 3, 3]);
  });

  test.each([
    ["continuous, weights 1-50", 1, 50],
    ["few distinct values (ties), weights 1-3", 2, 3],
    ["all weights 1", 3, 1],
    ["with NaN, infinities and zero weights skipped", 4, 20],
  ])("equals quantiles of the expanded values: %s", (kind, seed, maxWeight) => {
    const rng = new RandomStreams(seed).stream("w");
    for (const n of [1, 2, 3, 10, 101, 3000]) {
      const v = new Float64Array(n);
      const w = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const u = rng.next();
        v[i] = kind.startsWith("few") ? Math.floor(u * 5) : Math.round(Math.exp(u * 20));
        w[i] = 1 + Math.floor(rng.next() * maxWeight);
        if (kind.startsWith("with") && i % 5 === 0) {
          if (i % 15 === 0) v[i] = NaN;
          else if (i % 15 === 5) v[i] = Infinity;
          else w[i] = 0;
        }
      }
      const qs = [0.99, 0, 0.5, 1, 0.9];
      expect(weightedQuantiles(v, w, qs)).toEqual(quantiles(expanded(v, w), qs));
    }
  });

  test("no finite value with a positive weight: NaN for every q; the inputs are not modified", () => {
    expect(weightedQuantiles([NaN, 4], [3, 0], [0.5, 1])).toEqual([NaN, NaN]);
    const v = Float64Array.from([3, 1, 2]);
    const w = Int32Array.from([2, 1, 5]);
    weightedQuantiles(v, w, QS);
    expect([Array.from(v), Array.from(w)]).toEqual([
      [3, 1, 2],
      [2, 1, 5],
    ]);
  });
});
