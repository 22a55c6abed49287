import { describe, expect, it } from "vitest";
import { disruptionsAllowed, expectedAndDesired, scaledValue } from "../../src/cluster/disruption-budgets.js";
import type { IntOrPercent, PdbSpec } from "../../src/scenario/inputs/pod-disruption-budgets.js";

const int = (value: number): IntOrPercent => ({ value, percent: false });
const pct = (value: number): IntOrPercent => ({ value, percent: true });
const pdb = (o: Partial<PdbSpec>): PdbSpec => ({
  name: "p",
  namespace: "default",
  selector: { matchLabels: new Map([["app", "web"]]), matchExpressions: [] },
  minAvailable: undefined,
  maxUnavailable: undefined,
  ...o,
});

describe("disruption controller arithmetic (pkg/controller/disruption/disruption_test.go)", () => {
  // Rows after upstream's tests: TestNoSelector/TestUnavailable (minAvailable int),
  // TestIntegerMaxUnavailable, TestNakedPod, TestReplicaSet (minAvailable 20%),
  // TestMultipleControllers, TestReplicationController (34% of 3 rounds up to 2),
  // TestStatefulSetController (34%), TestTwoControllers (28% of 11 = 4, 72% of 11 = 8).
  const rows: [string, Partial<PdbSpec>, number, number, number, [number, number, number]][] = [
    // name, spec, scale, matched, healthy -> [expected, desired, allowed]
    ["minAvailable 3 of 4 healthy", { minAvailable: int(3) }, 4, 4, 4, [4, 3, 1]],
    ["minAvailable 3 of 3 healthy", { minAvailable: int(3) }, 3, 3, 3, [3, 3, 0]],
    ["minAvailable int counts matched pods, not scale", { minAvailable: int(1) }, 0, 1, 1, [1, 1, 0]],
    ["maxUnavailable 1 of 3", { maxUnavailable: int(1) }, 3, 3, 3, [3, 2, 1]],
    ["maxUnavailable 1 of 3, one unhealthy", { maxUnavailable: int(1) }, 3, 3, 2, [3, 2, 0]],
    ["minAvailable 20% of 1 rounds up to 1", { minAvailable: pct(20) }, 1, 1, 1, [1, 1, 0]],
    ["minAvailable 34% of 3 rounds up to 2", { minAvailable: pct(34) }, 3, 3, 3, [3, 2, 1]],
    ["minAvailable 28% of 11 rounds up to 4", { minAvailable: pct(28) }, 11, 11, 11, [11, 4, 7]],
    ["minAvailable 72% of 11 rounds up to 8", { minAvailable: pct(72) }, 11, 11, 8, [11, 8, 0]],
    ["maxUnavailable 28% of 11: 4 unavailable, 7 desired", { maxUnavailable: pct(28) }, 11, 11, 11, [11, 7, 4]],
    ["maxUnavailable 100%: nothing desired", { maxUnavailable: pct(100) }, 3, 3, 3, [3, 0, 3]],
    ["maxUnavailable larger than scale clamps at 0", { maxUnavailable: int(5) }, 3, 3, 3, [3, 0, 3]],
    ["no pods expected: no disruption allowed", { maxUnavailable: int(1) }, 0, 0, 0, [0, 0, 0]],
    ["neither field: nothing expected", {}, 3, 3, 3, [0, 0, 0]],
    ["more desired than healthy: 0, never negative", { minAvailable: int(5) }, 3, 3, 3, [3, 5, 0]],
  ];
  for (const [name, spec, scale, matched, healthy, want] of rows) {
    it(name, () => {
      const [expected, desired] = expectedAndDesired(pdb(spec), scale, matched);
      expect([expected, desired, disruptionsAllowed(healthy, desired, expected)]).toEqual(want);
    });
  }

  it("percentages round up as GetScaledValueFromIntOrPercent(roundUp=true)", () => {
    expect(scaledValue(pct(50), 3)).toBe(2);
    expect(scaledValue(pct(10), 1)).toBe(1);
    expect(scaledValue(pct(0), 10)).toBe(0);
    expect(scaledValue(pct(80), 10)).toBe(8);
    expect(scaledValue(int(7), 10)).toBe(7);
  });
});
