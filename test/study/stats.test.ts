import { describe, expect, test } from "vitest";
import {
  incompleteBeta,
  lnGamma,
  meanInterval,
  pairedDifference,
  studentTCdf,
  studentTQuantile,
} from "../../src/study/stats.js";

describe("special functions", () => {
  test("lnGamma matches factorials and Gamma(1/2) = sqrt(pi)", () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(11)).toBeCloseTo(Math.log(3628800), 10);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });

  test("incomplete beta: closed forms I_x(a,1) = x^a and I_x(1,b) = 1-(1-x)^b", () => {
    for (const x of [0.1, 0.37, 0.5, 0.9]) {
      expect(incompleteBeta(x, 3, 1)).toBeCloseTo(x ** 3, 12);
      expect(incompleteBeta(x, 1, 4)).toBeCloseTo(1 - (1 - x) ** 4, 12);
      expect(incompleteBeta(x, 2.5, 1.5) + incompleteBeta(1 - x, 1.5, 2.5)).toBeCloseTo(1, 12);
    }
  });

  test("t with 1 degree of freedom is Cauchy: CDF = 1/2 + atan(t)/pi", () => {
    for (const t of [-3, -0.5, 0, 0.7, 2, 10]) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
  });

  // Reference values: the t table (two-sided 95 %: the 0.975 quantile), e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2.
  test.each([
    [1, 12.7062],
    [2, 4.3027],
    [4, 2.7764],
    [9, 2.2622],
    [29, 2.0452],
    [120, 1.9799],
  ])("t quantile 0.975 with %i df is %f", (df, q) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(q, 3);
    expect(studentTQuantile(0.025, df)).toBeCloseTo(-q, 3);
  });

  test("t quantile tends to the normal quantile 1.959964", () => {
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 4);
  });
});

describe("pairedDifference", () => {
  test("identical arms: zero difference, never significant", () => {
    const a = [10, 12, 9, 15, 11];
    expect(pairedDifference(a, [...a])).toEqual({ n: 5, meanDiff: 0, lo: 0, hi: 0, significant: false });
  });

  test("a textbook paired t-interval", () => {
    // d = b - a = [1, 2, 3, 4, 5]: mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445
    const r = pairedDifference([0, 0, 0, 0, 0], [1, 2, 3, 4, 5]);
    const half = (2.776445 * Math.sqrt(2.5)) / Math.sqrt(5);
    expect(r.meanDiff).toBe(3);
    expect(r.lo).toBeCloseTo(3 - half, 5);
    expect(r.hi).toBeCloseTo(3 + half, 5);
    expect(r.significant).toBe(true);
  });

  test("pairing removes shared noise: a constant shift is significant however noisy the arms", () => {
    const a = [100, 5000, 20, 900, 77];
    const b = a.map((x, i) => x + 1 + (i % 2) * 0.01);
    expect(pairedDifference(a, b).significant).toBe(true);
    // The unpaired intervals of the arms overlap widely.
    const ia = meanInterval(a);
    const ib = meanInterval(b);
    expect(ia.mean + ia.half).toBeGreaterThan(ib.mean - ib.half);
  });

  test("a difference within the noise is not significant", () => {
    expect(pairedDifference([1, 2, 3, 4], [2, 1, 4, 3]).significant).toBe(false);
  });

  test("pairs with a missing value are dropped; fewer than two pairs give no interval", () => {
    const r = pairedDifference([1, null, 3], [2, 5, null]);
    expect(r.n).toBe(1);
    expect(r.significant).toBe(false);
    expect(Number.isNaN(r.lo)).toBe(true);
  });
});
