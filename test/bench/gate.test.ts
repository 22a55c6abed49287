import { describe, expect, test } from "vitest";
import {
  compareResults,
  formatComparison,
  median,
  parseFraction,
  ratioInterval,
  type BenchResult,
} from "../../bench/gate.js";

const machine = { node: "v20", cpu: "test", cores: 2, memGiB: 24, platform: "linux x64" };
const result = (cases: Record<string, number[]>): BenchResult => ({
  machine,
  date: "2026-01-01",
  cases: Object.entries(cases).map(([name, samples]) => ({ name, unit: "ms", samples })),
});

/** Samples around `center` with a fixed spread pattern (deterministic "noise" of +-spread). */
const noisy = (center: number, spread: number, n = 9): number[] =>
  Array.from({ length: n }, (_, i) => center * (1 + spread * Math.sin(i * 2.4)));

describe("median", () => {
  test("odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe("ratioInterval (bootstrap of the ratio of medians)", () => {
  test("identical sample sets give ratio 1 and an interval around 1", () => {
    const s = noisy(10, 0.05);
    const r = ratioInterval(s, s);
    expect(r.ratio).toBe(1);
    expect(r.low).toBeLessThanOrEqual(1);
    expect(r.high).toBeGreaterThanOrEqual(1);
  });

  test("is deterministic: the same samples give the same interval", () => {
    const a = noisy(10, 0.1);
    const b = noisy(12, 0.1);
    expect(ratioInterval(a, b)).toEqual(ratioInterval(a, b));
  });

  test("a wider spread gives a wider interval", () => {
    const tight = ratioInterval(noisy(10, 0.01), noisy(10, 0.01));
    const wide = ratioInterval(noisy(10, 0.2), noisy(10, 0.2));
    expect(wide.high - wide.low).toBeGreaterThan(tight.high - tight.low);
  });
});

describe("compareResults: the speed gate's verdicts", () => {
  test("a clear 50% slow-down with tight samples is a REGRESSION", () => {
    const [row] = compareResults(result({ a: noisy(10, 0.02) }), result({ a: noisy(15, 0.02) }), 0.1);
    expect(row!.verdict).toBe("REGRESSION");
    expect(row!.ratio).toBeCloseTo(1.5, 1);
    expect(row!.low!).toBeGreaterThan(1.1);
  });

  test("a 5% slow-down is within a 10% allowance: ok", () => {
    expect(compareResults(result({ a: noisy(10, 0.02) }), result({ a: noisy(10.5, 0.02) }), 0.1)[0]!.verdict).toBe(
      "ok",
    );
  });

  test("a 20% slow-down hidden in +-40% noise is not flagged (its lower bound is not above 1.1)", () => {
    const [row] = compareResults(result({ a: noisy(10, 0.4, 5) }), result({ a: noisy(12, 0.4, 5) }), 0.1);
    expect(row!.low!).toBeLessThanOrEqual(1.1);
    expect(row!.verdict).toBe("ok");
  });

  test("one wild sample (another process on the machine) does not make a regression: medians resist it", () => {
    const base = noisy(10, 0.02);
    const now = [...noisy(10, 0.02).slice(0, 8), 100];
    expect(compareResults(result({ a: base }), result({ a: now }), 0.1)[0]!.verdict).toBe("ok");
  });

  test("a clear speed-up is reported as faster; new and missing cases do not fail", () => {
    const rows = compareResults(
      result({ a: noisy(10, 0.02), gone: [1, 1] }),
      result({ a: noisy(5, 0.02), added: [1, 1] }),
      0.1,
    );
    expect(Object.fromEntries(rows.map((r) => [r.name, r.verdict]))).toEqual({
      a: "faster",
      added: "new",
      gone: "missing",
    });
  });

  test("the table shows baseline, now, ratio with its interval and the verdict", () => {
    const rows = compareResults(
      result({ "engine hold 1e5 pending": noisy(10, 0.02) }),
      result({ "engine hold 1e5 pending": noisy(15, 0.02) }),
      0.1,
    );
    const t = formatComparison(rows, 0.1);
    expect(t).toContain("engine hold 1e5 pending");
    expect(t).toContain("REGRESSION");
    expect(t).toMatch(/1\.5\d\d \[1\.\d+, 1\.\d+\]/);
  });
});

describe("parseFraction", () => {
  test.each([
    ["10%", 0.1],
    ["0.1", 0.1],
    ["10", 0.1],
    ["25%", 0.25],
  ])("%s -> %f", (s, v) => expect(parseFraction(s)).toBeCloseTo(v, 12));

  test("rejects nonsense", () => {
    expect(() => parseFraction("fast")).toThrow(/max-regression/);
  });
});
