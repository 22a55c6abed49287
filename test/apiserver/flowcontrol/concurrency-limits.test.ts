import { describe, expect, it } from "vitest";
import { Engine } from "../../../src/core/engine.js";
import {
  DEFAULT_PRIORITY_LEVELS,
  PriorityAndFairness,
  computeConcurrencyLimits,
  listSeats,
} from "../../../src/apiserver/flowcontrol/index.js";

// Upstream defaults, bootstrap/default.go (flowcontrol/v1):
//   level            shares  lendable%  queues/hand/length
//   exempt              0        0      (exempt)
//   system             30       33      64/6/50
//   node-high          40       25      64/6/50
//   leader-election    10        0      16/4/50
//   workload-high      40       50      128/6/50
//   workload-low      100       90      128/6/50
//   global-default     20       50      128/6/50
//   catch-all           5        0      (Reject)
// apf_controller.go finishQueueSetReconfigsLocked: NominalCL = ceil(serverCL * shares / shareSum),
// shareSum over all levels = 0+30+40+10+40+100+20+5 = 245, serverCL = 400 + 200 = 600.
//   exempt          ceil(0)             = 0
//   system          ceil(18000/245 = 73.47)  = 74
//   node-high       ceil(24000/245 = 97.96)  = 98
//   leader-election ceil(6000/245 = 24.49)   = 25
//   workload-high   98
//   workload-low    ceil(60000/245 = 244.90) = 245
//   global-default  ceil(12000/245 = 48.98)  = 49
//   catch-all       ceil(3000/245 = 12.24)   = 13
const NOMINAL_600 = [0, 74, 98, 25, 98, 245, 49, 13];
// LendableCL = round(CL * lendable% / 100) (Go math.Round, half away from zero):
//   system round(24.42)=24, node-high round(24.5)=25, workload-high 49, workload-low
//   round(220.5)=221, global-default round(24.5)=25; MinCL = CL - LendableCL.
const MIN_600 = [0, 50, 73, 25, 49, 24, 24, 13];

describe("nominal concurrency limits", () => {
  it("match upstream's numbers for 600 server seats", () => {
    const lim = computeConcurrencyLimits(600, DEFAULT_PRIORITY_LEVELS);
    expect(lim.shareSum).toBe(245);
    expect(Array.from(lim.nominal)).toEqual(NOMINAL_600);
    expect(Array.from(lim.min)).toEqual(MIN_600);
    // No default level sets borrowingLimitPercent, so MaxCL = CL + serverCL.
    expect(Array.from(lim.max)).toEqual(NOMINAL_600.map((cl) => cl + 600));
    expect(lim.nominalSum).toBe(602);
  });

  it("uses max-requests-inflight + max-mutating-requests-inflight as the server limit", () => {
    const apf = new PriorityAndFairness(new Engine(), { borrowing: false });
    expect(apf.serverConcurrencyLimit).toBe(600);
    expect(apf.levelNames).toEqual([
      "exempt",
      "system",
      "node-high",
      "leader-election",
      "workload-high",
      "workload-low",
      "global-default",
      "catch-all",
    ]);
    for (let l = 0; l < NOMINAL_600.length; l++) {
      expect(apf.stats(l).nominalCL).toBe(NOMINAL_600[l]);
      // Without borrowing the nominal limit is the limit in force.
      expect(apf.concurrencyLimit(l)).toBe(NOMINAL_600[l]);
    }
    const small = new PriorityAndFairness(new Engine(), { maxRequestsInflight: 100, maxMutatingRequestsInflight: 50 });
    // 150 seats: system ceil(4500/245 = 18.37) = 19, workload-low ceil(15000/245 = 61.22) = 62.
    expect(small.stats(1).nominalCL).toBe(19);
    expect(small.stats(5).nominalCL).toBe(62);
  });

  it("caps seats per request as the work estimator does", () => {
    const apf = new PriorityAndFairness(new Engine(), { borrowing: false });
    // max(1, min(ceil(0.15 * CL), CL / handSize)), then at most 10:
    // system min(12, 12) -> 10; node-high min(15, 16) -> 10; leader-election min(4, 6) = 4;
    // workload-high min(15, 16) -> 10; workload-low min(37, 40) -> 10; global-default
    // min(8, 8) = 8; exempt and catch-all (no queues): 10.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((l) => apf.maxSeats(l))).toEqual([10, 10, 10, 4, 10, 10, 8, 10]);
  });

  it("sizes a LIST at one seat per 100 objects, within [1, the level's cap]", () => {
    // request/list_work_estimator.go: ceil(objects / objectsPerSeat 100), clamped.
    expect(listSeats(0, 10)).toBe(1);
    expect(listSeats(100, 10)).toBe(1);
    expect(listSeats(101, 10)).toBe(2);
    expect(listSeats(250, 10)).toBe(3);
    expect(listSeats(150_000, 10)).toBe(10);
    expect(listSeats(150_000, 4)).toBe(4);
  });

  it("starts with the borrowing allocation of zero demand (every level at minCL scaled up)", () => {
    // apf_controller.go runs updateBorrowingLocked right after computing the limits. With no
    // demand yet, each level's lower bound and target are its MinCL (exempt: target 0, taken
    // as MinTarget 0.001), upper bound MaxCL. The 602 nominal seats are shared in proportion:
    // fairProp = 602 / (50+73+25+49+24+24+13+0.001) = 602 / 258.001 = 2.33332...; no bound
    // binds (smallest relative upper bound is node-high's 698/73 = 9.56), so
    // CL = round(MinCL * fairProp).
    const fairProp = 602 / 258.001;
    const expected = MIN_600.map((m, l) => Math.round((l === 0 ? 0.001 : m) * fairProp));
    expect(expected).toEqual([0, 117, 170, 58, 114, 56, 56, 30]);
    const apf = new PriorityAndFairness(new Engine());
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((l) => apf.concurrencyLimit(l))).toEqual(expected);
  });
});
