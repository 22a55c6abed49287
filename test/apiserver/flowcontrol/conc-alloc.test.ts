import { describe, expect, it } from "vitest";
import { computeConcurrencyAllocation } from "../../../src/apiserver/flowcontrol/index.js";
import { RandomStreams } from "../../../src/core/random.js";

const MIN_TARGET = 0.001;
const SLACK = 1e-10;

function relDiff(a: number, b: number): number {
  const den = Math.max(Math.abs(a), Math.abs(b));
  return den === 0 ? 0 : Math.abs(a - b) / den;
}

describe("computeConcurrencyAllocation", () => {
  it("solves a bound-constrained case worked by hand", () => {
    // required 10; targets 1, 1, 8; class 2 capped at 4, class 0 floored at 3.
    // fairProp p: class0 max(3, p), class1 p, class2 min(4, 8p). Try p in [1, 3]: 3 + p + 4 = 10
    // -> p = 3; check class 2: 8*3 = 24 > 4, pinned; class 0: p = 3 = its floor. So allocs 3, 3, 4.
    const r = computeConcurrencyAllocation(10, [1, 1, 8], [0, 0, 0], [10, 10, 4]);
    const r2 = computeConcurrencyAllocation(10, [3, 1, 8], [3, 0, 0], [10, 10, 4]);
    expect(r.ok && Array.from(r.allocs)).toEqual([3, 3, 4]);
    expect(r.ok && r.fairProp).toBeCloseTo(3, 12);
    // With class 0's target at its floor of 3, p solves 3p + p + 4 = 10 -> p = 1.5: 4.5, 1.5, 4.
    expect(r2.ok && Array.from(r2.allocs).map((x) => +x.toFixed(9))).toEqual([4.5, 1.5, 4]);
  });

  it("reports infeasible problems", () => {
    expect(computeConcurrencyAllocation(1, [1, 1], [1, 1], [2, 2]).ok).toBe(false);
    expect(computeConcurrencyAllocation(10, [1, 1], [0, 0], [2, 2]).ok).toBe(false);
  });

  it("meets upstream's contract on random problems (ported TestConcAlloc)", () => {
    const rng = new RandomStreams(1234567890).stream("conc-alloc");
    const intn = (n: number): number => Math.floor(rng.next() * n);
    for (let trial = 0; trial < 3000; trial++) {
      let n = [0, 1, 2, 3, 4, 6, 9][intn(7)]!;
      const lower: number[] = [];
      const upper: number[] = [];
      const target: number[] = [];
      let required = 0;
      for (let j = 0; j < n; j++) {
        const x = Math.max(0, rng.next() * 5 - 1);
        lower.push(x);
        target.push(x + 2 * rng.next());
        upper.push(x + 3 * rng.next());
      }
      const lowSum = lower.reduce((a, b) => a + b, 0);
      let highSum = upper.reduce((a, b) => a + b, 0);
      required = Math.round(lowSum + (highSum - lowSum) * rng.next());
      while (rng.next() < 0.25) {
        // A class with a target of zero, inserted at a random place.
        const ub = rng.next() + 0.00001;
        const at = n > 0 ? intn(n + 1) : 0;
        lower.splice(at, 0, 0);
        target.splice(at, 0, 0);
        upper.splice(at, 0, ub);
        highSum += ub;
        n++;
      }
      const res = computeConcurrencyAllocation(required, target, lower, upper);
      const expectErr = lowSum - required > SLACK || required - highSum > SLACK;
      expect(res.ok).toBe(!expectErr);
      if (!res.ok) continue;
      let sum = 0;
      for (const a of res.allocs) sum += a;
      expect(relDiff(required, sum)).toBeLessThanOrEqual(SLACK);
      for (let j = 0; j < n; j++) {
        const alloc = res.fairProp * Math.max(target[j]!, MIN_TARGET);
        if (alloc <= lower[j]!) expect(res.allocs[j]).toBe(lower[j]);
        else if (alloc >= upper[j]!) expect(res.allocs[j]).toBe(upper[j]);
        else expect(relDiff(alloc, res.allocs[j]!)).toBeLessThanOrEqual(SLACK);
      }
    }
  });
});
