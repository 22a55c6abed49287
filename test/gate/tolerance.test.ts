import { describe, expect, test } from "vitest";
import { gateMetric } from "../../src/gate/gate-metrics.js";
import { beyond, boundOf, parseThreshold, toleranceFor, type Threshold } from "../../src/gate/tolerance.js";
import { pairedDifference } from "../../src/study/stats.js";

const ok = (expr: string, failIf = false): Threshold => {
  const t = parseThreshold(expr, failIf);
  if ("error" in t) throw new Error(t.error);
  return t;
};
const error = (expr: string, failIf = false): string => {
  const t = parseThreshold(expr, failIf);
  return "error" in t ? t.error : "parsed";
};

describe("tolerance and --fail-if grammar", () => {
  test.each([
    ["startupP99=+10%", "startupP99", "worse", 0.1, true],
    ["startupP99=10%", "startupP99", "worse", 0.1, true],
    ["timeToAllRunning=+2s", "timeToAllRunning", "worse", 2e9, false],
    ["apiP99=250ms", "apiP99", "worse", 2.5e8, false],
    ["schedulerThroughput=-5%", "schedulerThroughput", "worse", 0.05, true],
    ["unschedulable=+3", "unschedulable", "worse", 3, false],
    ["10%", undefined, "worse", 0.1, true],
    ["*=2.5%", undefined, "worse", 0.025, true],
  ] as const)("tolerance %s", (expr, metric, op, amount, relative) => {
    const t = ok(expr);
    expect([t.metric?.name, t.op, t.amount, t.relative]).toEqual([metric, op, amount, relative]);
  });

  test.each([
    ["startupP99>+5%", ">", 0.05],
    ["startupP99>5%", ">", 0.05],
    ["schedulerThroughput<-10%", "<", -0.1],
  ] as const)("fail-if %s", (expr, op, amount) => {
    const t = ok(expr, true);
    expect([t.op, t.amount]).toEqual([op, amount]);
  });

  test.each([
    [
      "startupP98=+10%",
      false,
      /unknown metric "startupP98" in "startupP98=\+10%"; known: timeToAllRunning, startupP50/,
    ],
    ["startupP99=ten", false, /expected METRIC=AMOUNT/],
    ["startupP99>+10%", false, /expected METRIC=AMOUNT/],
    ["startupP99=+10%", true, /expected METRIC>AMOUNT or METRIC<AMOUNT/],
    [">5%", true, /expected METRIC>AMOUNT/],
    ["startupP99=-10%", false, /startupP99 gets worse as it rises/],
    ["schedulerThroughput=+10%", false, /schedulerThroughput gets worse as it falls/],
    ["startupP99=5", false, /startupP99 is a duration/],
    ["unschedulable=5ms", false, /unschedulable is a count/],
    ["+2s", false, /every metric is a percentage/],
    ["", false, /expected METRIC=AMOUNT/],
  ] as const)("%s is refused (fail-if: %s)", (expr, failIf, message) => {
    expect(error(expr, failIf)).toMatch(message);
  });

  test("a metric's own tolerance wins over one for every metric, the last of each counts", () => {
    const p99 = gateMetric("startupP99")!;
    const ts = [ok("20%"), ok("startupP99=+1%"), ok("startupP99=+5%"), ok("30%")];
    expect(toleranceFor(p99, ts)?.text).toBe("startupP99=+5%");
    expect(toleranceFor(gateMetric("startupP50")!, ts)?.text).toBe("30%");
    expect(toleranceFor(p99, [])).toBeUndefined();
  });
});

describe("a bound on the paired difference", () => {
  const p99 = gateMetric("startupP99")!;
  const tput = gateMetric("schedulerThroughput")!;

  test("relative tolerances scale with the baseline mean, on the metric's worse side", () => {
    expect(boundOf(p99, ok("startupP99=+10%"), 2e9)).toEqual({ op: ">", limit: 2e8 });
    expect(boundOf(tput, ok("schedulerThroughput=-10%"), 50)).toEqual({ op: "<", limit: -5 });
    expect(boundOf(p99, undefined, 2e9)).toEqual({ op: ">", limit: 0 });
  });

  test("a regression is an interval wholly beyond the bound; identical runs never are", () => {
    const b = boundOf(p99, ok("startupP99=+10%"), 100);
    expect(beyond(pairedDifference([100, 110, 90], [120, 131, 109]), b)).toBe(true);
    // +20 on average but so noisy that the interval reaches below +10: not beyond.
    expect(beyond(pairedDifference([100, 110, 90], [100, 150, 100]), b)).toBe(false);
    expect(beyond(pairedDifference([100, 110], [100, 110]), boundOf(p99, undefined, 105))).toBe(false);
    expect(beyond(pairedDifference([100], [200]), b)).toBe(false);
  });
});
