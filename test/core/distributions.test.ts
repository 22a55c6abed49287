import { describe, expect, test } from "vitest";
import { Sampler, type DistSpec } from "../../src/core/distributions.js";
import { RandomStreams } from "../../src/core/random.js";
import { parseDurationNs } from "../../src/core/time.js";

const N = 100_000;

/**
 * Fraction of N samples at or below x. For a sampler whose q-quantile is x this fraction is
 * Binomial(N, q)/N with standard deviation sqrt(q(1-q)/N); the checks allow 5 of those
 * (distribution-free: no assumption about the shape beyond the quantile itself).
 */
function cdfAt(spec: DistSpec, x: number, seed = 11): number {
  const s = new Sampler(spec, new RandomStreams(seed).stream("d"));
  let below = 0;
  for (let i = 0; i < N; i++) if (s.sample() <= x) below++;
  return below / N;
}
const tol = (q: number) => 5 * Math.sqrt((q * (1 - q)) / N);

describe("distribution samplers match their quantiles", () => {
  test("lognormal from p50 and p99 puts 50% and 99% of samples below them", () => {
    const spec: DistSpec = { kind: "lognormal", p50: 2_000_000, p99: 20_000_000 };
    expect(Math.abs(cdfAt(spec, 2_000_000) - 0.5)).toBeLessThan(tol(0.5));
    expect(Math.abs(cdfAt(spec, 20_000_000) - 0.99)).toBeLessThan(tol(0.99));
  });

  test("exponential: P(X <= mean) = 1 - 1/e", () => {
    const q = 1 - Math.exp(-1);
    expect(Math.abs(cdfAt({ kind: "exponential", mean: 1_000_000 }, 1_000_000) - q)).toBeLessThan(tol(q));
  });

  test("uniform: quarter point holds a quarter of the mass", () => {
    expect(Math.abs(cdfAt({ kind: "uniform", min: 1000, max: 5000 }, 2000) - 0.25)).toBeLessThan(tol(0.25));
  });

  test("normal: the mean is the median; mean + 2.3263 sd is the 99th percentile", () => {
    const spec: DistSpec = { kind: "normal", mean: 10_000_000, stddev: 1_000_000 };
    expect(Math.abs(cdfAt(spec, 10_000_000) - 0.5)).toBeLessThan(tol(0.5));
    expect(Math.abs(cdfAt(spec, 12_326_348) - 0.99)).toBeLessThan(tol(0.99));
  });

  test("normal is truncated at zero: no negative sample", () => {
    const s = new Sampler({ kind: "normal", mean: 1000, stddev: 5000 }, new RandomStreams(3).stream("n"));
    for (let i = 0; i < 10_000; i++) expect(s.sample()).toBeGreaterThanOrEqual(0);
  });

  test("empirical: interpolates its quantile table", () => {
    const spec: DistSpec = { kind: "empirical", quantiles: [0, 0.5, 0.9, 1], values: [0, 1000, 5000, 10000] };
    expect(Math.abs(cdfAt(spec, 1000) - 0.5)).toBeLessThan(tol(0.5));
    expect(Math.abs(cdfAt(spec, 3000) - 0.7)).toBeLessThan(tol(0.7));
    expect(Math.abs(cdfAt(spec, 5000) - 0.9)).toBeLessThan(tol(0.9));
  });

  test("the quantile check can fail: a lognormal's p99 is not its p90", () => {
    const spec: DistSpec = { kind: "lognormal", p50: 2_000_000, p99: 20_000_000 };
    expect(Math.abs(cdfAt(spec, 20_000_000) - 0.9)).toBeGreaterThan(tol(0.9));
  });

  test("samples are integers and a named stream replays identically", () => {
    const spec: DistSpec = { kind: "lognormal", p50: 1234567, p99: 9876543 };
    const a = new Sampler(spec, new RandomStreams(5).stream("x"));
    const b = new Sampler(spec, new RandomStreams(5).stream("x"));
    const c = new Sampler(spec, new RandomStreams(5).stream("y"));
    let differs = false;
    for (let i = 0; i < 1000; i++) {
      const va = a.sample();
      expect(Number.isInteger(va)).toBe(true);
      expect(b.sample()).toBe(va);
      if (c.sample() !== va) differs = true;
    }
    expect(differs).toBe(true);
  });
});

describe("durations", () => {
  test.each([
    ["250us", 250_000],
    ["5ms", 5_000_000],
    ["2s", 2_000_000_000],
    ["1.5m", 90_000_000_000],
    ["1h", 3_600_000_000_000],
    ["10ns", 10],
  ])("%s is %d ns", (text, ns) => {
    expect(parseDurationNs(text)).toBe(ns);
  });

  test.each(["5", "5 sec", "ms", "-1s", ""])("%j is refused", (text) => {
    expect(parseDurationNs(text)).toBeUndefined();
  });
});
