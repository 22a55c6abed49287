import { describe, expect, test } from "vitest";
import { maxScaledDown, newReplicaSetReplicas, resolveFenceposts, scaledValue } from "../../src/controllers/rollout.js";

describe("rolling update arithmetic (pkg/controller/deployment)", () => {
  test.each([
    ["25%", 10, true, 3],
    ["25%", 10, false, 2],
    ["50%", 5, true, 3],
    ["50%", 5, false, 2],
    [4, 10, true, 4],
    ["0%", 7, true, 0],
  ] as const)("scaled value of %j of %d (round up %s) is %d", (v, total, up, want) => {
    expect(scaledValue(v, total, up)).toBe(want);
  });

  test("ResolveFenceposts: surge rounds up, unavailable down, and 0/0 becomes 0/1", () => {
    expect(resolveFenceposts("25%", "25%", 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts(0, 0, 10)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts("0%", "0%", 3)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts("1%", "1%", 5)).toEqual({ surge: 1, unavailable: 0 });
  });

  // Cases of rolling_test.go TestDeploymentController_reconcileNewReplicaSet: a Deployment of
  // 10 replicas with maxSurge s, old ReplicaSet at o replicas, new at n: the new ReplicaSet's
  // target (upstream expects "no scale" when the target equals n).
  test.each([
    [0, 10, 0, 0],
    [2, 10, 0, 2],
    [2, 5, 0, 7],
    [2, 10, 2, 2],
    [2, 2, 10, 10],
    [2, 0, 8, 10],
  ])("new ReplicaSet target with maxSurge %d, old %d, new %d is %d", (surge, old, n, want) => {
    expect(newReplicaSetReplicas(10, surge, old + n, n)).toBe(want);
  });

  // Cases of rolling_test.go TestDeploymentController_reconcileOldReplicaSets: how many old
  // pods may go with 10 replicas and maxUnavailable u.
  test.each([
    [0, 10, 0, 0, 0],
    [2, 10, 0, 0, 2],
    [2, 10, 2, 2, 4],
    [2, 10, 2, 0, 2],
    [0, 10, 2, 0, 0],
  ])("maxScaledDown with maxUnavailable %d, old %d, new %d (%d available) is %d", (u, old, n, newAvail, want) => {
    expect(maxScaledDown(10, u, old + n, n, newAvail)).toBe(want);
  });
});
